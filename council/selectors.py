from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from council.models import Area, AuditLogEntry, CivicYear, CouncilSettings, OutboundEmail

SETTINGS_CACHE_KEY = "council:settings:v1"


def council_settings() -> CouncilSettings:
    """The council's settings, cached; council_settings_update clears the cache."""
    settings = cache.get(SETTINGS_CACHE_KEY)
    if settings is None:
        settings = CouncilSettings.load()
        cache.set(SETTINGS_CACHE_KEY, settings, 300)
    return settings


AREAS_CACHE_KEY = "council:areas:v1"


def areas_by_pk() -> dict[int, Area]:
    """Every ward by primary key, cached; area_save and areas_import clear the cache.

    Forms offer only the active ones; a nomination may still name a ward made
    inactive since, so all are here.
    """
    areas = cache.get(AREAS_CACHE_KEY)
    if areas is None:
        areas = {area.pk: area for area in Area.objects.order_by("name")}
        cache.set(AREAS_CACHE_KEY, areas, 300)
    return areas


@dataclass(frozen=True)
class PublishingPause:
    """All publishing is paused (before an election): since when, by whom and why."""

    since: datetime
    by: str
    reason: str


def publishing_paused() -> PublishingPause | None:
    """The pause in force, or None. Read from the database every time, never the cache:
    a story or a social post must not go out in the minutes after a pause began."""
    row = (
        CouncilSettings.objects.filter(pk=1, publishing_paused_at__isnull=False)
        .values("publishing_paused_at", "publishing_paused_by__email", "publishing_pause_reason")
        .first()
    )
    if row is None:
        return None
    return PublishingPause(
        since=row["publishing_paused_at"],
        by=row["publishing_paused_by__email"] or "an administrator",
        reason=row["publishing_pause_reason"],
    )


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
