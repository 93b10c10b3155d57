"""The Celery app for the worker and beat.

Settings come from Django's (the CELERY_ names in config/settings.py). Every
periodic job is declared here, in code, with when and why it runs.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from django import db
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("proud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Database connections are kept between tasks as the web server keeps them
# between requests: closed once older than CONN_MAX_AGE or after an error, and
# checked before reuse (CONN_HEALTH_CHECKS), by Django's own
# close_old_connections before and after each task. Celery's default is to
# close them before and after every task, so each task opened a new
# PostgreSQL connection (a new server process), a cost every batch of emails
# paid again. With a reuse limit set, Celery's fix-up closes them itself only
# once in two thousand tasks.
app.conf["CELERY_DB_REUSE_MAX"] = 1000


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs) -> None:
    if getattr(task.request, "is_eager", False):
        return  # run inside the caller (tests): its connection and transaction are the caller's
    db.close_old_connections()


# Emails have a queue of their own, which every worker takes from alongside the
# main one, taking turns between them. A nominator's confirmation email then
# waits for at most the task in hand, not behind the thousands of letters the
# Mayor's office has just released (each a PDF to make). A deployment that wants
# a worker for email alone starts one with `-Q email`.
# Each queue has its own routing key: without one, both would be bound to the
# default key and every message would be delivered to both.
app.conf.task_queues = (
    Queue("celery", routing_key="celery"),
    Queue("email", routing_key="email"),
)
app.conf.task_routes = {
    "council.tasks.email_send": {"queue": "email"},
    "council.tasks.emails_send": {"queue": "email"},
    # Filing a nomination sent on the form is what makes its confirmation email.
    "nominations.tasks.file_received": {"queue": "email"},
}

app.conf.beat_schedule = {
    # Re-queue outgoing work whose message never reached the broker (it was
    # down when the row was saved) and settle work left half-done by a worker
    # that died. Every minute, so nothing waits long after an outage.
    "outgoing-sweep": {"task": "council.tasks.outgoing_sweep", "schedule": crontab()},
    # Nominations sent on the public form are saved as one row each (a receipt)
    # and filed here: nominee, nomination, audit row and confirmation email.
    # Every 5 seconds, so the confirmation email follows the form within
    # seconds; a run files everything waiting, so a message that is not taken
    # within 30 seconds (the worker busy, the broker down) is dropped, not stacked.
    "nominations-file-received": {
        "task": "nominations.tasks.file_received",
        "schedule": 5.0,
        "options": {"expires": 30},
    },
    # Nominations never confirmed by email are deleted after 30 days (privacy
    # notice). Nightly, when nobody is working the queue.
    "nominations-purge-unconfirmed": {
        "task": "nominations.tasks.purge_unconfirmed",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every approved nominee gets a letter row, held for the Mayor's office to
    # release; every minute, so the release page is never far behind approvals.
    "letters-create": {"task": "recognition.tasks.letters_create", "schedule": crontab()},
    # Scheduled stories go out when their time comes (within a minute of it), or
    # are held while the council has paused publishing. Due rows are picked from
    # the database: publishing is never queued ahead with a countdown.
    "stories-publish-due": {"task": "stories.tasks.publish_due", "schedule": crontab()},
    # Photos uploaded part-way through a nomination nobody sent, after a day.
    "nominations-purge-pending-photos": {
        "task": "nominations.tasks.purge_pending_photos",
        "schedule": crontab(hour=2, minute=30),
    },
    # Social posts that have come due are sent, exactly once, and any the
    # pre-election pause holds are marked held. Every minute: a post scheduled
    # for 09:00 goes out by 09:01. Picked from the database, never a countdown.
    "social-posts-send-due": {
        "task": "recognition.social.tasks.posts_send_due",
        "schedule": crontab(),
    },
    # Each social channel's credentials are checked every morning, so a dead
    # token is found (and comms staff emailed) before a scheduled post fails.
    "social-channels-check": {
        "task": "recognition.social.tasks.channels_check",
        "schedule": crontab(hour=6, minute=45),
    },
    # Volunteer referrals past a time limit: the organisation is reminded once, and a
    # working day later the coordinator is alerted once. Hourly, so a reminder goes
    # out within the hour a limit passes; due rows are picked from the database.
    "volunteers-referrals-chase": {
        "task": "volunteers.tasks.referrals_chase",
        "schedule": crontab(minute=5),
    },
    # Retention: at 3, 6 and 12 months of volunteering the organisation and the
    # volunteer are asked whether they are still volunteering. Daily, in the morning,
    # so the emails arrive in working hours.
    "volunteers-check-ins": {
        "task": "volunteers.tasks.check_ins_send_due",
        "schedule": crontab(hour=9, minute=0),
    },
    # Every waiting volunteer's best roles again: fairness changes with time, and roles
    # open, fill and close during the day. Nightly; the coordinator can also ask for one.
    "volunteers-matches-rebuild": {
        "task": "volunteers.tasks.matches_rebuild",
        "schedule": crontab(hour=3, minute=0),
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
