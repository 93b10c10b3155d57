from celery import shared_task

from recognition import services


@shared_task(name="recognition.tasks.letter_send", acks_late=True)
def letter_send(letter_id: int) -> None:
    services.letter_send(letter_id=letter_id)


@shared_task(name="recognition.tasks.letters_send", acks_late=True)
def letters_send(letter_ids: list[int]) -> None:
    services.letters_send(letter_ids=letter_ids)


@shared_task(name="recognition.tasks.letters_create", acks_late=True)
def letters_create() -> int:
    return services.letters_create_for_approved()


@shared_task(name="recognition.tasks.print_batch_build", acks_late=True)
def print_batch_build(batch_id: int) -> None:
    services.print_batch_build(batch_id=batch_id)


@shared_task(name="recognition.tasks.print_batch_part_build", acks_late=True)
def print_batch_part_build(part_id: int) -> None:
    services.print_batch_part_build(part_id=part_id)
