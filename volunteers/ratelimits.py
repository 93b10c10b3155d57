"""Limits on the volunteer pages a person could use to send email or flood a form.

The same shape as nominations/ratelimits.py, which this app may not import: the
counts live in the cache (which keeps counting per process if Redis is down).
"""

from django.template.response import TemplateResponse
from django_ratelimit.core import is_ratelimited

LIMITS = {
    # name: (key, rate, how long to wait, in words)
    # A volunteer re-sending their guardian's link: each one is an email to the guardian.
    "guardian_resend": ("user", "5/h", "an hour"),
    # The guardian's page is reached by a signed link; this only stops a flood of answers.
    "guardian_answer": ("ip", "20/h", "an hour"),
}


def over_limit(request, name: str) -> bool:
    key, rate, _wait = LIMITS[name]
    return is_ratelimited(request, group=f"volunteers:{name}", key=key, rate=rate, increment=True)


def too_many(request, name: str) -> TemplateResponse:
    return TemplateResponse(
        request, "volunteers/too_many.html", {"wait": LIMITS[name][2]}, status=429
    )
