"""A resident nominates a local hero, comms staff approve, and the nominee gives consent:
the whole journey in a real browser, by the labels a person reads, axe-checked throughout."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from council.models import OutboundEmail
from council.roles import Role
from nominations.models import Nomination
from nominations.selectors import nominee_consent
from nominations.tasks import file_received
from tests.council.factories import AreaFactory, StaffFactory
from tests.e2e.browser import check_accessibility, navigation, sign_in_with_code, visit
from tests.nominations.factories import CampaignFactory, CategoryFactory
from tests.nominations.images import jpeg_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(transactional_db):
    campaign = CampaignFactory(name="Proud to Support 2026")
    CategoryFactory(campaign=campaign, name="Good neighbour")
    CategoryFactory(campaign=campaign, name="Key worker")
    AreaFactory(name="Westoe")
    AreaFactory(name="Harton")
    return campaign


def continue_(page: Page) -> None:
    with navigation(page):
        page.get_by_role("button", name="Continue").click()


def nominate(page: Page, *, photo: Path | None = None) -> None:
    visit(page, "/")
    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Nominate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominate a local hero")
    with navigation(page):
        page.get_by_role("button", name="Start now").click()

    continue_(page)  # nothing chosen: the error is explained
    expect(page.get_by_role("alert")).to_contain_text("Select who you are nominating")
    page.get_by_label("A person").check()
    continue_(page)
    page.get_by_label("Good neighbour").check()
    continue_(page)
    page.get_by_label("What is their name?").fill("Maureen Clarke")
    continue_(page)
    page.get_by_label("By email").check()
    continue_(page)
    page.get_by_label("What is their email address?").fill("maureen@example.net")
    continue_(page)
    page.get_by_label("Which ward do they live or work in?").select_option(label="Westoe")
    continue_(page)
    page.get_by_label("Why are you nominating them?").fill(
        "She does the shopping for six housebound neighbours, every week, without fail."
    )
    continue_(page)
    if photo:
        page.get_by_label("Upload a photo (optional)").set_input_files(str(photo))
        page.get_by_label("Describe the photo for someone who cannot see it").fill(
            "Maureen at her front door"
        )
        page.get_by_label("I have permission to share this photo with the council").check()
    continue_(page)
    page.get_by_label("Your full name").fill("Jo Resident")
    page.get_by_label("Your email address").fill("jo@example.net")
    page.get_by_label("How do you know them?").fill("Neighbour")
    continue_(page)
    for statement in (
        "true to the best of my knowledge",
        "will contact the person",
        "read the privacy notice",
    ):
        page.get_by_label(re.compile(statement)).check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your nomination"
    )
    with navigation(page):
        page.get_by_role("link", name="Change their name").click()
    page.get_by_label("What is their name?").fill("Maureen Clarke-Smith")
    with navigation(page):
        page.get_by_role("button", name="Save and go back to check your answers").click()
    expect(page.get_by_text("Maureen Clarke-Smith")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Send nomination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    file_received()  # what the worker does every few seconds: the nomination and its email


def sign_in_as_comms(page: Page) -> None:
    """Sign in as a comms officer who has an authenticator app, code and all."""
    comms = StaffFactory(email="comms@example.org", roles=[Role.COMMS], authenticator=True)
    sign_in_with_code(page, comms.email)


def follow_emailed_link(page: Page, to: str, pattern: str) -> None:
    body = OutboundEmail.objects.filter(to=[to]).latest("pk").body_text
    path = re.search(pattern, body).group(0)
    visit(page, path)


def test_a_resident_nominates_and_confirms_by_email(page, campaign, tmp_path):
    photo = tmp_path / "Maureen at the door.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    nominate(page, photo=photo)
    nomination = Nomination.objects.get()
    assert nomination.status == Nomination.Status.UNCONFIRMED
    assert nomination.photo and "Maureen" not in nomination.photo.name

    follow_emailed_link(page, "jo@example.net", r"/nominate/confirm/\S+/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your nomination")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.UNCONFIRMED  # opening the link is not enough
    with navigation(page):
        page.get_by_role("button", name="Confirm nomination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nomination confirmed")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED


def test_the_journey_works_the_same_without_javascript(page_without_js, campaign, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes())
    nominate(page_without_js, photo=photo)
    nomination = Nomination.objects.get()
    assert nomination.nominee_name == "Maureen Clarke-Smith"
    assert nomination.photo_alt == "Maureen at her front door"
    # Confirming from the emailed link is a plain form: it works without JavaScript too.
    follow_emailed_link(page_without_js, "jo@example.net", r"/nominate/confirm/\S+/")
    with navigation(page_without_js):
        page_without_js.get_by_role("button", name="Confirm nomination").click()
    expect(page_without_js.get_by_role("heading", level=1)).to_have_text("Nomination confirmed")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED


def test_the_character_count_tells_how_many_characters_are_left(page, campaign):
    visit(page, "/nominate/")
    with navigation(page):
        page.get_by_role("button", name="Start now").click()
    for label in ("A person", "Good neighbour"):
        page.get_by_label(label).check()
        continue_(page)
    page.get_by_label("What is their name?").fill("Maureen")
    continue_(page)
    page.get_by_label("By post").check()
    continue_(page)
    page.get_by_label("Address line 1").fill("1 High Street")
    page.get_by_label("Town or city").fill("South Shields")
    page.get_by_label("Postcode").fill("NE33 2RL")
    continue_(page)
    page.get_by_label("Which ward do they live or work in?").select_option(label="I do not know")
    continue_(page)
    page.get_by_label("Why are you nominating them?").fill("x" * 100)
    expect(page.get_by_text("You have 2,900 characters remaining")).to_be_visible()


def test_comms_approve_and_the_nominee_gives_consent(page, campaign):
    nominate(page)
    follow_emailed_link(page, "jo@example.net", r"/nominate/confirm/\S+/")
    with navigation(page):
        page.get_by_role("button", name="Confirm nomination").click()
    nomination = Nomination.objects.get()

    sign_in_as_comms(page)
    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Nominations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominations")
    with navigation(page):
        page.get_by_role("link", name=nomination.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maureen Clarke-Smith")
    expect(page.get_by_role("img", name="Maureen at her front door")).to_have_count(0)
    with navigation(page):
        page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"Nomination {nomination.reference} approved.")).to_be_visible()
    with navigation(page):
        page.get_by_role("link", name="Sign out").click()
    with navigation(page):
        page.get_by_role("button", name="Sign out").click()

    follow_emailed_link(page, "maureen@example.net", r"/consent/[^\s/]+/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have been nominated")
    page.get_by_label("Our roll of honour of everyone nominated").check()
    page.get_by_label("A story about you on the council's website").check()
    page.get_by_label("My first name and the first letter of my last name").check()
    page.get_by_role("group", name="May we use a photo of you?").get_by_label("No").check()
    with navigation(page):
        page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your choices are saved")
    consent = nominee_consent(nomination.nominee)
    assert (
        consent.roll_of_honour
        and consent.website_story
        and not consent.social_media
        and not consent.photo_allowed
    )
    assert consent.display_name(nomination.nominee) == "Maureen C."


def test_comms_pages_for_entering_and_uploading_are_accessible(page, campaign, tmp_path):
    sign_in_as_comms(page)

    visit(page, "/staff/nominations/")
    with navigation(page):
        page.get_by_role("button", name="Enter a nomination taken by phone or on paper").click()
    with navigation(page):
        page.get_by_role("button", name="Add to the queue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the nominee's name")
    page.get_by_label("A person").check()
    page.get_by_label("Category").select_option(label="Key worker")
    page.get_by_label("Their name").fill("Amir Haddad")
    page.get_by_label("Their email address (optional)").fill("amir@example.net")
    page.get_by_label("Why they were nominated").fill("Ran the vaccination clinic every day.")
    page.get_by_label("Nominator's name").fill("A caller")
    page.get_by_label("Nominator's email address").fill("caller@example.net")
    page.get_by_label("How the nominator knows them").fill("Patient")
    with navigation(page):
        page.get_by_role("button", name="Add to the queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amir Haddad")

    visit(page, "/staff/nominations/upload/")
    spreadsheet = tmp_path / "surgery.csv"
    spreadsheet.write_text(
        "nominee_type,category,nominee_name,reason,nominator_name,nominator_email,nominator_relationship\nperson,Nope,A B,Kind,GP,gp@example.net,GP\n"
    )
    page.get_by_label("CSV file").set_input_files(str(spreadsheet))
    with navigation(page):
        page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload of surgery.csv")


@pytest.mark.parametrize(
    "path", ["/nominate/resend/", "/consent/", "/nominate/confirm/not-a-real-link/"]
)
def test_the_other_public_nomination_pages_are_accessible(page, campaign, path):
    visit(page, path, status=400 if "confirm" in path else 200)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_staff_see_and_find_nominations_the_worker_has_not_filed(page, campaign):
    from datetime import timedelta

    from django.utils import timezone

    from nominations.models import NominationReceipt

    nominate(page)  # filed at once, as the worker would
    waiting = NominationReceipt.objects.create(
        reference="NWAIT2345",
        campaign=campaign,
        answers={"nominee_name": "Ann Other", "nominator_email": "sam@example.net"},
        received_at=timezone.now() - timedelta(minutes=10),
    )
    sign_in_as_comms(page)
    visit(page, "/staff/nominations/")
    expect(
        page.get_by_text("1 nomination sent on the public form has not been filed yet")
    ).to_be_visible()
    page.get_by_text("The nominations not filed yet").click()  # opens the list; axe again
    row = page.get_by_role("row", name=re.compile(waiting.reference))
    expect(row).to_contain_text("Ann Other")
    expect(row).to_contain_text("Waiting for the worker")
    check_accessibility(page)
    # A resident phones with their reference.
    # (the search opens with the page, as it shows the status filter it applied)
    page.get_by_label("Search", exact=True).fill(waiting.reference)
    with navigation(page):
        page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text(f"{waiting.reference} is the nomination of Ann Other")).to_be_visible()
