"""The worker is killed (SIGKILL) in the middle of emailing 200 letters: each is still emailed once.

DESIGN.md § 4 and issue 5: tasks lock the letter row, check its status and move
it forward; the email is created in the same transaction that marks the letter
sent; late acknowledgement and the beat sweeper bring back what a dead worker
left. A real worker sends released letters; the test freezes it (SIGSTOP) at a
moment when it is making a letter, not handing an email to the provider, and
kills it there (SIGKILL). The one window no system can close is between the
provider taking an email and the row saying so (the email is then sent again:
a second copy beats none, council.outgoing); the test kills outside it, so
"exactly once" is what must hold. A new worker then finishes the job, and the
test counts the messages: one .eml file per nominee and one outbox row per letter.
"""

import email
import os
import signal
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from council import services as council
from council.models import CivicYear, CouncilSettings, OutboundEmail
from council.outgoing import OutgoingWork, sweep
from nominations.models import Campaign, Category, Nomination, Nominee
from nominations.services import _new_reference, _nominee_fields
from recognition import demo as letter_templates
from recognition import services
from recognition.models import Letter
from tests.fault.broker import wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

LETTERS = 200
SUBJECT = "A letter of thanks from the Mayor"
SENT, SENDING = OutgoingWork.Status.SENT, OutgoingWork.Status.SENDING


def released_letters(count: int) -> list[int]:
    """`count` approved nominees with an email address each, their letters released."""
    CouncilSettings.load()
    council.council_settings_update(
        actor=None,
        data={"name": "South Riverside Council", "postal_address": "Town Hall\nNE00 0AA"},
    )
    today = timezone.localdate()
    council.civic_year_save(
        actor=None,
        civic_year=CivicYear(
            starts_on=today - timedelta(days=10),
            ends_on=date(today.year + 1, today.month, 1),
            mayor_name="Councillor Pat Okafor",
            mayor_title="Mayor of South Riverside",
        ),
    )
    letter_templates.load()
    now = timezone.now()
    campaign = Campaign.objects.create(
        name="Proud to Support",
        slug="proud",
        intro="Nominate",
        thank_you_text="Thanks",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
    )
    category = Category.objects.create(campaign=campaign, name="Good neighbour")
    nominees = Nominee.objects.bulk_create(
        Nominee(
            **_nominee_fields(
                {
                    "nominee_kind": "person",
                    "nominee_name": f"Neighbour Number{n}",
                    "nominee_email": f"neighbour-{n}@example.org",
                }
            )
        )
        for n in range(count)
    )
    Nomination.objects.bulk_create(
        Nomination(
            reference=_new_reference(),
            campaign=campaign,
            category=category,
            nominee=nominee,
            status=Nomination.Status.APPROVED,
            source=Nomination.Source.STAFF,
            nominee_kind="person",
            nominee_name=nominee.name,
            nominee_email=nominee.email,
            reason="Shovelled the snow from every path on the street.",
            nominator_name="Pat",
            nominator_email="pat@example.org",
            nominator_relationship="Neighbour",
            confirmed_at=now,
            decided_at=now,
        )
        for nominee in nominees
    )
    assert services.letters_create_for_approved(limit=count) == count
    counts = services.letters_release(actor=None)  # each letter's task is published on commit
    assert counts == {"email": count, "post": 0}
    return list(Letter.objects.values_list("pk", flat=True))


def letters_emailed() -> int:
    return Letter.objects.filter(stage=Letter.Stage.EMAILED, status=SENT).count()


def freeze_while_making_a_letter(worker) -> int:
    """SIGSTOP the worker at a moment when it is making a letter and sending no email.

    Returns the id of the letter it was making. While it is stopped its
    committed work is what the database shows: a letter in `sending` is one
    it claimed and has not finished; an email in `sending` would mean it is
    inside the provider call, and then it is let go on and tried a moment later.
    """
    pid = worker.process.pid
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        worker.check_running()
        if letters_emailed() >= LETTERS - 20:
            break
        os.kill(pid, signal.SIGSTOP)
        try:
            making = list(Letter.objects.filter(status=SENDING).values_list("pk", flat=True))
            handing_over = OutboundEmail.objects.filter(status=SENDING).exists()
        except OperationalError:  # a lock the stopped worker holds: look again in a moment
            making, handing_over = [], True
        if len(making) == 1 and not handing_over:
            return making[0]
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError(f"The worker was never caught making a letter:\n{worker.log()}")


def emails_on_disk() -> Counter:
    """How many .eml files in var/mail/ carry the Mayor's letter, by recipient."""
    counts = Counter()
    for path in Path(settings.EMAIL_FILE_PATH).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        if message["Subject"] == SUBJECT:
            counts[message["To"]] += 1
    return counts


def test_a_worker_killed_mid_batch_leaves_every_letter_emailed_exactly_once(broker, start_workers):
    started = time.monotonic()
    with transaction.atomic():
        letter_ids = released_letters(LETTERS)
    (first,) = start_workers()
    wait_until(
        lambda: first.check_running() or letters_emailed() >= 50,
        timeout=60,
        message=lambda: f"The worker emailed nothing:\n{first.log()}",
    )
    killed = freeze_while_making_a_letter(first)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    emailed_before = letters_emailed()
    assert 50 <= emailed_before < LETTERS
    assert Letter.objects.get(pk=killed).status == SENDING

    # The beat sweeper, twenty minutes on: the letter the dead worker left in
    # `sending` is queued again (its email was never made), then published.
    later = timezone.now() + Letter.stale_after + timedelta(minutes=1)
    sweep(now=later)
    assert Letter.objects.get(pk=killed).status == OutgoingWork.Status.QUEUED
    sweep(now=later + Letter.requeue_after + timedelta(seconds=1))

    (second,) = start_workers()

    def all_emailed() -> bool:
        second.check_running()
        sweep()  # as beat does, every minute
        done = OutboundEmail.objects.filter(subject=SUBJECT, status=SENT).count()
        return letters_emailed() == LETTERS and done == LETTERS

    wait_until(
        all_emailed,
        timeout=90,
        interval=0.5,
        message=lambda: (
            f"{letters_emailed()} of {LETTERS} letters emailed. Worker log:\n{second.log()}"
        ),
    )
    # The killed letter's message comes back too (Redis redelivers an unacknowledged
    # message once its visibility timeout has passed): it must change nothing.
    killed_letter = Letter.objects.get(pk=killed)
    again = [
        current_app.send_task(Letter.task_name, args=[killed], retry=False).id,
        current_app.send_task(
            OutboundEmail.task_name, args=[killed_letter.outbound_email_id], retry=False
        ).id,
    ]
    wait_until(
        lambda: all(f"[{task_id}] succeeded" in second.log() for task_id in again),
        timeout=30,
        message=lambda: f"The repeated messages were not taken:\n{second.log()}",
    )

    rows = Counter(
        str(letter_id)  # SQLite gives the JSON value back as a number
        for letter_id in OutboundEmail.objects.filter(subject=SUBJECT).values_list(
            "metadata__letter_id", flat=True
        )
    )
    assert len(rows) == LETTERS and set(rows.values()) == {1}, "one outbox row per letter"
    assert set(rows) == {str(pk) for pk in letter_ids}
    on_disk = emails_on_disk()
    assert len(on_disk) == LETTERS and set(on_disk.values()) == {1}, "one email per nominee"
    killed_letter.refresh_from_db()
    assert killed_letter.attempts == 2  # claimed by the dead worker, then once more
    assert on_disk[killed_letter.email_to] == 1
    assert time.monotonic() - started < 120
