"""Large print, asked for by the nominee on their own page or by the Mayor's office, and kept."""

import io
import re

import pdfplumber
import pytest
from django.core import mail
from django.core.management import call_command

from council.models import AuditLogEntry, OutboundEmail
from council.roles import Role
from council.services import email_send
from nominations.models import Nominee
from recognition import services
from recognition.models import Letter, PrintBatchPart
from tests.council.factories import StaffFactory
from tests.council.mailbox import attachments_received
from tests.recognition.test_print_batches import build, posted_letters  # noqa: F401

pytestmark = pytest.mark.django_db

BODY_TOP_PT = 95 * 72 / 25.4  # the body starts 95 mm down the first page


def body_sizes(pdf: bytes) -> list[set[float]]:
    """The text sizes of each page's body (below the address and the sender's column)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            {
                round(char["size"], 1)
                for char in page.chars
                if char["top"] > BODY_TOP_PT and char["text"].strip()
            }
            for page in document.pages
        ]


def text_of(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


@pytest.fixture
def demo(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", stdout=io.StringIO())


def own_page(nominee: Nominee) -> str:
    body = (
        OutboundEmail.objects.filter(to=[nominee.email], subject__startswith="You have been")
        .latest("pk")
        .body_text
    )
    return "/nominee/{}/".format(re.search(r"/consent/([^\s/]+)/", body).group(1))


def test_a_nominee_asks_for_large_print_and_the_email_carries_the_large_print_pdf(client, demo):
    maureen = Nominee.objects.get(name="Maureen Clarke")
    page = own_page(maureen)
    assert "Would you like your letter in large print?" in client.get(page).content.decode()

    response = client.post(f"{page}large-print/", {"large_print": "yes"}, follow=True)
    shown = response.content.decode()
    assert "Thank you. The letter will be emailed in large print." in shown
    assert "You have asked for the letter in large print." in shown
    letter = Letter.objects.get(nominee=maureen)
    assert letter.large_print
    entry = AuditLogEntry.objects.get(action="recognition.letter.large_print_asked")
    assert entry.data == {"by": "nominee"} and entry.object_id == str(letter.pk)

    services.letters_release(actor=None)
    services.letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    email_send(email_id=letter.outbound_email_id)
    (sent,) = [message for message in mail.outbox if message.to == [maureen.email]]
    ((filename, pdf, mimetype),) = attachments_received(sent)
    assert filename == "Letter from the Mayor (large print).pdf"
    assert "attached as a PDF in large print, as you asked" in sent.body
    assert min(body_sizes(pdf)[0]) >= 16
    assert "Dear Maureen" in text_of(pdf)[0]

    # Her page offers both sizes: the large print she was sent, and standard print.
    large = client.get(f"{page}letter.pdf?large=1").content
    standard = client.get(f"{page}letter.pdf").content
    assert large == pdf
    assert body_sizes(standard)[0] == {12.0}


def test_asking_after_the_letter_was_sent_says_so(client, demo):
    maureen = Nominee.objects.get(name="Maureen Clarke")
    services.letters_release(actor=None)
    letter = Letter.objects.get(nominee=maureen)
    services.letter_send(letter_id=letter.pk)
    response = client.post(f"{own_page(maureen)}large-print/", {"large_print": "yes"}, follow=True)
    assert (
        "The letter has already been sent, so it stays as it was; it can be downloaded in "
        "large print below." in response.content.decode()
    )
    letter.refresh_from_db()
    assert letter.large_print and not letter.pdf_large_print


def test_no_answer_gets_a_message_beside_the_question(client, demo):
    page = own_page(Nominee.objects.get(name="Maureen Clarke"))
    shown = client.post(f"{page}large-print/", {}).content.decode()
    assert "There is a problem" in shown
    assert shown.count("Select yes if you would like your letter in large print") == 2
    assert not Letter.objects.filter(large_print=True).exists()


def test_the_mayors_office_records_large_print_and_the_batch_prints_it(client, posted_letters):  # noqa: F811
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    bea = Nominee.objects.get(name="Bea Middle")
    page = client.get("/staff/letters/large-print/").content.decode()
    assert "No one has asked for large print yet." in page

    response = client.post(
        "/staff/letters/large-print/", {"nominee": bea.pk, "large_print": "yes"}, follow=True
    )
    shown = response.content.decode()
    assert "Bea Middle: Thank you. The letter will be printed and posted in large print." in shown
    assert "Will be printed in large print" in shown
    assert AuditLogEntry.objects.get(action="recognition.letter.large_print_asked").data == {
        "by": "mayors_office"
    }

    batch = services.print_batch_create(actor=office)
    build(batch)
    batch.refresh_from_db()
    pdf = batch.pdf.open("rb").read()
    sizes = {
        text.split("Dear ")[1].split()[0]: size
        for text, size in zip(text_of(pdf), body_sizes(pdf), strict=True)
        if "Dear " in text  # not the page of consent codes after a posted letter
    }
    assert min(sizes["Bea"]) >= 16
    assert sizes["Adam"] == sizes["Margaret"] == sizes["Zara"] == {12.0}

    # Once in a batch, the page says where the letter is.
    page = client.get("/staff/letters/large-print/").content.decode()
    assert f"In print batch {batch.pk}" in page
    assert PrintBatchPart.objects.filter(batch=batch).count() == 1


def test_the_mayors_office_can_undo_it_and_must_choose_a_nominee(client, posted_letters):  # noqa: F811
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    shown = client.post("/staff/letters/large-print/", {"large_print": "yes"}).content.decode()
    assert "Choose the nominee who asked for large print" in shown and "There is a problem" in shown

    zara = Nominee.objects.get(name="Zara Young")
    client.post("/staff/letters/large-print/", {"nominee": zara.pk, "large_print": "yes"})
    response = client.post(
        "/staff/letters/large-print/", {"nominee": zara.pk, "large_print": "no"}, follow=True
    )
    assert "Zara Young: Thank you. The letter will be printed and posted in standard print." in (
        response.content.decode()
    )
    assert not Letter.objects.get(nominee=zara).large_print
    assert AuditLogEntry.objects.filter(action="recognition.letter.large_print_cancelled").exists()
