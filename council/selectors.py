from importlib import import_module

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from council.models import AuditLogEntry, CivicYear, CouncilSettings, OutboundEmail

SETTINGS_CACHE_KEY = "council:settings:v1"


def council_settings() -> CouncilSettings:
    """The council's settings, cached; council_settings_update clears the cache."""
    settings = cache.get(SETTINGS_CACHE_KEY)
    if settings is None:
        settings = CouncilSettings.load()
        cache.set(SETTINGS_CACHE_KEY, settings, 300)
    return settings


def civic_year_cache_key(day) -> str:
    return f"council:civic-year:v1:{day.isoformat()}"


def current_civic_year(on=None) -> CivicYear | None:
    """The civic year covering the day (today by default), cached for the day."""
    day = on or timezone.localdate()
    found = cache.get(civic_year_cache_key(day))
    if found is None:
        found = CivicYear.objects.current(day) or False
        cache.set(civic_year_cache_key(day), found, 300)
    return found or None


def staff_dashboard(*, user) -> dict:
    """What the staff dashboard shows this person: each app adds its own in `dashboard.py`."""
    waiting = []
    for app in apps.get_app_configs():
        if app.name.startswith(
            ("nominations", "recognition", "volunteers")
        ) and module_has_submodule(app.module, "dashboard"):
            waiting += import_module(f"{app.name}.dashboard").items(user=user)

    counts = dict(
        OutboundEmail.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    outbox = [
        {"label": label, "count": counts.get(value, 0)}
        for value, label in OutboundEmail.Status.choices
    ]
    recent = list(
        AuditLogEntry.objects.select_related(None).only(
            "created_at", "actor_label", "action", "object_repr"
        )[:10]
    )
    return {"waiting": waiting, "outbox": outbox, "recent": recent}
