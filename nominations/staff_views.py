"""The review queue and everything comms staff do to a nomination."""

import csv
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.permissions import staff_required
from council.roles import Role
from nominations import services
from nominations.forms import RejectForm
from nominations.models import Nomination, NominationImport, NomineeMerge, PossibleDuplicate
from nominations.selectors import (
    campaign_current,
    consent_links_for_staff,
    nomination_history,
    nominee_consent,
    receipt_waiting,
    receipts_overdue,
    review_queue,
)
from nominations.staff_forms import (
    AssignForm,
    BulkDecisionForm,
    FamilyContactForm,
    NominationEntryForm,
    NoteForm,
    QueueFilterForm,
    UploadForm,
)

comms_required = staff_required(role=Role.COMMS)


# The bulk decision's fields, named so the error summary links to the inputs on the page.
BULK_IDS = "bulk-%s"


@comms_required
@require_safe
def queue(request):
    return _queue_page(request, request.GET.copy())


def _queue_page(request, params: QueryDict, bulk: BulkDecisionForm | None = None):
    """The queue for these filters; with a bulk decision that was not right, its answers and errors."""
    params = params.copy()
    if not params.keys() - {"page"}:
        # The queue opens on the nominations waiting for review; "Any status" shows the rest.
        params["status"] = Nomination.Status.SUBMITTED
    filters = QueueFilterForm(params)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    nominations = review_queue(filters=cleaned, search=cleaned.get("q", "").strip())
    page = Paginator(nominations, 50).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "nominations/staff/queue.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            # Where the bulk decision comes back to: this page, with its filters.
            "here": params.urlencode(),
            "bulk": bulk or BulkDecisionForm(auto_id=BULK_IDS),
            "selected": set(bulk.data.getlist("selected")) if bulk else set(),
            "form": bulk,  # its errors go in the page's error summary
            "overdue": receipts_overdue(),
            # A resident phoning with the reference of a nomination not filed yet.
            "waiting": receipt_waiting(cleaned["q"]) if cleaned.get("q") else None,
        },
    )


@comms_required
@require_POST
def bulk_decide(request):
    here = QueryDict(request.POST.get("here", ""))
    form = BulkDecisionForm(request.POST, auto_id=BULK_IDS)
    if not form.is_valid():
        # Shown again as it was sent: the same filters, ticks and words, each error at its field.
        return _queue_page(request, here, bulk=form)
    result = services.nominations_decide(
        nominations=form.cleaned_data["selected"],
        actor=request.user,
        approve=form.cleaned_data["decision"] == "approve",
        reason=form.cleaned_data["reason"],
    )
    verb = "approved" if form.cleaned_data["decision"] == "approve" else "rejected"
    if result["done"]:
        messages.success(
            request,
            f"{len(result['done'])} nomination{pluralize(len(result['done']))} {verb}: "
            f"{', '.join(result['done'])}",
        )
    for skipped in result["skipped"]:
        messages.warning(request, skipped)
    queue_url = reverse("nominations_staff:queue")
    return redirect(f"{queue_url}?{here.urlencode()}" if here else queue_url)


def _get(reference: str) -> Nomination:
    return get_object_or_404(
        Nomination.objects.in_review_queue().select_related(
            "campaign", "category", "area", "nominee", "assigned_to", "decided_by"
        ),
        reference=reference,
    )


@comms_required
@require_safe
def detail(request, reference):
    return _detail_page(request, _get(reference))


def _family_initial(nominee) -> dict:
    return {
        "name": nominee.family_name,
        "email": nominee.family_email,
        "address_line_1": nominee.family_address_line_1,
        "address_line_2": nominee.family_address_line_2,
        "town": nominee.family_town,
        "postcode": nominee.family_postcode,
    }


# A possible duplicate's own nominations, to compare before deciding.
_candidate_nominations = Prefetch(
    "candidate__nominations",
    queryset=Nomination.objects.in_review_queue().select_related("category"),
    to_attr="in_queue",
)


def _detail_page(request, nomination, *, family_form=None):
    nominee = nomination.nominee
    consent = nominee_consent(nominee)
    context = {
        "nomination": nomination,
        "nominee": nominee,
        "others": nominee.nominations.exclude(pk=nomination.pk).select_related("campaign"),
        "duplicates": PossibleDuplicate.objects.filter(
            nominee=nominee, decision=PossibleDuplicate.Decision.UNDECIDED
        )
        .select_related("candidate__area")
        .prefetch_related(_candidate_nominations),
        # Told apart earlier (or split again): can still be merged if that was a mistake.
        "different": PossibleDuplicate.objects.filter(
            nominee=nominee,
            decision=PossibleDuplicate.Decision.DIFFERENT,
            candidate__merged_into__isnull=True,
        )
        .select_related("candidate__area", "decided_by")
        .prefetch_related(_candidate_nominations),
        "merges": NomineeMerge.objects.filter(into=nominee, undone_at__isnull=True).select_related(
            "merged"
        ),
        "consent": consent,
        "consent_name": consent.display_name(nominee),
        "consent_code_url": settings.SITE_URL + reverse("nominations:consent_code"),
        "consent_links": consent_links_for_staff(nominee)
        if nomination.status == Nomination.Status.APPROVED
        else [],
        "notes": nomination.notes.select_related("author"),
        "history": nomination_history(nomination),
        "reject_form": RejectForm(),
        "assign_form": AssignForm(initial={"assignee": nomination.assigned_to_id}),
        "note_form": NoteForm(),
        "family_form": family_form
        or FamilyContactForm(initial=_family_initial(nominee), prefix="family"),
    }
    if family_form is not None and family_form.errors:
        context["form"] = family_form  # the page's error summary lists its problems
    return TemplateResponse(request, "nominations/staff/detail.html", context)


def _back(nomination):
    return redirect("nominations_staff:detail", reference=nomination.reference)


@comms_required
@require_POST
def approve(request, reference):
    nomination = _get(reference)
    try:
        services.nomination_approve(nomination=nomination, actor=request.user)
    except services.NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Nomination {nomination.reference} approved. {nomination.nominee.name} will be asked for consent.",
        )
    return _back(nomination)


@comms_required
@require_POST
def reject(request, reference):
    nomination = _get(reference)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return _back(nomination)
    try:
        services.nomination_reject(
            nomination=nomination, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Nomination {nomination.reference} rejected.")
    return _back(nomination)


@comms_required
@require_POST
def assign(request, reference):
    nomination = _get(reference)
    form = AssignForm(request.POST)
    if form.is_valid():
        services.nomination_assign(
            nomination=nomination, assignee=form.cleaned_data["assignee"], actor=request.user
        )
        messages.success(
            request,
            f"Assigned to {form.cleaned_data['assignee'].email}."
            if form.cleaned_data["assignee"]
            else "No longer assigned to anyone.",
        )
    else:
        messages.error(request, "Select a colleague from the list")
    return _back(nomination)


@comms_required
@require_POST
def add_note(request, reference):
    nomination = _get(reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.nomination_note_add(
            nomination=nomination, actor=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Note added.")
    else:
        messages.error(request, form.errors["text"][0])
    return _back(nomination)


@comms_required
@require_POST
def mark_died(request, reference):
    nomination = _get(reference)
    has_died = request.POST.get("has_died") == "yes"
    services.nominee_mark_died(nominee=nomination.nominee, has_died=has_died, actor=request.user)
    messages.success(
        request,
        f"{nomination.nominee.name} is marked as having died. Add the family's details below: "
        "the letter and the consent link go to them, never to the nominee."
        if has_died
        else f"{nomination.nominee.name} is no longer marked as having died.",
    )
    return _back(nomination)


@comms_required
@require_POST
def family_contact(request, reference):
    """The family of a nominee who has died: the consent link and the Mayor's letter go to them."""
    nomination = _get(reference)
    form = FamilyContactForm(request.POST, prefix="family")
    if form.is_valid():
        try:
            services.nominee_family_contact_set(
                nominee=nomination.nominee, actor=request.user, **form.cleaned_data
            )
        except services.NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"The family's details are saved. The letter will go to {form.cleaned_data['name']}.",
            )
            return _back(nomination)
    return _detail_page(request, nomination, family_form=form)


@comms_required
@require_POST
def merge(request, reference, pair_id):
    nomination = _get(reference)
    pair = get_object_or_404(PossibleDuplicate, pk=pair_id, nominee=nomination.nominee)
    if request.POST.get("same") == "yes":
        services.nominee_merge(nominee=pair.nominee, into=pair.candidate, actor=request.user)
        messages.success(
            request,
            f"Merged: the nominations now belong to {pair.candidate.name}, who gets one letter.",
        )
    else:
        services.possible_duplicate_dismiss(pair=pair, actor=request.user)
        messages.success(request, "Marked as different people.")
    return _back(nomination)


@comms_required
@require_POST
def consent_resend(request, reference):
    """New consent links for an approved nominee (lost, expired, or asked for by phone)."""
    nomination = _get(reference)
    if nomination.status != Nomination.Status.APPROVED:
        messages.error(request, "Consent is asked for once a nomination is approved.")
        return _back(nomination)
    links = services.consent_request(nominee=nomination.nominee, actor=request.user)
    by_post = [link for link in links if not services.consent_link_email(nomination.nominee, link)]
    messages.success(
        request,
        "New consent links sent; the old ones no longer work."
        + (
            " A code with no email address to go to is shown below: read it out or post it."
            if by_post
            else ""
        ),
    )
    return _back(nomination)


@comms_required
@require_POST
def undo_merge(request, reference, merge_id):
    nomination = _get(reference)
    merge = get_object_or_404(
        NomineeMerge, pk=merge_id, into=nomination.nominee, undone_at__isnull=True
    )
    services.nominee_merge_undo(merge=merge, actor=request.user)
    messages.success(request, f"Split: {merge.merged.name} is a separate nominee again.")
    return _back(nomination)


@comms_required
@require_safe
def photo(request, reference):
    """Nominees' photos are private until consent: staff see them through here only."""
    nomination = _get(reference)
    if not nomination.photo:
        raise Http404
    content_type = mimetypes.guess_type(nomination.photo.name)[0] or "application/octet-stream"
    response = FileResponse(nomination.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@comms_required
@require_http_methods(["GET", "HEAD", "POST"])
def enter(request):
    """A nomination taken by phone or on paper: straight into the queue, no email confirmation."""
    campaign = campaign_current()
    if campaign is None:
        messages.error(request, "Add a campaign before entering nominations.")
        return redirect("nominations_staff:queue")
    form = NominationEntryForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        nomination = services.nomination_submit(
            campaign=campaign,
            answers=form.cleaned_data,
            source=Nomination.Source.STAFF,
            actor=request.user,
        )
        messages.success(
            request,
            f"Nomination {nomination.reference} of {nomination.nominee_name} added to the queue.",
        )
        return redirect("nominations_staff:detail", reference=nomination.reference)
    return TemplateResponse(
        request, "nominations/staff/enter.html", {"form": form, "campaign": campaign}
    )


@comms_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"campaign": campaign_current()}
    )
    if request.method == "POST" and form.is_valid():
        job = services.nomination_import_create(
            campaign=form.cleaned_data["campaign"],
            filename=request.FILES["file"].name,
            content=form.cleaned_data["file"],
            actor=request.user,
        )
        return redirect("nominations_staff:upload_status", pk=job.pk)
    return TemplateResponse(
        request,
        "nominations/staff/upload.html",
        {
            "form": form,
            "columns": services.IMPORT_COLUMNS,
            "required": services.IMPORT_REQUIRED_COLUMNS,
        },
    )


@comms_required
@require_safe
def upload_template(request):
    """The CSV template partners fill in, with one example row."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nominations-template.csv"'
    writer = csv.writer(response)
    writer.writerow(services.IMPORT_COLUMNS)
    # The example row uses this campaign's own words, so the template as downloaded imports.
    campaign = campaign_current()
    category = campaign.categories.order_by("pk").first() if campaign else None
    example = {
        "nominee_type": "person",
        "category": category.name if category else "",
        "nominee_name": "Maureen Clarke",
        "nominee_email": "maureen@example.com",
        "town": "",
        "ward": "",
        "reason": "She does the shopping for six housebound neighbours every week.",
        "nominator_name": "Dr Sam Patel",
        "nominator_email": "practice@example.com",
        "nominator_relationship": "Her GP practice",
        "nominator_organisation": "Westoe Surgery",
    }
    writer.writerow([example.get(column, "") for column in services.IMPORT_COLUMNS])
    return response


@comms_required
@require_safe
def upload_progress(request, pk):
    """How far the worker has got, for the status page's script to show without reloading."""
    job = get_object_or_404(NominationImport, pk=pk)
    working = job.status in (NominationImport.Status.QUEUED, NominationImport.Status.SENDING)
    text = (
        f"Checked {job.rows_checked} of {job.total_rows} rows."
        if job.total_rows
        else "Waiting to start."
    )
    return JsonResponse(
        {
            "working": working,
            "checked": job.rows_checked,
            "total": job.total_rows,
            "text": text if working else "Finished.",
        }
    )


@comms_required
@require_safe
def upload_status(request, pk):
    job = get_object_or_404(NominationImport, pk=pk)
    errors = sorted(
        ((int(row), messages_) for row, messages_ in job.row_errors.items()),
        key=lambda item: item[0],
    )
    working = job.status in (NominationImport.Status.QUEUED, NominationImport.Status.SENDING)
    percent = round(100 * job.rows_checked / job.total_rows) if job.total_rows else 0
    return TemplateResponse(
        request,
        "nominations/staff/upload_status.html",
        {"job": job, "errors": errors, "working": working, "percent": percent},
    )
