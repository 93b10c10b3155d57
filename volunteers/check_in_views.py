"""The page a retention check-in link opens: "still volunteering?", answered once, no account needed.

The link itself never records an answer (email scanners open links); it opens the
question with the answer from the email already chosen, and one button sends it.
"""

import contextlib

from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from volunteers.check_in_forms import CheckInForm
from volunteers.models import CheckIn
from volunteers.services import placement

# Signed links make guessing pointless; this only stops a flood of answers from one address.
ANSWER_RATE = "20/h"


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    try:
        check_in = placement.check_in_from_token(token)
    except placement.PlacementError as error:
        return TemplateResponse(
            request, "volunteers/check_in/problem.html", {"problem": str(error)}, status=400
        )
    referral = check_in.referral
    context = {
        "check_in": check_in,
        "by_volunteer": check_in.respondent == CheckIn.Respondent.VOLUNTEER,
        "volunteer": referral.volunteer,
        "organisation": referral.opportunity.organisation,
        "role": referral.opportunity,
    }
    if check_in.answered_at is not None:
        return TemplateResponse(request, "volunteers/check_in/answered.html", context)
    initial = (
        {"still": request.GET.get("answer")} if request.GET.get("answer") in ("yes", "no") else {}
    )
    form = CheckInForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        by_volunteer=context["by_volunteer"],
        question=(
            f"Are you still volunteering with {context['organisation'].name}?"
            if context["by_volunteer"]
            else f"Is {context['volunteer']} still volunteering with you?"
        ),
    )
    if request.method == "POST":
        if is_ratelimited(
            request, group="volunteers:check_in", key="ip", rate=ANSWER_RATE, increment=True
        ):
            return TemplateResponse(
                request,
                "volunteers/check_in/problem.html",
                {"problem": "Too many answers have been sent from here. Try again in an hour."},
                status=429,
            )
        if form.is_valid():
            # Answered meanwhile (a double click): the thank-you page says so.
            with contextlib.suppress(placement.PlacementError):
                check_in = placement.check_in_answer(check_in=check_in, **form.answers())
            return TemplateResponse(
                request,
                "volunteers/check_in/answered.html",
                {**context, "check_in": check_in, "just_now": True},
            )
    return TemplateResponse(
        request,
        "volunteers/check_in/question.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )
