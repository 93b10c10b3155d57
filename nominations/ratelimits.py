"""Limits on the anonymous forms, per address and per email, with a page saying when to try again.

The counts live in the cache, which keeps counting per process if Redis is
down (council/cache.py), so a limit never turns into an error page.
"""

from django.template.response import TemplateResponse
from django_ratelimit.core import is_ratelimited

LIMITS = {
    # name: (rate per IP address, rate per email address, how long to wait, in words)
    "nominate": ("20/h", "10/h", "an hour"),
    "resend": ("10/h", "3/h", "an hour"),
    "consent_code": ("10/h", None, "an hour"),
}


def over_limit(request, name: str, *, email: str = "") -> bool:
    ip_rate, email_rate, _wait = LIMITS[name]
    limited = is_ratelimited(request, group=f"{name}:ip", key="ip", rate=ip_rate, increment=True)
    if email_rate and email:
        limited |= is_ratelimited(
            request,
            group=f"{name}:email",
            key=lambda _group, _request: email.strip().lower(),
            rate=email_rate,
            increment=True,
        )
    return limited


def too_many(request, name: str, *, kept: bool = True) -> TemplateResponse:
    return TemplateResponse(
        request, "nominations/too_many.html", {"wait": LIMITS[name][2], "kept": kept}, status=429
    )
