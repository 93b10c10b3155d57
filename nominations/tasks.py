from celery import shared_task

from nominations import services


@shared_task(name="nominations.tasks.purge_unconfirmed", acks_late=True)
def purge_unconfirmed() -> int:
    return services.nominations_purge_unconfirmed()


@shared_task(name="nominations.tasks.purge_pending_photos", acks_late=True)
def purge_pending_photos() -> int:
    return services.pending_photos_purge()


@shared_task(name="nominations.tasks.import_run", acks_late=True)
def import_run(import_id: int) -> None:
    services.nomination_import_run(import_id=import_id)


@shared_task(name="nominations.tasks.file_received", acks_late=True)
def file_received() -> int:
    return services.nominations_file_received()
