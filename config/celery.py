"""The Celery app for the worker and beat.

Settings come from Django's (the CELERY_ names in config/settings.py). Every
periodic job is declared here, in code, with when and why it runs.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("proud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Re-queue outgoing work whose message never reached the broker (it was
    # down when the row was saved) and settle work left half-done by a worker
    # that died. Every minute, so nothing waits long after an outage.
    "outgoing-sweep": {"task": "council.tasks.outgoing_sweep", "schedule": crontab()},
    # Nominations never confirmed by email are deleted after 30 days (privacy
    # notice). Nightly, when nobody is working the queue.
    "nominations-purge-unconfirmed": {
        "task": "nominations.tasks.purge_unconfirmed",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every approved nominee gets a letter row, held for the Mayor's office to
    # release; every minute, so the release page is never far behind approvals.
    "letters-create": {"task": "recognition.tasks.letters_create", "schedule": crontab()},
    # Photos uploaded part-way through a nomination nobody sent, after a day.
    "nominations-purge-pending-photos": {
        "task": "nominations.tasks.purge_pending_photos",
        "schedule": crontab(hour=2, minute=30),
    },
}


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    """The embedded broker and beat keep their files in folders that must exist first."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
    # Beat keeps its schedule in a file beside them, whichever broker is used.
    if sender.conf.beat_schedule_filename:
        os.makedirs(os.path.dirname(sender.conf.beat_schedule_filename), exist_ok=True)
