"""The volunteer coordinator's pages: the queue, ranked roles, referrals, organisations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.permissions import staff_required
from council.roles import Role
from volunteers import matching, referral_steps, selectors
from volunteers.models import CheckIn, Match, Opportunity, Organisation, Referral, Volunteer
from volunteers.services import placement
from volunteers.staff_forms import (
    ContactForm,
    OrganisationAddForm,
    OrganisationFilterForm,
    QueueFilterForm,
    ReasonForm,
    ReferralFilterForm,
)

# The coordinator's pages; administrators pass too (a superuser holds every role).
coordinator_required = staff_required(role=Role.COORDINATOR)

# Ranked roles shown for one volunteer.
RANKED_SHOWN = 10


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@coordinator_required
@require_safe
def queue(request):
    filters = QueueFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.volunteer_queue(filters=cleaned), 50).get_page(
        request.GET.get("page")
    )
    best = selectors.best_matches(volunteer.pk for volunteer in page.object_list)
    for volunteer in page.object_list:
        volunteer.best_match = best.get(volunteer.pk)
    last_run = Match.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return TemplateResponse(
        request,
        "volunteers/staff/queue.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "waiting": Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE).count(),
            "overdue": selectors.referrals_overdue().count(),
            "last_run": last_run,
            "now": timezone.now(),
        },
    )


@coordinator_required
@require_POST
def rematch(request):
    placement.matches_rebuild_request(actor=request.user)
    messages.success(
        request,
        "Matching every waiting volunteer again. The best matches update in a minute or two.",
    )
    return redirect("volunteers_staff:queue")


def _volunteer_page(request, volunteer: Volunteer, *, status: int = 200):
    ranked, not_offered = [], []
    if volunteer.status == Volunteer.Status.AVAILABLE:
        table = selectors.role_table_current()
        facts = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer.pk))[0]
        found = table.explain(facts, limit=RANKED_SHOWN, names=selectors.match_names())
        roles = Opportunity.objects.select_related("organisation").in_bulk(
            [item.role_id for item in found]
        )
        ranked = [(roles[item.role_id], item) for item in found]
        # Why the other roles are not offered, counted by rule, so the hard rules are visible.
        not_offered = [
            (matching.EXCLUSION_SUMMARIES[code], count)
            for code, count in sorted(
                table.exclusion_counts(facts).items(), key=lambda item: -item[1]
            )
        ]
    return TemplateResponse(
        request,
        "volunteers/staff/volunteer.html",
        {
            "volunteer": volunteer,
            "ranked": ranked,
            "not_offered": not_offered,
            "skills": list(volunteer.skills.all()),
            "interests": list(volunteer.interests.all()),
            "referrals": volunteer.referrals.select_related("opportunity__organisation"),
        },
        status=status,
    )


@coordinator_required
@require_safe
def volunteer(request, pk):
    volunteer = get_object_or_404(Volunteer.objects.select_related("user", "area"), pk=pk)
    return _volunteer_page(request, volunteer)


@coordinator_required
@require_POST
def refer(request, pk):
    volunteer = get_object_or_404(Volunteer.objects.select_related("user"), pk=pk)
    opportunity = Opportunity.objects.filter(pk=request.POST.get("opportunity") or 0).first()
    if opportunity is None:
        messages.error(request, "Choose a role from the list to refer them to.")
        return redirect("volunteers_staff:volunteer", pk=volunteer.pk)
    try:
        referral = placement.referral_create(
            volunteer=volunteer, opportunity=opportunity, actor=request.user
        )
    except placement.PlacementError as error:
        messages.error(request, str(error))
        return redirect("volunteers_staff:volunteer", pk=volunteer.pk)
    messages.success(
        request,
        f"{volunteer} is referred to {opportunity.title} at {opportunity.organisation.name}. "
        "The organisation and the volunteer have been emailed.",
    )
    return redirect("volunteers_staff:referral", pk=referral.pk)


@coordinator_required
@require_safe
def referrals(request):
    filters = ReferralFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.referral_list(filters=cleaned), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for referral in page.object_list:
        referral.overdue = _overdue(referral, now)
    return TemplateResponse(
        request,
        "volunteers/staff/referrals.html",
        {"filters": filters, "page": page, "query": _query_without_page(request)},
    )


def _overdue(referral: Referral, now) -> str:
    """Which time limit the referral is past, in words, or ""."""
    if (
        referral.status == Referral.Status.REFERRED
        and referral.acknowledge_by
        and referral.acknowledge_by < now
    ):
        return "Not acknowledged in time"
    if (
        referral.status in (Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED)
        and referral.first_contact_at is None
        and referral.first_contact_by
        and referral.first_contact_by < now
    ):
        return "Volunteer not contacted in time"
    return ""


def _referral(pk) -> Referral:
    return get_object_or_404(
        Referral.objects.select_related(
            "volunteer__user", "opportunity__organisation", "referred_by"
        ),
        pk=pk,
    )


def _referral_page(request, referral: Referral, *, failed=None, status: int = 200):
    forms = referral_steps.blank_forms(referral, coordinator=True)
    context = {
        "referral": referral,
        "overdue": _overdue(referral, timezone.now()),
        "history": selectors.referral_history(referral),
        "check_ins": referral.check_ins.all(),
        "responsiveness": selectors.organisation_responsiveness(
            [referral.opportunity.organisation_id]
        ).get(referral.opportunity.organisation_id),
    }
    if failed is not None:
        step, form = failed
        forms = [(s, form if s.name == step.name else f) for s, f in forms]
        context["form"] = form  # the page's error summary lists its problems
    context["steps"] = forms
    return TemplateResponse(request, "volunteers/staff/referral.html", context, status=status)


@coordinator_required
@require_safe
def referral(request, pk):
    return _referral_page(request, _referral(pk))


@coordinator_required
@require_POST
def referral_step(request, pk, step):
    referral = _referral(pk)
    chosen = referral_steps.STEPS.get(step)
    if chosen is None:
        raise Http404("No such step")
    try:
        done, form = referral_steps.take(
            chosen, referral=referral, actor=request.user, data=request.POST
        )
    except placement.PlacementError as error:
        messages.error(request, str(error))
        return redirect("volunteers_staff:referral", pk=referral.pk)
    if not done:
        return _referral_page(request, referral, failed=(chosen, form), status=400)
    messages.success(request, chosen.done)
    if chosen.name == "no_response":
        return redirect("volunteers_staff:volunteer", pk=referral.volunteer_id)
    return redirect("volunteers_staff:referral", pk=referral.pk)


@coordinator_required
@require_safe
def organisations(request):
    filters = OrganisationFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else ""
    listed = Organisation.objects.order_by("status", "name")
    if status:
        listed = listed.filter(status=status)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    figures = selectors.organisation_responsiveness([org.pk for org in page.object_list])
    for organisation in page.object_list:
        organisation.responsiveness = figures.get(organisation.pk)
    return TemplateResponse(
        request,
        "volunteers/staff/organisations.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "pending": Organisation.objects.filter(status=Organisation.Status.PENDING).count(),
        },
    )


@coordinator_required
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_new(request):
    form = OrganisationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contact_email = data.pop("contact_email", "")
        try:
            organisation = placement.organisation_add(
                actor=request.user, data=data, contact_email=contact_email
            )
        except placement.PlacementError as error:
            form.add_error("contact_email" if error.code == "no_account" else "name", str(error))
        else:
            messages.success(request, f"{organisation.name} is added and approved.")
            return redirect("volunteers_staff:organisation", pk=organisation.pk)
    return TemplateResponse(
        request,
        "volunteers/staff/organisation_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _organisation_page(request, organisation, *, suspend_form=None, contact_form=None, status=200):
    context = {
        "organisation": organisation,
        "roles": organisation.opportunities.order_by("status", "title"),
        "contacts": organisation.contacts.order_by("email"),
        "responsiveness": selectors.organisation_responsiveness([organisation.pk]).get(
            organisation.pk
        ),
        "referrals": Referral.objects.filter(opportunity__organisation=organisation)
        .select_related("volunteer__user", "opportunity")
        .order_by("-referred_at")[:20],
        "suspend_form": suspend_form or ReasonForm(label="Why suspend it?", prefix="suspend"),
        "contact_form": contact_form or ContactForm(prefix="contact"),
    }
    failed = suspend_form if suspend_form is not None and suspend_form.errors else contact_form
    if failed is not None and failed.errors:
        context["form"] = failed
    return TemplateResponse(request, "volunteers/staff/organisation.html", context, status=status)


@coordinator_required
@require_safe
def organisation(request, pk):
    return _organisation_page(request, get_object_or_404(Organisation, pk=pk))


@coordinator_required
@require_POST
def organisation_approve(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        placement.organisation_approve(organisation=organisation, actor=request.user)
    except placement.PlacementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{organisation.name} is approved. Its contacts have been emailed."
        )
    return redirect("volunteers_staff:organisation", pk=organisation.pk)


@coordinator_required
@require_POST
def organisation_suspend(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = ReasonForm(
        request.POST,
        label="Why suspend it?",
        prefix="suspend",
        required_message="Enter why you are suspending the organisation",
    )
    if not form.is_valid():
        return _organisation_page(request, organisation, suspend_form=form, status=400)
    try:
        placement.organisation_suspend(
            organisation=organisation, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except placement.PlacementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{organisation.name} is suspended: its roles are no longer offered."
        )
    return redirect("volunteers_staff:organisation", pk=organisation.pk)


@coordinator_required
@require_POST
def organisation_contacts(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if request.POST.get("remove"):
        user = organisation.contacts.filter(pk=request.POST["remove"]).first()
        if user is None:
            raise Http404("No such contact")
        placement.organisation_contact_remove(
            organisation=organisation, user=user, actor=request.user
        )
        messages.success(request, f"{user.email} is no longer a contact for {organisation.name}.")
        return redirect("volunteers_staff:organisation", pk=organisation.pk)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            user = placement.organisation_contact_add(
                organisation=organisation, email=form.cleaned_data["email"], actor=request.user
            )
        except placement.PlacementError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{user.email} is now a contact for {organisation.name}.")
            return redirect("volunteers_staff:organisation", pk=organisation.pk)
    return _organisation_page(request, organisation, contact_form=form, status=400)


@coordinator_required
@require_safe
def check_ins(request):
    answered = (
        CheckIn.objects.filter(answered_at__isnull=False)
        .select_related("referral__volunteer__user", "referral__opportunity__organisation")
        .order_by("-answered_at")[:50]
    )
    return TemplateResponse(
        request,
        "volunteers/staff/check_ins.html",
        {
            "figures": selectors.check_in_figures(),
            "placement": selectors.placement_figures(),
            "answered": answered,
        },
    )
