"""A resident nominates while the broker is down: the confirmation email still goes, once."""

import time
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from council.models import OutboundEmail
from council.outgoing import OutgoingWork, sweep
from nominations.models import Nomination, NominationReceipt
from nominations.tasks import file_received
from tests.council.factories import AreaFactory
from tests.fault.broker import wait_until
from tests.fault.test_outbox import emails_written, wait_for_status
from tests.nominations.factories import CampaignFactory, CategoryFactory
from tests.nominations.test_journey import walk

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answered(client):
    """A resident who has answered every question and is on the check page."""
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Good neighbour")
    walk(client, campaign, AreaFactory(name="Westoe"))


def test_a_nomination_sent_while_the_broker_is_down_is_confirmed_by_email_once_it_is_back(
    client, answered, broker, start_workers
):
    broker.stop()

    started = time.monotonic()
    response = client.post("/nominate/check/")
    seconds = time.monotonic() - started
    assert response.status_code == 302 and response["Location"] == "/nominate/sent/"
    assert "Check your email" in client.get("/nominate/sent/").content.decode()
    # The form saved one row and asked nothing of the broker.
    receipt = NominationReceipt.objects.get()
    assert not Nomination.objects.exists()

    # While the broker is still down the worker files it (a run already under way);
    # the email it makes cannot be queued, so only its row says it must go.
    file_received()
    nomination = Nomination.objects.get(reference=receipt.reference)
    email = OutboundEmail.objects.get(to=["jo@example.net"])
    assert email.status == OutgoingWork.Status.QUEUED

    broker.start()
    assert current_app.control.purge() == 0  # only the database remembers the email
    # Beat's next two runs: the receipt is filed already, so they add nothing.
    current_app.send_task("nominations.tasks.file_received")
    current_app.send_task("nominations.tasks.file_received")
    sweep(now=timezone.now() + OutboundEmail.requeue_after + timedelta(seconds=1))
    sweep(
        now=timezone.now() + OutboundEmail.requeue_after + timedelta(seconds=1)
    )  # a second sweep must not double it
    (worker,) = start_workers()
    wait_for_status(email, OutgoingWork.Status.SENT, [worker])
    wait_until(
        lambda: (
            worker.task_outcomes("nominations.tasks.file_received") == ["succeeded", "succeeded"]
        ),
        timeout=30,
        message=worker.log,
    )
    time.sleep(1)  # let any duplicate message reach the worker too
    assert email.attempts == 1
    assert Nomination.objects.count() == 1 and OutboundEmail.objects.count() == 1
    assert len(emails_written(f"Confirm your nomination of {nomination.nominee_name}")) == 1
    assert seconds < 3, f"Sending the nomination took {seconds:.1f} s with the broker down"


def test_beat_files_a_nomination_sent_while_the_broker_was_down_once_it_is_back(
    client, answered, broker, start_workers
):
    broker.stop()
    assert client.post("/nominate/check/")["Location"] == "/nominate/sent/"
    broker.start()
    # What beat publishes every few seconds, the worker runs: filing, then the email.
    current_app.send_task("nominations.tasks.file_received")
    (worker,) = start_workers()
    wait_until(
        lambda: OutboundEmail.objects.filter(status=OutgoingWork.Status.SENT).exists(),
        timeout=30,
        message=worker.log,
    )
    nomination = Nomination.objects.get()
    assert nomination.reference == NominationReceipt.objects.get().reference
    assert len(emails_written(f"Confirm your nomination of {nomination.nominee_name}")) == 1
