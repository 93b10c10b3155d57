"""Outgoing email survives a broker outage, a redelivered message and a dead worker.

DESIGN.md § 4: every email is a row before any task is queued; a sweeper
re-queues rows the broker never got; the task locks the row and moves it
forward, so nothing is lost and nothing is sent twice. Each test runs a real
worker against a real broker and reads what a person would: the outbox row
staff see and the .eml files in var/mail/.
"""

import email
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from council.models import OutboundEmail
from council.outgoing import OutgoingWork, sweep
from council.services import email_queue
from tests.fault.broker import wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

SENT = OutgoingWork.Status.SENT
QUEUED = OutgoingWork.Status.QUEUED
SENDING = OutgoingWork.Status.SENDING
# Asking for an email must not keep the person's page waiting on a broker
# that is down: the publish has to fail at once and leave the row to the sweeper.
PUBLISH_WITH_BROKER_DOWN_MAX_SECONDS = 2.0


def ask_for_email(subject: str) -> OutboundEmail:
    """What a service does: the email joins the outbox in the service's transaction."""
    with transaction.atomic():
        return email_queue(
            to=["resident@example.org"],
            subject=subject,
            body_text="Thank you for nominating your neighbour.",
        )


def emails_written(subject: str) -> list[Path]:
    """The .eml files in var/mail/ with this subject."""
    folder = Path(settings.EMAIL_FILE_PATH)
    return [
        path
        for path in sorted(folder.glob("*.eml"))
        if email.message_from_bytes(path.read_bytes())["Subject"] == subject
    ]


def wait_for_status(row: OutboundEmail, status: str, workers, timeout: float = 30):
    def reached():
        for worker in workers:
            worker.check_running()
        row.refresh_from_db()
        return row.status == status

    wait_until(
        reached,
        timeout=timeout,
        message=lambda: (
            f"The email is still {row.status!r}, not {status!r}. Worker logs:\n"
            + "\n".join(worker.log() for worker in workers)
        ),
    )


def test_an_email_asked_for_while_the_broker_is_down_is_sent_once_it_is_back(broker, start_workers):
    broker.stop()

    started = time.monotonic()
    row = ask_for_email("Your nomination has been received")
    publish_seconds = time.monotonic() - started

    row.refresh_from_db()
    assert row.status == QUEUED
    assert row.attempts == 0

    broker.start()
    # The broker holds no message for it: only the row remembers the email.
    assert current_app.control.purge() == 0
    counts = sweep(now=timezone.now() + OutboundEmail.requeue_after + timedelta(seconds=1))
    assert counts[OutboundEmail._meta.label] == 1
    (worker,) = start_workers()

    wait_for_status(row, SENT, [worker])
    assert row.attempts == 1
    assert row.sent_at is not None
    assert len(emails_written("Your nomination has been received")) == 1
    assert len(list(Path(settings.EMAIL_FILE_PATH).glob("*.eml"))) == 1
    # Checked last so that the outcome above is reported even when this fails.
    assert publish_seconds < PUBLISH_WITH_BROKER_DOWN_MAX_SECONDS, (
        f"Queuing an email with the {broker.kind} broker down took {publish_seconds:.1f} s; "
        "the publish should fail at once and leave the row to the sweeper"
    )


def test_a_message_delivered_three_times_sends_the_email_once(broker, start_workers):
    # Two workers, so copies of the message can reach the row at the same time.
    workers = start_workers(2)

    row = ask_for_email("Thank you for volunteering")
    # The same message twice more, as a redelivery or a second sweep would bring it.
    for _ in range(2):
        current_app.send_task(OutboundEmail.task_name, args=[row.pk], retry=False)

    def outcomes() -> list[str]:
        return [o for worker in workers for o in worker.task_outcomes(OutboundEmail.task_name)]

    wait_until(
        lambda: len(outcomes()) >= 3,
        timeout=30,
        message=lambda: (
            "The workers did not run the task three times:\n"
            + "\n".join(worker.log() for worker in workers)
        ),
    )
    assert outcomes() == ["succeeded"] * 3
    row.refresh_from_db()
    assert row.status == SENT
    assert row.attempts == 1
    assert len(emails_written("Thank you for volunteering")) == 1


def test_an_email_a_dead_worker_was_sending_is_sent_again_once(broker, start_workers):
    assert OutboundEmail.stale_sending == QUEUED, "an email is sent again, not left for a person"
    row = ask_for_email("Your story has been published")
    # A worker took the message, claimed the row and died before sending: the
    # message is gone from the queue and the row says `sending` since long ago.
    assert current_app.control.purge() == 1
    died_at = timezone.now() - OutboundEmail.stale_after - timedelta(minutes=1)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=SENDING, attempts=1, status_changed_at=died_at
    )

    now = timezone.now()
    sweep(now=now)
    row.refresh_from_db()
    assert row.status == QUEUED
    assert row.last_error == "The worker stopped while this was being sent."

    (worker,) = start_workers()
    sweep(now=now + OutboundEmail.requeue_after + timedelta(seconds=1))
    wait_for_status(row, SENT, [worker])
    assert row.attempts == 2
    assert row.last_error == ""
    assert len(emails_written("Your story has been published")) == 1
