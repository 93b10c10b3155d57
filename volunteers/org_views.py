"""The organisation portal: a contact's own organisations' roles and referrals, nothing else.

Every object is read through the contact selectors in volunteers/selectors.py, so a
role or referral of another organisation is "not found" (404) whatever the URL.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.roles import Role, user_has_role
from volunteers import referral_steps, selectors
from volunteers.models import Referral
from volunteers.org_forms import RoleForm
from volunteers.services import placement
from volunteers.staff_forms import OrganisationForm


def signed_in(view):
    """Signed-out people are asked to sign in first."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def contact_required(view):
    """Organisation contacts only; which organisation's records they see is the selectors' rule."""

    @wraps(view)
    @signed_in
    def wrapped(request, *args, **kwargs):
        if not user_has_role(request.user, Role.ORGANISATION_CONTACT):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _due(referral: Referral, now) -> tuple[str, object, bool]:
    """What the organisation owes next on a referral, by when, and whether it is late."""
    if referral.status == Referral.Status.REFERRED:
        return "Acknowledge", referral.acknowledge_by, referral.acknowledge_by < now
    if (
        referral.status in (Referral.Status.ACKNOWLEDGED, Referral.Status.CHECKS)
        and referral.first_contact_at is None
    ):
        return "Contact the volunteer", referral.first_contact_by, referral.first_contact_by < now
    return "", None, False


@contact_required
@require_safe
def home(request):
    now = timezone.now()
    waiting = list(
        selectors.referrals_for_contact(user=request.user).filter(status__in=selectors.IN_HAND)
    )
    for referral in waiting:
        referral.due_what, referral.due_by, referral.late = _due(referral, now)
    return TemplateResponse(
        request,
        "volunteers/org/home.html",
        {
            "organisations": selectors.organisations_for_contact(user=request.user),
            "not_approved": selectors.organisations_waiting_for_contact(user=request.user),
            "roles": selectors.opportunities_for_contact(user=request.user),
            "waiting": waiting,
        },
    )


@signed_in
@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = placement.organisation_register(
                actor=request.user, data=form.cleaned_data
            )
        except placement.PlacementError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                f"{organisation.name} is registered. The volunteer coordinator will check it "
                "and email you when it can take referrals.",
            )
            return redirect("org:home")
    return TemplateResponse(
        request, "volunteers/org/register.html", {"form": form}, status=400 if form.errors else 200
    )


def _role_page(request, form, role=None):
    return TemplateResponse(
        request,
        "volunteers/org/role.html",
        {"form": form, "role": role},
        status=400 if form.errors else 200,
    )


def _save_role(request, form, role=None):
    organisation = form.cleaned_data["organisation"]
    try:
        saved = placement.opportunity_save(
            organisation=organisation, actor=request.user, data=form.role_data(), opportunity=role
        )
    except placement.PlacementError as error:
        field = "postcode" if error.code.startswith("postcode") else None
        form.add_error(field, str(error))
        return _role_page(request, form, role)
    messages.success(request, f"{saved.title} is saved.")
    return redirect("org:home")


@contact_required
@require_http_methods(["GET", "HEAD", "POST"])
def role_new(request):
    organisations = selectors.organisations_for_contact(user=request.user)
    if not organisations:
        messages.error(
            request, "You can add roles once the coordinator has approved your organisation."
        )
        return redirect("org:home")
    form = RoleForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        return _save_role(request, form)
    return _role_page(request, form)


@contact_required
@require_http_methods(["GET", "HEAD", "POST"])
def role_edit(request, pk):
    role = selectors.opportunity_get_for_contact(user=request.user, pk=pk)
    # A role stays with its organisation.
    organisations = selectors.organisations_for_contact(user=request.user).filter(
        pk=role.organisation_id
    )
    form = RoleForm(
        request.POST or None, organisations=organisations, initial=RoleForm.initial_for(role)
    )
    if request.method == "POST" and form.is_valid():
        return _save_role(request, form, role)
    return _role_page(request, form, role)


@contact_required
@require_safe
def referrals(request):
    status = request.GET.get("status", "")
    if status not in Referral.Status.values:
        status = ""
    page = Paginator(
        selectors.referrals_for_contact(user=request.user, status=status), 50
    ).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "volunteers/org/referrals.html",
        {
            "page": page,
            "status": status,
            "statuses": Referral.Status.choices,
            "query": f"status={status}" if status else "",
        },
    )


def _referral_page(request, referral, *, failed=None, status=200):
    forms = referral_steps.blank_forms(referral, coordinator=False)
    context = {"referral": referral, "volunteer": referral.volunteer}
    if failed is not None:
        step, form = failed
        forms = [(s, form if s.name == step.name else f) for s, f in forms]
        context["form"] = form
    now = timezone.now()
    context["due_what"], context["due_by"], context["late"] = _due(referral, now)
    context["steps"] = forms
    context["skills"] = list(referral.volunteer.skills.all())
    context["interests"] = list(referral.volunteer.interests.all())
    return TemplateResponse(request, "volunteers/org/referral.html", context, status=status)


@contact_required
@require_safe
def referral(request, pk):
    return _referral_page(request, selectors.referral_get_for_contact(user=request.user, pk=pk))


@contact_required
@require_POST
def referral_step(request, pk, step):
    referral = selectors.referral_get_for_contact(user=request.user, pk=pk)
    chosen = referral_steps.STEPS.get(step)
    if chosen is None or chosen.coordinator_only:
        raise Http404("No such step")
    try:
        done, form = referral_steps.take(
            chosen, referral=referral, actor=request.user, data=request.POST
        )
    except placement.PlacementError as error:
        messages.error(request, str(error))
        return redirect("org:referral", pk=referral.pk)
    if not done:
        return _referral_page(request, referral, failed=(chosen, form), status=400)
    messages.success(request, chosen.done)
    return redirect("org:referral", pk=referral.pk)
