"""A new volunteer signs up in a real browser, with JavaScript on and off: an account, the
verification email, every profile question, the check page and their own page, found by
the labels a person reads and axe-checked on every page."""

import re

import pytest
from playwright.sync_api import Page, expect

from council.models import OutboundEmail
from council.roles import Role
from council.services import account_ensure
from tests.council.factories import StaffFactory
from tests.e2e.browser import check_accessibility, navigation, sign_in_with_code, visit
from tests.volunteers.factories import born_aged
from tests.volunteers.profile_helpers import standard_lists
from volunteers.models import Interest, Volunteer
from volunteers.services import profile as services

pytestmark = pytest.mark.browser

EMAIL = "new.volunteer@example.org"
PASSWORD = "a-long-volunteer-password-2026"


@pytest.fixture
def lists(transactional_db):
    standard_lists()
    return services.source_code_create(
        actor=None,
        label="Leaflet drop, Westoe",
        medium="leaflet",
        destination="volunteer",
        code="westoe-may",
    )


def save(page: Page, name: str = "Save and continue") -> None:
    with navigation(page):
        page.get_by_role("button", name=name).click()


def create_account(page: Page) -> None:
    # The leaflet's address brings them to the volunteering page.
    visit(page, "/v/westoe-may")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteer in your community")
    with navigation(page):
        page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    with navigation(page):
        page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify", ignore_case=True)

    body = OutboundEmail.objects.get(to=[EMAIL]).body_text
    visit(page, re.search(r"/accounts/confirm-email/[^/\s]+/", body).group(0))
    with navigation(page):
        page.get_by_role("button", name="Confirm").click()


def answer_the_questions(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("What is your date of birth?")
    save(page)  # nothing typed: the error is explained and linked to the field
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter your date of birth")
    born = born_aged(34)
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    save(page)

    page.get_by_label("Full name").fill("Jo Clarke")
    page.get_by_label("Phone number (optional)").fill("07700 900 982")
    save(page)
    page.get_by_label("What is your postcode?").fill("ne33 2rl")
    save(page)
    page.get_by_label("Up to 5 km (about 3 miles)").check()
    save(page)
    page.get_by_label("Teacher or teaching assistant").check()
    page.get_by_label("Driving (I have a car)").check()
    save(page)
    page.get_by_label("Older people").check()
    save(page)

    save(page)  # no time chosen
    expect(page.get_by_role("alert")).to_contain_text("Select at least one time")
    page.get_by_role("group", name="Monday").get_by_label("Morning").check()
    page.get_by_role("group", name="Saturday").get_by_label("Evening").check()
    save(page)

    # They came through a leaflet's code, so that answer is already chosen.
    expect(page.get_by_label("A leaflet through the door")).to_be_checked()
    save(page)
    page.get_by_label(re.compile("Is there anything else")).fill("I can start next month.")
    save(page)


def check_and_finish(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you finish"
    )
    with navigation(page):
        page.get_by_role("link", name="Change your name").click()
    page.get_by_label("Full name").fill("Jo Clarke-Smith")
    save(page, "Save and go back to check your answers")
    expect(page.get_by_text("Jo Clarke-Smith")).to_be_visible()
    save(page, "Finish my profile")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your volunteering profile")
    expect(page.get_by_text("Thank you for signing up to volunteer")).to_be_visible()
    expect(page.get_by_text("You are waiting to be matched with a role")).to_be_visible()


def assert_signed_up() -> Volunteer:
    volunteer = Volunteer.objects.get(user__email=EMAIL)
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.full_name == "Jo Clarke-Smith"
    assert volunteer.source.code == "westoe-may"
    assert volunteer.heard_from == "leaflet"
    return volunteer


def test_a_new_volunteer_signs_up_and_sees_their_profile(page, lists):
    create_account(page)
    answer_the_questions(page)
    check_and_finish(page)
    assert_signed_up()

    # Pausing and resuming from their own page.
    with navigation(page):
        page.get_by_role("button", name="Pause my profile").click()
    expect(page.get_by_text("Your profile is paused.").first).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Resume my profile").click()
    expect(page.get_by_text("You are waiting to be matched with a role")).to_be_visible()

    # Closing asks first.
    with navigation(page):
        page.get_by_role("link", name="Close your profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to close your profile?"
    )
    with navigation(page):
        page.get_by_role("button", name="Close my profile").click()
    expect(page.get_by_text("Your profile is closed.")).to_be_visible()
    assert Volunteer.objects.get(user__email=EMAIL).status == Volunteer.Status.CLOSED


def test_the_sign_up_works_the_same_without_javascript(page_without_js, lists):
    create_account(page_without_js)
    answer_the_questions(page_without_js)
    check_and_finish(page_without_js)
    assert_signed_up()


def test_the_character_count_says_how_many_characters_are_left(page, lists):
    user = account_ensure(email=EMAIL, password=PASSWORD)
    for step, values in [
        ("date-of-birth", {"date_of_birth": born_aged(40)}),
        ("name", {"full_name": "Jo", "phone": ""}),
        ("postcode", {"postcode": "NE33 2RL"}),
        ("travel", {"travel_km": 3, "remote_only": False}),
        ("skills", {"skills": []}),
        ("interests", {"interests": list(Interest.objects.all()[:1])}),
        ("availability", {"availability": 1}),
        ("heard", {"heard_from": "friend"}),
    ]:
        services.volunteer_answer_save(user=user, step=step, values=values)
    visit(page, "/accounts/login/?next=/volunteer/questions/anything-else/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()
    box = page.get_by_label(re.compile("Is there anything else"))
    box.fill("Weekends suit me best.")
    expect(page.get_by_text("You have 978 characters remaining")).to_be_visible()
    check_accessibility(page)


def test_a_guardian_agrees_from_the_emailed_link(page, lists):
    user = account_ensure(email=EMAIL, password=PASSWORD)
    volunteer = services.volunteer_answer_save(
        user=user, step="date-of-birth", values={"date_of_birth": born_aged(16)}
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(
        full_name="Sam Young",
        guardian_name="Pat Young",
        guardian_email="pat@example.net",
        status=Volunteer.Status.AVAILABLE,
    )
    volunteer.refresh_from_db()
    link = services.guardian_consent_request(volunteer=volunteer, actor=user)
    visit(page, f"/volunteer/guardian/{services.guardian_token(link)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Young would like to volunteer")
    save(page, "Send my answer")
    expect(page.get_by_role("alert")).to_contain_text("Select yes if you agree")
    page.get_by_label("Yes, I agree").check()
    save(page, "Send my answer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answer")
    volunteer.refresh_from_db()
    assert volunteer.guardian_consent_at is not None


def test_someone_under_16_is_told_why_they_cannot_sign_up(page, lists):
    account_ensure(email=EMAIL, password=PASSWORD)
    visit(page, "/accounts/login/?next=/volunteer/profile/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()
    born = born_aged(15)
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You need to be 16 or older to sign up"
    )
    assert not Volunteer.objects.exists()


def test_a_coordinator_makes_a_code_and_downloads_its_qr_codes(page, lists):
    coordinator = StaffFactory(
        email="coordinator@example.org", roles=[Role.COORDINATOR], authenticator=True
    )
    sign_in_with_code(page, coordinator.email)
    visit(page, "/staff/volunteers/sources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Source codes")
    with navigation(page):
        page.get_by_role("button", name="Make a new code").click()
    save(page, "Make the code")
    expect(page.get_by_role("alert")).to_contain_text("Enter what the code is for")
    page.get_by_label("What is it?").fill("Bin lorry panels, summer")
    page.get_by_label("Vehicle panel").check()
    page.get_by_label("Volunteer sign-up").check()
    page.get_by_label("Code (optional)").fill("bin-lorry")
    save(page, "Make the code")
    expect(page.get_by_text("Code bin-lorry made")).to_be_visible()

    for kind, signature in (("SVG", b"<svg"), ("PNG", b"\x89PNG")):
        with page.expect_download() as download:
            page.get_by_role("link", name=f"{kind} QR code for bin-lorry").click()
        assert download.value.suggested_filename == f"qr-bin-lorry.{kind.lower()}"
        with open(download.value.path(), "rb") as handle:
            assert signature in handle.read(200)
