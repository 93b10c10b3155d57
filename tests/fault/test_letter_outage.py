"""Letters released while the broker is down are all emailed once it is back, each exactly once."""

import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from council.models import OutboundEmail
from council.outgoing import OutgoingWork, sweep
from recognition import services
from recognition.models import Letter
from tests.fault.broker import wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def test_letters_released_during_an_outage_are_each_emailed_once(broker, start_workers):
    call_command("load_demo", stdout=io.StringIO())
    current_app.control.purge()  # the demo's own emails: their rows stay queued for the sweeper
    broker.stop()
    started = time.monotonic()
    counts = services.letters_release(actor=None)
    assert time.monotonic() - started < 5, "releasing must not wait on a broker that is down"
    assert counts["email"] == 3
    assert set(
        Letter.objects.filter(route=Letter.Route.EMAIL).values_list("status", flat=True)
    ) == {OutgoingWork.Status.QUEUED}

    broker.start()
    assert current_app.control.purge() == 0  # only the database remembers the letters
    (worker,) = start_workers()
    later = timezone.now() + timedelta(minutes=3)
    sweep(now=later)  # the letters
    sweep(now=later)  # a second sweep must not double anything

    def all_sent():
        worker.check_running()
        sweep(now=timezone.now() + timedelta(minutes=3))  # the emails the letters queued
        emailed = Letter.objects.filter(
            route=Letter.Route.EMAIL, stage=Letter.Stage.EMAILED
        ).count()
        sent = OutboundEmail.objects.filter(
            tags__isnull=False,
            subject="A letter of thanks from the Mayor",
            status=OutgoingWork.Status.SENT,
        ).count()
        return emailed == 3 and sent == 3

    wait_until(
        all_sent, timeout=60, message=lambda: f"Letters not all sent. Worker log:\n{worker.log()}"
    )
    time.sleep(1)  # let any duplicate message reach the worker too
    assert OutboundEmail.objects.filter(subject="A letter of thanks from the Mayor").count() == 3
    files = list(Path(settings.EMAIL_FILE_PATH).glob("*.eml"))
    letters_sent = [
        path for path in files if b"A letter of thanks from the Mayor" in path.read_bytes()
    ]
    assert len(letters_sent) == 3
    assert all(letter.attempts == 1 for letter in Letter.objects.filter(route=Letter.Route.EMAIL))
