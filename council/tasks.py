from celery import shared_task

from council import outgoing, services


@shared_task(name="council.tasks.email_send", bind=True, acks_late=True)
def email_send(self, email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task(name="council.tasks.emails_send", acks_late=True)
def emails_send(email_ids: list[int]) -> None:
    services.emails_send(email_ids=email_ids)


@shared_task(name="council.tasks.outgoing_sweep", acks_late=True)
def outgoing_sweep() -> dict[str, int]:
    return outgoing.sweep()


@shared_task(name="council.tasks.delivery_event_apply", acks_late=True)
def delivery_event_apply(event_id: int) -> None:
    services.delivery_event_apply(event_id=event_id)
