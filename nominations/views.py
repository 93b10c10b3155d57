import logging

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from council.sources import source_code_from_session
from nominations import services
from nominations.forms import ConsentCodeForm, ConsentForm, ResendForm
from nominations.journey import STEP_BY_SLUG, Journey, summary_rows
from nominations.models import ConsentLink, Nomination
from nominations.ratelimits import over_limit, too_many
from nominations.selectors import campaign_current, consent_answer_of

logger = logging.getLogger(__name__)

CONSENT_SESSION_KEY = "consent_link"


@require_safe
def start(request):
    campaign = campaign_current()
    if campaign is None:
        return TemplateResponse(request, "nominations/no_campaign.html")
    journey = Journey(request.session, campaign)
    return TemplateResponse(
        request,
        "nominations/start.html",
        {"campaign": campaign, "open": campaign.is_open(), "started": bool(journey.steps_answered)},
    )


def _closed(request, campaign):
    return TemplateResponse(
        request,
        "nominations/closed.html",
        {"campaign": campaign},
        status=410 if not campaign.is_open() else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question(request, slug):
    step = STEP_BY_SLUG.get(slug)
    if step is None:
        raise Http404
    campaign = campaign_current()
    if campaign is None:
        return redirect("nominations:start")
    if not campaign.is_open():
        return _closed(request, campaign)
    journey = Journey(request.session, campaign)
    if not step.applies(journey.answers()) or not journey.may_visit(step):
        first = journey.first_unanswered()
        return (
            redirect("nominations:question", slug=first.slug)
            if first
            else redirect("nominations:check")
        )
    changing = request.GET.get("change") == "1"
    answers = journey.answers()
    if request.method == "POST":
        form = step.form(
            request.POST,
            request.FILES,
            answers={**answers, "photo_file": journey.photo_file},
            campaign=campaign,
        )
        if form.is_valid():
            if step.slug == "photo":
                _keep_photo(journey, form, remove=request.POST.get("remove_photo") == "yes")
            journey.save_step(step, form.stored())
            following = journey.next_step(step)
            if changing and journey.is_complete():
                return redirect("nominations:check")
            return (
                redirect("nominations:question", slug=following.slug)
                if following
                else redirect("nominations:check")
            )
    else:
        form = step.form(
            initial=journey.steps_answered.get(step.slug), answers=answers, campaign=campaign
        )
    previous = journey.previous_step(step)
    back = (
        reverse("nominations:check")
        if changing
        else (
            reverse("nominations:question", args=[previous.slug])
            if previous
            else reverse("nominations:start")
        )
    )
    return TemplateResponse(
        request,
        "nominations/question.html",
        {
            "campaign": campaign,
            "form": form,
            "step": step,
            "back": back,
            "changing": changing,
            "photo_file": journey.photo_file,
        },
    )


def _keep_photo(journey: Journey, form, *, remove: bool) -> None:
    if form.clean_image is not None:
        name = default_storage.save(f"pending/{form.clean_image.file.name}", form.clean_image.file)
        journey.set_photo(name)
    elif remove:
        journey.set_photo(None)


@require_http_methods(["GET", "HEAD", "POST"])
def check(request):
    campaign = campaign_current()
    if campaign is None:
        return redirect("nominations:start")
    if not campaign.is_open():
        return _closed(request, campaign)
    journey = Journey(request.session, campaign)
    first = journey.first_unanswered()
    if first is not None:
        return redirect("nominations:question", slug=first.slug)
    if request.method == "POST":
        answers = journey.answers()
        if request.POST.get("website"):
            logger.info("A nomination with the honeypot filled in was dropped")
            journey.clear()
            return redirect("nominations:sent")
        if over_limit(request, "nominate", email=answers.get("nominator_email", "")):
            return too_many(request, "nominate")
        try:
            # One row; the worker files it within seconds (see NominationReceipt).
            receipt = services.nomination_receive(
                campaign=campaign,
                answers=journey.for_service(),
                photo_name=journey.photo_file or "",
                source_code=source_code_from_session(request),
            )
        except services.NominationError as error:
            messages.error(request, str(error))
            return redirect("nominations:start")
        journey.clear()
        request.session["nomination_sent"] = {
            "reference": receipt.reference,
            "email": receipt.nominator_email,
            "name": receipt.nominee_name,
        }
        return redirect("nominations:sent")
    return TemplateResponse(
        request, "nominations/check.html", {"campaign": campaign, "rows": summary_rows(journey)}
    )


@require_safe
def sent(request):
    return TemplateResponse(
        request,
        "nominations/sent.html",
        {"sent": request.session.get("nomination_sent"), "campaign": campaign_current()},
    )


def _link_problem(request, error, **offer):
    """A tampered, expired or replaced link: say which, and how to get a new one."""
    return TemplateResponse(
        request, "nominations/link_problem.html", {"problem": str(error), **offer}, status=400
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        if request.method != "POST":
            nomination = services.nomination_to_confirm(token=token)
            if nomination.status == Nomination.Status.UNCONFIRMED:
                return TemplateResponse(
                    request, "nominations/confirm.html", {"nomination": nomination}
                )
        else:
            nomination = services.nomination_confirm(token=token)
    except services.NominationError as error:
        return _link_problem(request, error, resend=True)
    return TemplateResponse(
        request,
        "nominations/confirmed.html",
        {"nomination": nomination, "campaign": nomination.campaign},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def resend(request):
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if over_limit(request, "resend", email=email):
            return too_many(request, "resend", kept=False)
        services.nomination_resend_confirmation(email=email)
        return TemplateResponse(request, "nominations/resent.html", {"email": email})
    return TemplateResponse(request, "nominations/resend.html", {"form": form})


# --- Consent (signed links, no account) ------------------------------------------------


def _consent_page(request, link: ConsentLink):
    nominee = link.nominee
    guardian = link.role == ConsentLink.Role.GUARDIAN
    own = consent_answer_of(nominee, link.role)
    initial = None
    if own is not None and not own.withdrawn:
        initial = {
            "channels": [
                name
                for name in ("roll_of_honour", "website_story", "social_media", "press")
                if getattr(own, name)
            ],
            "name_display": own.name_display,
            "photo_allowed": "yes" if own.photo_allowed else "no",
        }
    form = ConsentForm(
        request.POST or None,
        initial=initial,
        guardian=guardian,
        nominee_name=nominee.name,
        has_died=nominee.has_died,
        kind=nominee.kind,
    )
    if request.method == "POST":
        if request.POST.get("withdraw") == "all":
            services.consent_record(
                link=link, answers={"withdraw": True, "channels": [], "name_display": "anonymous"}
            )
            return TemplateResponse(
                request,
                "nominations/consent_saved.html",
                {
                    "nominee": nominee,
                    "withdrawn": True,
                    "guardian": guardian,
                    "page_url": services.nominee_page_url(link),
                },
            )
        if form.is_valid():
            services.consent_record(link=link, answers=form.cleaned_data)
            return TemplateResponse(
                request,
                "nominations/consent_saved.html",
                {
                    "nominee": nominee,
                    "withdrawn": False,
                    "guardian": guardian,
                    "answers": form.cleaned_data,
                    "page_url": services.nominee_page_url(link),
                },
            )
    return TemplateResponse(
        request,
        "nominations/consent.html",
        {
            "form": form,
            "nominee": nominee,
            "guardian": guardian,
            "answered": own is not None and not own.withdrawn,
            "withdrawn_on": own.created_at if own is not None and own.withdrawn else None,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def consent(request, token):
    try:
        link = services.consent_link_from_token(token)
    except services.NominationError as error:
        return _link_problem(request, error, consent=True)
    return _consent_page(request, link)


def _code_problem(code: str, error) -> str:
    if error.code != "link_invalid":
        return str(error)  # replaced by a newer code, or out of date
    if len(services.normalise_short_code(code)) != 8:
        return "Enter the code as it is printed: 8 letters and numbers, like K7PD 3XQ2"
    return (
        "We cannot find that code. Check it against the last page of the Mayor's letter "
        "(codes never use the letters I or O, or the numbers 0 or 1)"
    )


@require_http_methods(["GET", "HEAD", "POST"])
def consent_code(request):
    """Nominees without email type the code printed on the form that came with their letter."""
    form = ConsentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if over_limit(request, "consent_code"):
            return too_many(request, "consent_code", kept=False)
        try:
            link = services.consent_link_from_code(form.cleaned_data["code"])
        except services.NominationError as error:
            form.add_error("code", _code_problem(form.cleaned_data["code"], error))
        else:
            request.session[CONSENT_SESSION_KEY] = link.pk
            return redirect("nominations:consent_answer")
    return TemplateResponse(request, "nominations/consent_code.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def consent_answer(request):
    """The consent page reached with a code: the link is remembered in the session."""
    pk = request.session.get(CONSENT_SESSION_KEY)
    if pk is None:
        return redirect("nominations:consent_code")
    try:
        link = services.consent_link_by_id(pk)
    except services.NominationError as error:
        request.session.pop(CONSENT_SESSION_KEY, None)
        return _link_problem(request, error, consent=True)
    return _consent_page(request, link)
