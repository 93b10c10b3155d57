"""The Mayor's letter for a nominee who has died goes to their family, by email or by post."""

import csv
import io

import pdfplumber
import pytest
from django.core import mail
from django.core.management import call_command

from council.models import AuditLogEntry
from council.services import email_send
from nominations import services as nominations
from nominations.models import Nominee
from recognition import services
from recognition.letters import letter_content
from recognition.models import Letter
from tests.council.mailbox import attachments_received
from tests.recognition.test_print_batches import build

pytestmark = pytest.mark.django_db

HARBOUR_VIEW = {"address_line_1": "2 Harbour View", "town": "South Shields", "postcode": "NE33 1AA"}


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def maureen(db, settings):
    """The demo's Maureen (emailed, approved, letter waiting for release), now known to have died."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", stdout=io.StringIO())
    nominee = Nominee.objects.get(name="Maureen Clarke")
    nominations.nominee_mark_died(nominee=nominee, has_died=True, actor=None)
    return Nominee.objects.get(pk=nominee.pk)


def test_marking_a_death_stops_the_email_to_the_nominees_own_address(maureen):
    letter = Letter.objects.get(nominee=maureen)
    assert (letter.route, letter.email_to, letter.address_problem) == (Letter.Route.POST, "", "")
    # Until staff add the family's details, it is posted to her family at her own address.
    assert letter_content(nominee_id=maureen.pk).address_lines == [
        "The family of Maureen Clarke",
        "1 Demo Street",
        "SOUTH RIVERSIDE",
        "NE34 6AB",
    ]
    entry = AuditLogEntry.objects.get(action="recognition.letter.rerouted")
    assert entry.data == {"route": {"before": "email", "after": "post"}}


def test_the_letter_is_emailed_to_the_family(maureen):
    nominations.nominee_family_contact_set(
        nominee=maureen, name="Jean Clarke", email="jean@example.net", actor=None
    )
    letter = Letter.objects.get(nominee=maureen)
    assert (letter.route, letter.email_to, letter.address_problem) == (
        "email",
        "jean@example.net",
        "",
    )

    services.letters_release(actor=None)
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    email_send(email_id=letter.outbound_email_id)
    (sent,) = mail.outbox
    assert sent.to == ["jean@example.net"]
    assert sent.body.startswith(
        "Hello Jean Clarke,\n\nThe Mayor has written to you about Maureen Clarke, "
        "to say thank you for all they did."
    )
    ((_filename, pdf, _mimetype),) = attachments_received(sent)
    words = text_of(pdf)
    assert "Dear family of Maureen Clarke" in words and "deepest sympathy" in words


def test_the_letter_is_posted_to_the_familys_address_not_the_nominees(maureen):
    nominations.nominee_family_contact_set(
        nominee=maureen, name="Jean Clarke", actor=None, **HARBOUR_VIEW
    )
    letter = Letter.objects.get(nominee=maureen)
    assert (letter.route, letter.address_problem) == ("post", "")
    services.letters_release(actor=None)
    batch = services.print_batch_create(actor=None)
    build(batch)
    batch.refresh_from_db()
    words = text_of(batch.pdf.open("rb").read())
    assert "Dear family of Maureen Clarke" in words
    assert "Jean Clarke" in words and "2 Harbour View\nSOUTH SHIELDS\nNE33 1AA" in words
    rows = list(csv.reader(io.StringIO(batch.addresses.open("rb").read().decode())))
    (row,) = [row for row in rows if row[0] == str(letter.pk)]
    assert row[3:7] == ["Jean Clarke", "2 Harbour View", "SOUTH SHIELDS", "NE33 1AA"]


def test_a_released_letter_waiting_for_print_is_emailed_once_the_family_email_is_known(maureen):
    nominations.nominee_family_contact_set(
        nominee=maureen, name="Jean Clarke", actor=None, **HARBOUR_VIEW
    )
    services.letters_release(actor=None)
    letter = Letter.objects.get(nominee=maureen)
    assert letter.stage == Letter.Stage.FOR_PRINT
    nominations.nominee_family_contact_set(
        nominee=maureen, name="Jean Clarke", email="jean@example.net", actor=None, **HARBOUR_VIEW
    )
    letter.refresh_from_db()
    assert (letter.stage, letter.status, letter.email_to) == (
        Letter.Stage.EMAIL_QUEUED,
        Letter.Status.QUEUED,
        "jean@example.net",
    )
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.EMAILED
