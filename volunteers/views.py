"""The volunteer's pages: the start page, the profile questions, their own page, and the
page a parent or guardian reaches from their email. Each view reads, calls one
service and renders or redirects; the rules live in services/profile.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.sources import source_code_from_session
from volunteers import selectors
from volunteers.forms import GuardianAnswerForm
from volunteers.journey import STEP_BY_SLUG, Journey, summary_rows
from volunteers.models import Volunteer
from volunteers.ratelimits import over_limit, too_many
from volunteers.services import profile as services
from volunteers.sources import heard_from_for


def _question_url(slug: str, *, change: bool = False) -> str:
    url = reverse("volunteers:question", args=[slug])
    return f"{url}?change=1" if change else url


def _to_where_they_are(journey: Journey):
    """The first question not yet answered, or the check page once all are."""
    first = journey.first_unanswered()
    return redirect(_question_url(first.slug)) if first else redirect("volunteers:check")


@require_safe
def start(request):
    volunteer = selectors.volunteer_for_user(request.user)
    profile_url = reverse("volunteers:profile")
    return TemplateResponse(
        request,
        "volunteers/start.html",
        {
            "volunteer": volunteer,
            "next_query": urlencode({"next": profile_url}),
        },
    )


@login_required
@require_safe
def profile(request):
    volunteer = selectors.volunteer_for_user(request.user)
    if volunteer is None or volunteer.status == Volunteer.Status.INCOMPLETE:
        return _to_where_they_are(Journey(volunteer))
    return TemplateResponse(
        request,
        "volunteers/profile.html",
        {
            "volunteer": volunteer,
            "rows": summary_rows(volunteer) if volunteer.profile_completed_at else [],
            "editable": volunteer.status != Volunteer.Status.CLOSED,
            "referrals": selectors.referrals_for_volunteer(volunteer=volunteer),
            "guardian_link": services.guardian_open_link(volunteer),
            "guardian_refused": volunteer.guardian_links.filter(
                superseded_at__isnull=True, agreed=False
            ).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question(request, slug):
    step = STEP_BY_SLUG.get(slug)
    if step is None:
        raise Http404
    volunteer = selectors.volunteer_for_user(request.user)
    if volunteer is not None and volunteer.status == Volunteer.Status.CLOSED:
        return redirect("volunteers:profile")
    journey = Journey(volunteer)
    if not journey.applies(step) or not journey.may_visit(step):
        return _to_where_they_are(journey)
    finished = volunteer is not None and volunteer.profile_completed_at is not None
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        form = step.form(request.POST, volunteer=volunteer, user=request.user)
        if form.is_valid():
            try:
                volunteer = services.volunteer_answer_save(
                    user=request.user,
                    step=step.slug,
                    values=form.stored(),
                    source=source_code_from_session(request),
                )
            except services.VolunteerError as error:
                if error.code == "too_young":
                    return redirect("volunteers:too_young")
                raise
            journey = Journey(volunteer)
            missing = journey.first_unanswered()
            if finished:
                # A new date of birth may bring a new question (a guardian for a 17 year old).
                if missing is not None:
                    return redirect(_question_url(missing.slug, change=True))
                messages.success(request, "Your answers have been saved.")
                return redirect("volunteers:profile")
            if changing and missing is None:
                return redirect("volunteers:check")
            following = journey.next_step(step)
            return (
                redirect(_question_url(following.slug))
                if following
                else redirect("volunteers:check")
            )
    else:
        initial = step.form.initial_for(volunteer)
        if step.slug == "heard" and not initial.get("heard_from"):
            # Someone who came through a leaflet's code finds "a leaflet" already chosen.
            came_through = (volunteer.source if volunteer else None) or source_code_from_session(
                request
            )
            initial["heard_from"] = heard_from_for(came_through)
        form = step.form(initial=initial, volunteer=volunteer, user=request.user)
    if finished:
        back = reverse("volunteers:profile")
    elif changing:
        back = reverse("volunteers:check")
    else:
        previous = journey.previous_step(step)
        back = _question_url(previous.slug) if previous else reverse("volunteers:start")
    return TemplateResponse(
        request,
        "volunteers/question.html",
        {
            "form": form,
            "step": step,
            "back": back,
            "changing": changing or finished,
            "finished": finished,
            "volunteer": volunteer,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check(request):
    volunteer = selectors.volunteer_for_user(request.user)
    if volunteer is not None and volunteer.status != Volunteer.Status.INCOMPLETE:
        return redirect("volunteers:profile")
    journey = Journey(volunteer)
    if volunteer is None or not journey.is_complete():
        return _to_where_they_are(journey)
    if request.method == "POST":
        services.volunteer_profile_complete(volunteer=volunteer, actor=request.user)
        messages.success(
            request,
            "Thank you for signing up to volunteer. We have emailed you to say what happens next.",
        )
        return redirect("volunteers:profile")
    return TemplateResponse(
        request, "volunteers/check.html", {"rows": summary_rows(volunteer), "volunteer": volunteer}
    )


@require_safe
def too_young(request):
    return TemplateResponse(request, "volunteers/too_young.html")


def _own_volunteer_or_profile(request):
    """The signed-in person's profile; None sends them to their page (which starts the questions)."""
    return selectors.volunteer_for_user(request.user)


def _act(request, action, success: str):
    volunteer = _own_volunteer_or_profile(request)
    if volunteer is None:
        return redirect("volunteers:profile")
    try:
        action(volunteer=volunteer, actor=request.user)
    except services.VolunteerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("volunteers:profile")


@login_required
@require_POST
def pause(request):
    return _act(
        request,
        services.volunteer_pause,
        "Your profile is paused. The coordinator will not offer you a role until you resume.",
    )


@login_required
@require_POST
def resume(request):
    return _act(
        request,
        services.volunteer_resume,
        "Welcome back. The coordinator can offer you roles again.",
    )


@login_required
@require_POST
def reopen(request):
    return _act(request, services.volunteer_reopen, "Your profile is open again.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def close(request):
    volunteer = _own_volunteer_or_profile(request)
    if volunteer is None or volunteer.status == Volunteer.Status.CLOSED:
        return redirect("volunteers:profile")
    if request.method == "POST":
        return _act(
            request,
            services.volunteer_close,
            "Your profile is closed. The coordinator will not offer you any more roles.",
        )
    open_referrals = [
        referral
        for referral in selectors.referrals_for_volunteer(volunteer=volunteer)
        if referral.status in selectors.PLACE_TAKING
    ]
    return TemplateResponse(
        request, "volunteers/close.html", {"volunteer": volunteer, "open_referrals": open_referrals}
    )


@login_required
@require_POST
def guardian_resend(request):
    volunteer = _own_volunteer_or_profile(request)
    if volunteer is None:
        return redirect("volunteers:profile")
    if over_limit(request, "guardian_resend"):
        return too_many(request, "guardian_resend")
    return _act(
        request,
        services.guardian_consent_request,
        f"We have emailed a new link to {volunteer.guardian_email}. The old one no longer works.",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def guardian(request, token):
    """The page a parent or guardian reaches from their email: they agree, or not, once."""
    try:
        link = services.guardian_link_from_token(token)
    except services.VolunteerError as error:
        return TemplateResponse(
            request,
            "volunteers/link_problem.html",
            {"problem": str(error), "code": error.code},
            status=400,
        )
    volunteer = link.volunteer
    name = volunteer.full_name or "your child"
    form = GuardianAnswerForm(
        request.POST if request.method == "POST" else None, volunteer_name=name
    )
    if request.method == "POST":
        if over_limit(request, "guardian_answer"):
            return too_many(request, "guardian_answer")
        if form.is_valid():
            agreed = form.cleaned_data["agrees"] == "yes"
            services.guardian_consent_answer(link=link, agreed=agreed)
            return TemplateResponse(
                request, "volunteers/guardian_answered.html", {"agreed": agreed, "name": name}
            )
    return TemplateResponse(
        request, "volunteers/guardian.html", {"form": form, "volunteer": volunteer, "name": name}
    )
