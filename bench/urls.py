"""The site's own URLs plus the benchmarks' own endpoints.

/bench/control/ is bench_home's baseline page. bench_nominations uses the rest:
/bench/insert/ is its control (one plain insert), /bench/journey-insert/ its
floor (the final step's session work around one insert), /bench/journey/ fills the
caller's session with a complete nomination, as the question pages would, so
that the timed request is the real /nominate/check/ POST, and /bench/counts/
reports the rows afterwards so nothing accepted can go missing unnoticed;
/bench/file/ files the nominations received, as the worker would, and times it.
Only bench/settings.py serves these.
"""

import time

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from config import urls as site
from council.models import Area, AuditLogEntry, OutboundEmail
from nominations.journey import STEPS, Journey
from nominations.models import Nomination, NominationReceipt
from nominations.selectors import campaign_current
from nominations.services import nominations_file_received

CONTROL_ITEMS = [f"Item {number}" for number in range(1, 51)]
INSERT_ACTION = "bench.insert"
FLOOR_ACTION = "bench.journey_insert"


@require_safe
def control(request):
    """A plain template listing 50 items: Django's own cost, without the layout or queries."""
    return TemplateResponse(request, "bench/control.html", {"items": CONTROL_ITEMS})


@csrf_exempt
@require_POST
def insert(request):
    """One row in the audit log, a table every service writes to: a POST's least cost."""
    AuditLogEntry.objects.create(actor_label="benchmark", action=INSERT_ACTION)
    return HttpResponse(status=204)


@require_POST
def journey_insert(request):
    """The final step of the journey with one insert in place of the nomination.

    What /nominate/check/ does around `nomination_submit`, and no more: the
    visitor's session read (CSRF checked), the journey found complete, one row
    inserted, the journey cleared and what the next page shows kept in the
    session (written back), and the redirect. Any final step that keeps the
    journey in a server-side session costs at least this much.
    """
    journey = Journey(request.session, campaign_current())
    if journey.first_unanswered() is not None:
        return HttpResponse(status=400)
    answers = journey.answers()
    AuditLogEntry.objects.create(actor_label="benchmark", action=FLOOR_ACTION)
    journey.clear()
    request.session["nomination_sent"] = {
        "reference": "",
        "email": answers.get("nominator_email", ""),
        "name": answers.get("nominee_name", ""),
    }
    return redirect("nominations:sent")


@require_POST
def journey(request):
    """Answers every question of the journey in the caller's session from the POSTed fields.

    Each step's own form checks its answers and gives what the page would keep
    (`form.stored()`), and `Journey.save_step` keeps it, as the question view does.
    The category and the ward are chosen here by `n`, as the client does not know
    their ids.
    """
    campaign = campaign_current()
    journey = Journey(request.session, campaign)
    data = request.POST.copy()
    number = int(data.get("n", "0"))
    categories = list(campaign.categories.values_list("pk", flat=True))
    wards = list(Area.objects.filter(active=True).values_list("pk", flat=True))
    data["category"] = str(categories[number % len(categories)])
    data["area"] = str(wards[number % len(wards)]) if number % 10 else "unknown"
    for step in STEPS:
        answers = journey.answers()
        if not step.applies(answers):
            continue
        form = step.form(data, {}, answers={**answers, "photo_file": None}, campaign=campaign)
        if not form.is_valid():
            return JsonResponse({"step": step.slug, "errors": form.errors}, status=400)
        journey.save_step(step, form.stored())
    if not journey.is_complete():
        return JsonResponse({"step": journey.first_unanswered().slug}, status=400)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def file_received(request):
    """What the worker does every few seconds: files up to 200 waiting receipts, timed."""
    started = time.perf_counter()
    filed = nominations_file_received(limit=200)
    return JsonResponse({"filed": filed, "seconds": time.perf_counter() - started})


@require_safe
def counts(request):
    """The rows the benchmark checks after its run."""
    return JsonResponse(
        {
            "receipts": NominationReceipt.objects.count(),
            "nominations": Nomination.objects.count(),
            "emails": OutboundEmail.objects.count(),
            "inserts": AuditLogEntry.objects.filter(action=INSERT_ACTION).count(),
            "floor_inserts": AuditLogEntry.objects.filter(action=FLOOR_ACTION).count(),
        }
    )


urlpatterns = [
    path("bench/control/", control, name="bench_control"),
    path("bench/insert/", insert, name="bench_insert"),
    path("bench/journey/", journey, name="bench_journey"),
    path("bench/journey-insert/", journey_insert, name="bench_journey_insert"),
    path("bench/file/", file_received, name="bench_file"),
    path("bench/counts/", counts, name="bench_counts"),
    *site.urlpatterns,
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
