"""Celery tasks for placing volunteers: thin, idempotent, each calling one service.

The periodic ones are declared in config/celery.py with when and why they run.
"""

from celery import shared_task


@shared_task(name="volunteers.tasks.matches_rebuild", acks_late=True)
def matches_rebuild(actor_id: int | None = None) -> int:
    """Every waiting volunteer's best roles worked out again (a run replaces the last)."""
    from django.contrib.auth import get_user_model

    from volunteers.services import placement

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return placement.matches_rebuild(actor=actor)


@shared_task(name="volunteers.tasks.referrals_chase", acks_late=True)
def referrals_chase() -> dict:
    """Remind organisations past a time limit, then alert the coordinator (each once)."""
    from volunteers.services import placement

    return placement.referrals_chase()


@shared_task(name="volunteers.tasks.check_ins_send_due", acks_late=True)
def check_ins_send_due() -> int:
    """Ask whether volunteers are still volunteering at 3, 6 and 12 months (each once)."""
    from volunteers.services import placement

    return placement.check_ins_send_due()
