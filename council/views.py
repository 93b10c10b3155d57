import logging
import sys

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from council import health
from council.models import CouncilSettings
from council.permissions import staff_required
from council.roles import Role
from council.selectors import council_settings, staff_dashboard

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    return TemplateResponse(request, "council/home.html")


@require_safe
def accessibility(request):
    return TemplateResponse(request, "council/accessibility.html")


@require_safe
def privacy(request):
    return TemplateResponse(request, "council/privacy.html")


@require_safe
def brand_css(request):
    """The council's colours as CSS custom properties, so no page needs inline styles."""
    council = council_settings()
    css = (
        ":root{"
        f"--govuk-brand-colour:{council.brand_colour};"
        f"--app-brand-accent-colour:{council.accent_colour};"
        "}"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if request.GET.get("v") else "no-cache"
    )
    return response


@require_safe
def favicon(request):
    # Looked up per request: the fingerprinted name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


@never_cache
@require_safe
def healthz(request):
    checks = health.check_all()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@staff_required
def staff_dashboard_view(request):
    roles = [role.label for role in Role if request.user.groups.filter(name=role.value).exists()]
    return TemplateResponse(
        request, "staff/dashboard.html", {"roles": roles, **staff_dashboard(user=request.user)}
    )


# --- Error pages -------------------------------------------------------------------
# Rendered without the request context: they must work when the database, the
# session or the cache is what failed.

_ERRORS = {
    400: (
        "Sorry, there is a problem with your request",
        ["Go back and try again. If you followed a link, it may be broken or out of date."],
    ),
    403: (
        "You do not have permission to see this page",
        ["If you think you should, ask the person who manages your account."],
    ),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    ),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. Nothing you already sent us has been lost."],
    ),
    503: (
        "Sorry, the service is unavailable",
        [
            "We cannot reach our database at the moment. Try again in a few minutes. Nothing you already sent us has been lost."
        ],
    ),
}


def _council_for_error_page() -> CouncilSettings:
    try:
        return council_settings()
    except Exception:  # the database or the cache is down: use the defaults
        return CouncilSettings()


def render_error(request, status: int) -> HttpResponse:
    title, paragraphs = _ERRORS[status]
    context = {
        "title": title,
        "paragraphs": paragraphs,
        "council": _council_for_error_page(),
        "request": request,
    }
    try:
        body = loader.render_to_string("errors/error.html", context)
    except Exception:
        logger.exception("The error page itself could not be rendered")
        body = f"<!DOCTYPE html><html lang='en-GB'><head><title>{title}</title></head><body><main><h1>{title}</h1></main></body></html>"
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "120"
    return response


def bad_request(request, exception=None):
    return render_error(request, 400)


def permission_denied(request, exception=None):
    return render_error(request, 403)


def page_not_found(request, exception=None):
    return render_error(request, 404)


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        return render_error(request, 503)
    return render_error(request, 500)
