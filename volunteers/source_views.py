"""Source codes: /v/<code> for the public, and the staff pages that make codes and their QR codes."""

import io
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from council.models import SourceCode
from council.permissions import staff_required
from council.roles import Role, user_has_role
from council.sources import source_code_remember
from volunteers import selectors
from volunteers.forms import SourceCodeForm
from volunteers.services import profile as services

DESTINATIONS = {
    SourceCode.Destination.VOLUNTEER: "volunteers:start",
    SourceCode.Destination.NOMINATE: "nominations:start",
}


@require_safe
def visit(request, code):
    """Count the visit, remember the code in the session, and go where the code points.

    A code nobody knows (mistyped from a leaflet) leads to the volunteering page
    rather than an error; a code staff have switched off still leads where it
    pointed, but counts nothing and is not remembered.
    """
    source = SourceCode.objects.filter(code=code.lower()).first()
    if source is None:
        return redirect("volunteers:start")
    if source.active and request.method == "GET":
        services.source_code_visit(source=source)
        source_code_remember(request, source)
    return redirect(DESTINATIONS.get(source.destination, "volunteers:start"))


def source_staff_required(view):
    """Coordinators and comms staff make codes: comms for stories and posts, coordinators for leaflets."""

    @staff_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user_has_role(user, Role.COORDINATOR) or user_has_role(user, Role.COMMS)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def source_url(source: SourceCode) -> str:
    return settings.SITE_URL + reverse("sources:visit", args=[source.code])


@source_staff_required
@require_safe
def index(request):
    return TemplateResponse(
        request,
        "volunteers/sources/index.html",
        {
            "codes": [(code, source_url(code)) for code in selectors.source_codes_with_counts()],
        },
    )


@source_staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def create(request):
    form = SourceCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_code_create(actor=request.user, **form.cleaned_data)
        except services.VolunteerError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request, f"Code {source.code} made. Download its QR code below to print it."
            )
            return redirect("sources_staff:index")
    return TemplateResponse(request, "volunteers/sources/create.html", {"form": form})


def _source_or_404(pk: int) -> SourceCode:
    source = SourceCode.objects.filter(pk=pk).first()
    if source is None:
        raise Http404
    return source


def _qr_download(source: SourceCode, kind: str) -> HttpResponse:
    url = source_url(source)
    buffer = io.BytesIO()
    # Error correction level Q: the code still reads with a quarter of it smudged or folded.
    qr = segno.make(url, error="q", micro=False)
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=10, border=4, title=f"QR code for {url}")
        content_type = "image/svg+xml"
    else:
        # Big enough to print crisply on a poster; 300 dots per inch recorded for print software.
        qr.save(buffer, kind="png", scale=20, border=4, dpi=300)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="qr-{source.code}.{kind}"'
    return response


@source_staff_required
@require_safe
def qr_svg(request, pk: int):
    return _qr_download(_source_or_404(pk), "svg")


@source_staff_required
@require_safe
def qr_png(request, pk: int):
    return _qr_download(_source_or_404(pk), "png")


@source_staff_required
@require_POST
def set_active(request, pk: int):
    source = _source_or_404(pk)
    active = request.POST.get("active") == "yes"
    services.source_code_set_active(source=source, active=active, actor=request.user)
    messages.success(
        request,
        f"Code {source.code} is counting visits again."
        if active
        else f"Code {source.code} is switched off: it still leads to its page but counts nothing.",
    )
    return redirect("sources_staff:index")
