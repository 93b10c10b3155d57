"""The site's own URLs plus /bench/control/, the benchmark's baseline page."""

from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config import urls as site

CONTROL_ITEMS = [f"Item {number}" for number in range(1, 51)]


@require_safe
def control(request):
    """A plain template listing 50 items: Django's own cost, without the layout or queries."""
    return TemplateResponse(request, "bench/control.html", {"items": CONTROL_ITEMS})


urlpatterns = [path("bench/control/", control, name="bench_control"), *site.urlpatterns]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
