"""Letters that go by post: a batch in postcode order, an address list, badges, marked posted."""

import csv
import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from council.roles import Role
from nominations import services as nominations
from nominations.models import Nomination, Nominee
from recognition import services
from recognition.models import Letter, PrintBatch
from tests.council.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted_letters(db):
    """The demo, with three more nominees who have only a postal address, approved and released."""
    call_command("load_demo", stdout=io.StringIO())
    campaign = Nomination.objects.first().campaign
    category = campaign.categories.first()
    for name, postcode in (
        ("Zara Young", "NE34 9AA"),
        ("Adam Old", "NE33 1AA"),
        ("Bea Middle", "NE33 5ZZ"),
    ):
        answers = {
            "nominee_kind": "person",
            "category": category,
            "nominee_name": name,
            "contact_methods": ["post"],
            "address_line_1": "1 Sea Road",
            "town": "South Shields",
            "postcode": postcode,
            "reason": "Kind to everyone.",
            "nominator_name": "A",
            "nominator_email": "a@example.net",
            "nominator_relationship": "Friend",
        }
        nomination = nominations.nomination_submit(
            campaign=campaign, answers=answers, source=Nomination.Source.STAFF
        )
        nominations.nomination_approve(nomination=nomination, actor=None)
    services.letters_create_for_approved()
    services.letters_release(actor=None)
    return Letter.objects.filter(route=Letter.Route.POST)


def test_a_batch_is_one_pdf_in_postcode_order_with_an_address_list(posted_letters):
    batch = services.print_batch_create(actor=None)
    assert batch.letter_count == 4 == batch.badge_count  # with the demo's Margaret O'Neill
    services.print_batch_build(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.SENT and batch.built_count == 4
    pages = [page.extract_text() for page in PdfReader(batch.pdf.open("rb")).pages]
    people = ("Adam Old", "Bea Middle", "Margaret O'Neill", "Zara Young")
    names = [name for text in pages for name in people if f"Dear {name.split()[0]}" in text]
    assert names == list(people)  # NE33 1AA, NE33 5ZZ, NE34 7QR, NE34 9AA
    rows = list(csv.reader(io.StringIO(batch.addresses.open("rb").read().decode())))
    assert rows[0][-1] == "pin_badges"
    assert [row[1] for row in rows[1:]] == list(people)
    assert [row[-1] for row in rows[1:]] == ["1", "1", "1", "1"]
    assert "NE33 1AA" in rows[1]


def test_building_twice_changes_nothing_and_marking_posted_moves_every_letter(posted_letters):
    batch = services.print_batch_create(actor=None)
    services.print_batch_build(batch_id=batch.pk)
    assert services.print_batch_build(batch_id=batch.pk) is None
    office = StaffFactory(roles=[Role.MAYORS_OFFICE])
    services.print_batch_mark_posted(batch=batch, actor=office)
    assert set(Letter.objects.filter(print_batch=batch).values_list("stage", flat=True)) == {
        Letter.Stage.POSTED
    }


def test_a_letter_whose_address_cannot_be_printed_stays_out_of_batches(posted_letters):
    nominee = Nominee.objects.get(name="Zara Young")
    Letter.objects.filter(nominee=nominee).update(address_problem="There is no postcode")
    batch = services.print_batch_create(actor=None)
    assert batch.letter_count == 3
    assert Letter.objects.get(nominee=nominee).print_batch is None


def test_with_nothing_to_print_the_batch_page_says_so(client, db):
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    response = client.post("/staff/letters/batches/", follow=True)
    assert "There are no letters waiting for a print batch." in response.content.decode()


def test_the_mayors_office_builds_and_downloads_a_batch(client, posted_letters):
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    assert (
        "Make a print batch of 4 letters" in client.get("/staff/letters/batches/").content.decode()
    )
    response = client.post("/staff/letters/batches/")
    batch = PrintBatch.objects.get()
    assert response["Location"] == f"/staff/letters/batches/{batch.pk}/"
    assert "Made 0 of 4 letters." in client.get(response["Location"]).content.decode()
    services.print_batch_build(batch_id=batch.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Pin badges to post" in page and "Download the letters (PDF)" in page
    pdf = client.get(f"/staff/letters/batches/{batch.pk}/letters.pdf")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(
        b"%PDF"
    )
    client.post(f"/staff/letters/batches/{batch.pk}/posted/")
    batch.refresh_from_db()
    assert batch.posted_by == office
