"""Comms staff write and approve the citations that put names on the roll of honour."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.permissions import staff_required
from council.roles import Role
from nominations.selectors import nominee_consent
from recognition.honours import selectors, services
from recognition.honours.forms import CitationForm, StaffFilterForm
from recognition.honours.models import ListingStatus

comms_required = staff_required(role=Role.COMMS)


@comms_required
@require_safe
def index(request):
    filters = StaffFilterForm(request.GET or None, options=selectors.filter_options())
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.entries_for_staff(filters=cleaned), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "honours/staff/index.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.staff_counts(),
        },
    )


def _entry_context(entry, form) -> dict:
    consent = nominee_consent(entry.nominee)
    return {
        "entry": entry,
        "form": form,
        "consent": consent,
        "shown_name": services.shown_name(entry.nominee, consent),
        "words": services.nomination_words(entry),
        "history": selectors.entry_history(entry),
        "statuses": ListingStatus,
    }


@comms_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry(request, pk):
    entry = selectors.entry_for_staff(pk)
    form = CitationForm(
        request.POST or None, initial={"citation": entry.citation, "revision": entry.revision}
    )
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("action") == "approve"
        try:
            entry = services.citation_save(
                entry=entry,
                text=form.cleaned_data["citation"],
                actor=request.user,
                approve=approve,
                revision=form.cleaned_data["revision"],
            )
        except services.HonoursError as error:
            if error.code == "edited_meanwhile":
                # Keep what this person typed; the page shows the colleague's saved version
                # beside it, and saving again is now taken as having seen it.
                entry = selectors.entry_for_staff(pk)
                data = request.POST.copy()
                data["revision"] = str(entry.revision)
                form = CitationForm(data)
                form.is_valid()
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _saved_message(entry, approve))
            return redirect("honours_staff:entry", pk=entry.pk)
    return TemplateResponse(request, "honours/staff/entry.html", _entry_context(entry, form))


def _saved_message(entry, approved: bool) -> str:
    if entry.listed:
        return f"Citation approved. {entry.display_name} is on the roll of honour."
    if approved:
        return f"Citation approved. Not listed yet: {entry.get_status_display().lower()}."
    return "Citation saved. It needs approval before it goes on the roll of honour."


@comms_required
@require_POST
def withdraw_approval(request, pk):
    entry = selectors.entry_for_staff(pk)
    revision = request.POST.get("revision", "")
    try:
        services.citation_approval_withdraw(
            entry=entry, actor=request.user, revision=int(revision) if revision.isdigit() else None
        )
    except services.HonoursError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Approval withdrawn. The name is off the roll of honour until it is approved again.",
        )
    return redirect("honours_staff:entry", pk=entry.pk)
