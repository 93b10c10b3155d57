"""Template helpers for the matching and referral pages."""

from django import template

from volunteers.matching import LABELS, WEIGHTS
from volunteers.models import DAYS, availability_slots

register = template.Library()


@register.filter
def score_parts(parts: dict | None) -> list[dict]:
    """A score's parts in their usual order (a JSON column may not keep the order it was given)."""
    parts = parts or {}
    return [
        {"name": name, "label": LABELS[name], **parts[name]} for name in WEIGHTS if name in parts
    ]


@register.filter
def percent(value) -> str:
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def times(mask: int) -> str:
    """Availability bits in words: "Monday morning, Wednesday afternoon"."""
    slots = availability_slots(mask or 0)
    if not slots:
        return "Any time"
    days = dict(DAYS)
    return ", ".join(f"{days[slot[:3]]} {slot[4:]}" for slot in slots)
