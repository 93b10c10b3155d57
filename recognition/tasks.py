from celery import shared_task

from recognition import services


@shared_task(name="recognition.tasks.letter_send", acks_late=True)
def letter_send(letter_id: int) -> None:
    services.letter_send(letter_id=letter_id)


@shared_task(name="recognition.tasks.letters_create", acks_late=True)
def letters_create() -> int:
    return services.letters_create_for_approved()
