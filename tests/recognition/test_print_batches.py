"""Letters that go by post: a batch in postcode order, an address list, badges, marked posted."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from council import outgoing
from council.roles import Role
from nominations import services as nominations
from nominations.models import Nomination, Nominee
from recognition import services
from recognition.models import Letter, LetterTemplate, PrintBatch, PrintBatchPart
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


def build(batch) -> None:
    """What the workers do, in order: cut the batch into parts, make each part, join them."""
    services.print_batch_build(batch_id=batch.pk)
    for part in PrintBatchPart.objects.filter(batch=batch):
        services.print_batch_part_build(part_id=part.pk)
    services.print_batch_build(batch_id=batch.pk)


def test_a_batch_is_one_pdf_in_postcode_order_with_an_address_list(posted_letters):
    batch = services.print_batch_create(actor=None)
    assert batch.letter_count == 4 == batch.badge_count  # with the demo's Margaret O'Neill
    build(batch)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.SENT and batch.built_count == 4
    pages = [page.extract_text() for page in PdfReader(batch.pdf.open("rb")).pages]
    people = ("Adam Old", "Bea Middle", "Margaret O'Neill", "Zara Young")
    names = [name for text in pages for name in people if f"Dear {name.split()[0]}" in text]
    assert names == list(people)  # NE33 1AA, NE33 5ZZ, NE34 7QR, NE34 9AA
    rows = list(csv.reader(io.StringIO(batch.addresses.open("rb").read().decode())))
    assert rows[0] == [
        "letter_id", "first_page", "pages", *[f"line_{n}" for n in range(1, 8)], "pin_badges"
    ]  # fmt: skip
    assert [row[3] for row in rows[1:]] == list(people)
    assert [row[-1] for row in rows[1:]] == ["1", "1", "1", "1"]
    assert "NE33 1AA" in rows[1]
    # The print room finds each letter by its first page and page count; a letter to
    # someone with no email has its consent codes on a second page.
    for row, name in zip(rows[1:], people, strict=True):
        first, count = int(row[1]), int(row[2])
        assert f"Dear {name.split()[0]}" in pages[first - 1]
        assert count == (
            2 if "may we share the news?" in (pages[first : first + 1] or [""])[0] else 1
        )
    assert sum(int(row[2]) for row in rows[1:]) == len(pages)
    assert any(row[2] == "2" for row in rows[1:])


def test_building_twice_changes_nothing_and_marking_posted_moves_every_letter(posted_letters):
    batch = services.print_batch_create(actor=None)
    build(batch)
    assert services.print_batch_build(batch_id=batch.pk) is None
    assert services.print_batch_part_build(part_id=batch.parts.get().pk) is None
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
    build(batch)
    page = client.get(response["Location"]).content.decode()
    assert "Pin badges to post" in page and "Download the letters (PDF)" in page
    pdf = client.get(f"/staff/letters/batches/{batch.pk}/letters.pdf")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(
        b"%PDF"
    )
    client.post(f"/staff/letters/batches/{batch.pk}/posted/")
    batch.refresh_from_db()
    assert batch.posted_by == office


def names_in(batch) -> list[str]:
    """Whose letter each letter of the batch's PDF is, in order (a page of consent codes
    may follow a letter)."""
    pages = [page.extract_text() for page in PdfReader(batch.pdf.open("rb")).pages]
    return [text.split("Dear ")[1].split()[0] for text in pages if "Dear " in text]


def test_a_batch_is_made_in_parts_and_joined_in_postcode_order(
    client, posted_letters, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "PRINT_BATCH_PART_SIZE", 3)
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    batch = services.print_batch_create(actor=office)
    page = f"/staff/letters/batches/{batch.pk}/"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        services.print_batch_build(batch_id=batch.pk)
        first, second = PrintBatchPart.objects.filter(batch=batch).order_by("number")
        assert (len(first.letter_ids), len(second.letter_ids)) == (3, 1)

        services.print_batch_part_build(part_id=first.pk)
        assert services.print_batch_part_build(part_id=first.pk) is None  # a second delivery
        assert "Made 3 of 4 letters." in client.get(page).content.decode()
        # The batch waits for its last part; the sweeper looks again in a couple of minutes.
        clock.shift(PrintBatch.requeue_after)
        services.print_batch_build(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == PrintBatch.Status.QUEUED and not batch.pdf

        services.print_batch_part_build(part_id=second.pk)
        shown = client.get(page).content.decode()
        assert "Made all 4 letters. Putting them into one file." in shown
        # The last part published the batch: it is due now, not in two minutes.
        with django_capture_on_commit_callbacks(execute=True):
            services.print_batch_build(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.SENT and batch.built_count == 4
    assert names_in(batch) == ["Adam", "Bea", "Margaret", "Zara"]
    # The parts' own files are removed once they are in the batch's.
    assert set(batch.parts.values_list("pdf", flat=True)) == {""}
    assert "Download the letters (PDF)" in client.get(page).content.decode()


def test_a_part_a_dead_worker_left_is_made_again_and_every_letter_printed_once(
    posted_letters, monkeypatch
):
    monkeypatch.setattr(outgoing, "_publish", lambda model, pk: True)  # no broker here
    batch = services.print_batch_create(actor=None)
    services.print_batch_build(batch_id=batch.pk)
    part = batch.parts.get()
    # A worker took the part and died: the row says `sending`, nothing was saved.
    assert outgoing.claim(PrintBatchPart, part.pk) is not None
    later = timezone.now() + PrintBatchPart.stale_after + timedelta(minutes=1)
    outgoing.sweep(now=later)
    part.refresh_from_db()
    assert part.status == PrintBatchPart.Status.QUEUED
    services.print_batch_part_build(part_id=part.pk)
    services.print_batch_build(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.SENT
    assert sorted(names_in(batch)) == ["Adam", "Bea", "Margaret", "Zara"]
    part.refresh_from_db()
    assert part.attempts == 2


def test_parts_of_a_batch_that_failed_leave_no_files_behind(
    posted_letters, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from recognition import letter_pdf

    def part_files():
        if not default_storage.exists("print-batches/parts"):
            return set()
        return set(default_storage.listdir("print-batches/parts")[1])

    files_before = part_files()
    monkeypatch.setattr(services, "PRINT_BATCH_PART_SIZE", 2)
    batch = services.print_batch_create(actor=None)
    services.print_batch_build(batch_id=batch.pk)
    first, second = batch.parts.order_by("number")
    failed_meanwhile = "The letter to Adam Old could not be made: no template"

    # Another part fails the batch while the first is being made.
    write_letters = letter_pdf.write_letters

    def fail_the_batch_then_write(documents, out):
        services._print_batch_fail(PrintBatch.objects.get(pk=batch.pk), failed_meanwhile)
        write_letters(documents, out)

    monkeypatch.setattr(letter_pdf, "write_letters", fail_the_batch_then_write)
    with django_capture_on_commit_callbacks(execute=True):
        services.print_batch_part_build(part_id=first.pk)
    first.refresh_from_db()
    assert first.pdf == ""
    assert part_files() == files_before

    # A part whose turn comes after the batch failed is not made at all.
    monkeypatch.setattr(letter_pdf, "write_letters", write_letters)
    with django_capture_on_commit_callbacks(execute=True):
        services.print_batch_part_build(part_id=second.pk)
    second.refresh_from_db()
    assert second.status == PrintBatchPart.Status.FAILED and second.pdf == ""
    assert second.last_error == "Not made: the print batch had already failed."
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.FAILED and batch.last_error == failed_meanwhile
    # Its letters wait for the next batch.
    assert not Letter.objects.filter(print_batch=batch).exists()


def test_a_letter_that_cannot_be_made_fails_the_batch_and_its_letters_wait_for_the_next(
    client, posted_letters
):
    LetterTemplate.objects.filter(variant="person").delete()
    batch = services.print_batch_create(actor=None)
    build(batch)
    batch.refresh_from_db()
    assert batch.status == PrintBatch.Status.FAILED
    assert batch.last_error.startswith(
        "The letter to Adam Old could not be made: There is no letter yet for a person."
    )
    assert not Letter.objects.filter(print_batch=batch).exists()
    office = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(office)
    page = client.get(f"/staff/letters/batches/{batch.pk}/").content.decode()
    assert "The batch could not be made" in page and "There is no letter yet for a person" in page
    assert (
        "Make a print batch of 4 letters" in client.get("/staff/letters/batches/").content.decode()
    )
