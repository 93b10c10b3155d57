"""The outbox: every email is a row first, sent once by the worker, failures kept for staff."""

import email
import email.policy
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from council import outgoing
from council.mail import EmlFileBackend
from council.models import OutboundEmail
from council.services import EMAIL_MAX_ATTEMPTS, email_queue, email_send
from tests.council.mailbox import attachments_received

pytestmark = pytest.mark.django_db


class RefusingBackend(EmlFileBackend):
    """A provider that refuses the message outright."""

    def send_messages(self, messages):
        raise ValueError("The recipient address is not valid")


class UnreachableBackend(EmlFileBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def queue_one(**overrides):
    fields = {
        "to": ["hero@example.org"],
        "subject": "Thank you",
        "body_text": "From the Mayor",
    } | overrides
    return email_queue(**fields)


def test_an_email_is_a_queued_row_and_its_task_is_published_only_on_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        queued = queue_one()
    assert queued.status == OutboundEmail.Status.QUEUED
    assert len(callbacks) == 1
    assert len(mail.outbox) == 0


def test_sending_delivers_once_and_records_it():
    queued = queue_one()
    email_send(email_id=queued.pk)
    email_send(email_id=queued.pk)  # a redelivered message
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT
    assert queued.attempts == 1
    assert queued.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hero@example.org"]
    assert mail.outbox[0].metadata["outbound_email_id"] == str(queued.pk)


def test_a_refused_email_fails_with_the_reason_and_is_not_retried(settings):
    settings.EMAIL_BACKEND = "tests.council.test_outbox.RefusingBackend"
    queued = queue_one()
    email_send(email_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.FAILED
    assert queued.last_error == "ValueError: The recipient address is not valid"


def test_an_unreachable_provider_is_tried_again_each_wait_about_twice_the_last_then_fails(
    settings, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.council.test_outbox.UnreachableBackend"
    published = []
    monkeypatch.setattr(outgoing, "_publish", lambda model, pk: published.append(pk) or True)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        queued = queue_one()
        waits = []
        for attempt in range(1, EMAIL_MAX_ATTEMPTS):
            email_send(email_id=queued.pk)
            queued.refresh_from_db()
            assert queued.status == OutboundEmail.Status.QUEUED
            assert queued.attempts == attempt
            assert queued.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
            wait = queued.next_attempt_at - timezone.now()
            waits.append(wait)
            doubled = min(timedelta(minutes=2 ** (attempt - 1)), timedelta(hours=1))
            assert doubled / 2 <= wait <= doubled, f"try {attempt} waits {wait}"

            # Not yet due: a stray message does nothing, and the sweeper leaves it be.
            clock.shift(wait - timedelta(seconds=1))
            assert email_send(email_id=queued.pk) is None
            published.clear()
            outgoing.sweep()
            assert published == []
            # Due: the sweeper publishes it, and the worker takes it whatever its clock says.
            clock.shift(timedelta(seconds=1))
            outgoing.sweep()
            assert published == [queued.pk]
        email_send(email_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.FAILED
    assert queued.attempts == EMAIL_MAX_ATTEMPTS == 8
    assert queued.last_error == (
        "Not sent after 8 tries. The last answer was: "
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    # About two hours of trying in all (1 + 2 + 4 + 8 + 16 + 32 + 60 minutes, less jitter).
    assert timedelta(minutes=61) <= sum(waits, timedelta()) <= timedelta(minutes=123)
    assert len(mail.outbox) == 0


class FixedJitter:
    def __init__(self, fraction):
        self.fraction = fraction

    def uniform(self, low, high):
        assert (low, high) == (0.5, 1.0)
        return self.fraction


@pytest.mark.parametrize(
    ("attempts", "longest"),
    [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (12, 60)],
)
def test_each_wait_doubles_with_jitter_and_is_capped_at_an_hour(attempts, longest):
    longest = timedelta(minutes=longest)
    assert outgoing.retry_wait(OutboundEmail, attempts, rng=FixedJitter(1.0)) == longest
    assert outgoing.retry_wait(OutboundEmail, attempts, rng=FixedJitter(0.5)) == longest / 2


def test_line_breaks_cannot_inject_headers():
    queued = queue_one(
        subject="Thanks\r\nBcc: everyone@example.org", to=["hero@example.org\nCc: x@example.org"]
    )
    assert queued.subject == "Thanks Bcc: everyone@example.org"
    email_send(email_id=queued.pk)
    sent = mail.outbox[0].message()
    assert sent["Bcc"] is None and sent["Cc"] is None


def test_without_a_provider_each_email_is_an_eml_file(settings, tmp_path):
    settings.EMAIL_BACKEND = "council.mail.EmlFileBackend"
    queued = queue_one(subject="Your nomination", body_text="Please confirm it.")
    email_send(email_id=queued.pk)
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["Subject"] == "Your nomination"
    assert message["To"] == "hero@example.org"


def test_the_sweeper_republishes_rows_stuck_in_queued(monkeypatch):
    published = []
    monkeypatch.setattr(
        outgoing, "_publish", lambda model, pk: published.append((model, pk)) or True
    )
    fresh = queue_one()
    stuck = queue_one()
    OutboundEmail.objects.filter(pk=stuck.pk).update(
        status_changed_at=timezone.now() - timedelta(minutes=10)
    )

    outgoing.sweep()
    assert published == [(OutboundEmail, stuck.pk)]
    # It waits a full interval before the next try.
    published.clear()
    outgoing.sweep()
    assert published == []
    assert fresh.pk not in [pk for _model, pk in published]


def test_the_sweeper_settles_rows_a_dead_worker_left_sending(monkeypatch):
    monkeypatch.setattr(outgoing, "_publish", lambda model, pk: True)
    queued = queue_one()
    OutboundEmail.objects.filter(pk=queued.pk).update(
        status=OutboundEmail.Status.SENDING,
        status_changed_at=timezone.now() - OutboundEmail.stale_after - timedelta(minutes=1),
    )
    outgoing.sweep()
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.stale_sending == OutboundEmail.Status.QUEUED
    assert queued.last_error == "The worker stopped while this was being sent."
    email_send(email_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT


def test_a_broker_that_refuses_the_message_loses_nothing(
    monkeypatch, django_capture_on_commit_callbacks
):
    from celery import current_app

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_one()
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.QUEUED


def test_attachments_kept_in_storage_go_with_the_email():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    path = default_storage.save("letters/letter.pdf", ContentFile(b"%PDF-1.7 the letter"))
    queued = queue_one(
        attachments=[
            {"path": path, "filename": "Letter from the Mayor.pdf", "mimetype": "application/pdf"}
        ]
    )
    email_send(email_id=queued.pk)
    (attachment,) = attachments_received(mail.outbox[0])
    assert attachment == ("Letter from the Mayor.pdf", b"%PDF-1.7 the letter", "application/pdf")


class FlakyBackend(EmlFileBackend):
    """A provider that fails twice with a passing fault, then takes the message."""

    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_provider_failing_twice_then_succeeding_sends_once(settings, tmp_path):
    settings.EMAIL_BACKEND = "tests.council.test_outbox.FlakyBackend"
    FlakyBackend.calls = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        queued = queue_one(subject="Third time lucky")
        for _ in range(3):
            email_send(email_id=queued.pk)
            queued.refresh_from_db()
            if queued.next_attempt_at:
                clock.move_to(queued.next_attempt_at)  # the sweeper publishes it when due
        email_send(email_id=queued.pk)  # a late copy of the message changes nothing
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT and queued.attempts == 3
    assert queued.last_error == "" and queued.next_attempt_at is None
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


class CountingBackend(EmlFileBackend):
    """A provider that counts its connections, and is out of reach for one address."""

    opened = 0
    unreachable_for = "busy@example.org"

    def open(self):
        CountingBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        if any(self.unreachable_for in message.to for message in messages):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_many_emails_go_over_one_connection_each_with_its_own_outcome(settings, tmp_path):
    from council.models import EmailSuppression
    from council.services import emails_send

    settings.EMAIL_BACKEND = "tests.council.test_outbox.CountingBackend"
    CountingBackend.opened = 0
    EmailSuppression.objects.create(address="bounced@example.org", reason="bounce")
    good = [queue_one(to=[f"hero{n}@example.org"]) for n in range(3)]
    stopped = queue_one(to=["Bounced@example.org"])
    busy = queue_one(to=["busy@example.org"])
    already = queue_one(to=["done@example.org"])
    email_send(email_id=already.pk)
    later = queue_one(to=["later@example.org"])
    OutboundEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    ids = [email.pk for email in [*good, stopped, busy, already, later]]
    CountingBackend.opened = 0
    claimed = emails_send(email_ids=ids)

    assert CountingBackend.opened == 1
    assert [email.pk for email in claimed] == [email.pk for email in [*good, stopped, busy]]
    status = dict(OutboundEmail.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [status[email.pk] for email in good] == ["sent"] * 3
    stopped.refresh_from_db()
    assert stopped.status == "failed" and "asked not to be emailed" in stopped.last_error
    busy.refresh_from_db()  # a passing fault: back in the queue for a later try, alone
    assert busy.status == "queued" and busy.next_attempt_at > timezone.now()
    assert status[later.pk] == "queued"  # not due yet: left alone
    sent_to = [
        email.message_from_bytes(path.read_bytes())["To"]
        for path in (tmp_path / "mail").glob("*.eml")
    ]
    assert sorted(sent_to) == ["done@example.org"] + [f"hero{n}@example.org" for n in range(3)]

    emails_send(email_ids=ids)  # the same message again changes nothing
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 4


class CommitSettingBackend(EmlFileBackend):
    """A provider that notes how the database commits while each email is handed over."""

    seen: list[str] = []

    def send_messages(self, messages):
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                CommitSettingBackend.seen.append(cursor.fetchone()[0])
        else:
            CommitSettingBackend.seen.append(connection.vendor)
        return super().send_messages(messages)


def test_a_batch_records_its_emails_without_waiting_for_the_disk_and_puts_that_back(settings):
    from django.db import connection

    from council.services import emails_send

    settings.EMAIL_BACKEND = "tests.council.test_outbox.CommitSettingBackend"
    CommitSettingBackend.seen = []
    ids = [queue_one(to=[f"hero{n}@example.org"]).pk for n in range(3)]
    emails_send(email_ids=ids)
    assert OutboundEmail.objects.filter(pk__in=ids, status="sent").count() == 3
    if connection.vendor == "postgresql":
        # Only a crash of the server itself could lose a record made with it off (see
        # outgoing.records_without_waiting_for_disk); afterwards the connection is as it was.
        assert CommitSettingBackend.seen == ["off"] * 3
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    else:
        assert CommitSettingBackend.seen == [connection.vendor] * 3  # SQLite: nothing changes


def test_rows_queued_together_are_published_fifty_to_a_message(
    django_capture_on_commit_callbacks, monkeypatch
):
    from celery import current_app

    with django_capture_on_commit_callbacks():  # their own publishing is not run
        emails = [queue_one(to=[f"n{n}@example.org"]) for n in range(120)]
    messages = []

    def send_task(name, args, **kwargs):
        if len(messages) == 2:
            raise ConnectionError("The broker went away")
        messages.append((name, args[0]))

    monkeypatch.setattr(current_app, "send_task", send_task)
    assert outgoing.publish_many(OutboundEmail, [e.pk for e in emails]) == 100
    assert [(name, len(ids)) for name, ids in messages] == [("council.tasks.emails_send", 50)] * 2
    assert messages[0][1] == [e.pk for e in emails[:50]]
    # The twenty the broker would not take are still queued rows: the sweeper sends them.
    assert OutboundEmail.objects.filter(status="queued").count() == 120


def test_email_tasks_have_their_own_queue_which_every_worker_takes_from():
    from pathlib import Path

    from config.celery import app

    queues = {queue.name for queue in app.conf.task_queues}
    assert queues == {"celery", "email"}
    # Each bound by its own key, so a message lands in one queue, never both.
    keys = {queue.name: queue.routing_key for queue in app.conf.task_queues}
    assert keys == {"celery": "celery", "email": "email"}
    router = app.amqp.router
    for name in (
        "council.tasks.email_send",
        "council.tasks.emails_send",
        "nominations.tasks.file_received",
    ):
        route = router.route({}, name)
        assert (route["queue"].name, route["queue"].routing_key) == ("email", "email")
    route = router.route({}, "recognition.tasks.letters_send")
    assert (route["queue"].name, route["queue"].routing_key) == ("celery", "celery")
    # A worker started as the Procfile and compose file start it takes both queues.
    root = Path(__file__).resolve().parents[2]
    for path in ("Procfile", "docker-compose.yml"):
        text = (root / path).read_text()
        assert "worker" in text
        assert not any(flag in text.split() for flag in ("-Q", "--queues", '"-Q",'))


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks(monkeypatch):
    import time

    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun, task_prerun
    from django.db import connection

    from config.celery import app
    from council.tasks import emails_send as task

    # What a worker does around each task it runs: Celery's Django fix-up and our
    # signal handlers, for a task that is not run eagerly.
    fixup = DjangoWorkerFixup(app)
    assert not task.request.is_eager

    def run_one_task():
        fixup.on_task_prerun(sender=task)
        task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
        OutboundEmail.objects.count()
        fixup.on_task_postrun(sender=task)
        task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={})

    run_one_task()
    opened = connection.connection
    assert opened is not None
    # As if just opened: the suite's connection may be older than CONN_MAX_AGE,
    # and an old connection is rightly closed before the next task.
    connection.close_at = time.monotonic() + 3600
    closes = []
    close = connection.close
    monkeypatch.setattr(connection, "close", lambda: closes.append(1) or close())
    for _ in range(20):
        run_one_task()
    # The same connection, not a new one per task (Django ignores closing
    # SQLite's in-memory test database, hence counting the calls too).
    assert connection.connection is opened
    assert closes == []


def test_an_attachment_arrives_byte_for_byte_with_its_name(settings, tmp_path):
    import base64
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.EMAIL_BACKEND = "council.mail.EmlFileBackend"
    content = b"%PDF-1.7\n" + os.urandom(40_001)  # not a whole number of base64 lines
    path = default_storage.save("letters/letter.pdf", ContentFile(content))
    queued = queue_one(
        attachments=[
            {"path": path, "filename": "Letter for Zoë Ó Sé.pdf", "mimetype": "application/pdf"}
        ]
    )
    email_send(email_id=queued.pk)
    (eml,) = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    (part,) = parsed.iter_attachments()
    assert part.get_filename() == "Letter for Zoë Ó Sé.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_payload(decode=True) == content
    # Lines as the standard library's own encoder cuts them.
    assert part.get_payload().replace("\r\n", "\n") == base64.encodebytes(content).decode()


def test_an_email_provider_through_anymail_gets_the_attachment_as_it_was(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    content = b"%PDF-1.7 the letter, " * 500
    path = default_storage.save("letters/letter.pdf", ContentFile(content))
    queued = queue_one(
        attachments=[
            {"path": path, "filename": "Letter from the Mayor.pdf", "mimetype": "application/pdf"}
        ]
    )
    email_send(email_id=queued.pk)
    (attachment,) = mail.outbox[0].anymail_test_params["attachments"]
    assert (attachment.name, attachment.content, attachment.mimetype) == (
        "Letter from the Mayor.pdf",
        content,
        "application/pdf",
    )
