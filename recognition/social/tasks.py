"""Thin Celery tasks: each calls one service. The schedule is in config/celery.py."""

from celery import shared_task

from recognition.social import services


@shared_task(name="recognition.social.tasks.posts_send_due", acks_late=True)
def posts_send_due() -> dict[str, int]:
    return services.posts_send_due()


@shared_task(name="recognition.social.tasks.channels_check", acks_late=True)
def channels_check() -> dict[str, str]:
    return services.channels_check()


@shared_task(name="recognition.social.tasks.removal_run", acks_late=True)
def removal_run(removal_id: int) -> None:
    services.removal_run(removal_id=removal_id)
