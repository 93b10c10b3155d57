"""The Mayor's office writes the letter in a real browser: merge-field mistakes are explained."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from council.roles import Role
from recognition.models import LetterTemplate
from tests.council.factories import StaffFactory
from tests.e2e.browser import navigation, sign_in_with_code, visit

pytestmark = pytest.mark.browser


def test_the_mayors_office_corrects_a_merge_field_and_previews(page, transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    office = StaffFactory(
        email="office@example.org", roles=[Role.MAYORS_OFFICE], authenticator=True
    )
    sign_in_with_code(page, office.email)

    visit(page, "/staff/letters/")
    with navigation(page):
        page.get_by_role("link", name="Change the letter for a person").click()
    page.get_by_label("Greeting").fill("Dear {frist_name}")
    with navigation(page):
        page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "{frist_name} is not a merge field. Did you mean {first_name}?"
    )
    page.get_by_label("Greeting").fill("Dear {first_name}")
    with navigation(page):
        page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_text("The letter for a person is saved.")).to_be_visible()
    assert LetterTemplate.objects.get(variant="person").salutation == "Dear {first_name}"

    with navigation(page):
        page.get_by_role("link", name="Preview a letter for a nominee").click()
    expect(page.get_by_label("Preview for")).to_be_visible()
    page.get_by_label("Find a nominee by name").fill("Maureen Clarke")
    with navigation(page):
        page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status")).to_contain_text(
        "1 approved nominee with ‘Maureen Clarke’ in their name"
    )
    expect(page.get_by_label("Preview for").locator("option")).to_have_text(
        ["Choose a nominee", re.compile(r"^Maureen Clarke\b")]
    )
    visit(page, "/staff/letters/")
    with navigation(page):
        page.get_by_role("link", name="Check and release letters").click()
    expect(page.get_by_text("3 letters will be emailed and 1 will wait")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Release 4 letters").click()
    expect(
        page.get_by_text("Released 3 letters to be emailed and 1 for the next print batch.")
    ).to_be_visible()
    visit(page, "/staff/letters/batches/")
    with navigation(page):
        page.get_by_role("button", name="Make a print batch of 1 letter").click()
    expect(page.get_by_text("Made 0 of 1 letter.")).to_be_visible()


def test_a_nominee_downloads_their_letter_and_sees_their_card(page, transactional_db):
    import re

    from council.models import OutboundEmail
    from recognition import services

    call_command("load_demo", stdout=io.StringIO())
    services.letters_release(actor=None)
    body = OutboundEmail.objects.filter(to=["maureen.clarke@example.net"]).latest("pk").body_text
    token = re.search(r"/consent/([^\s/]+)/", body).group(1)
    visit(page, f"/nominee/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Maureen Clarke")
    expect(page.get_by_role("link", name="Download your letter (PDF)")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("I was nominated"))).to_be_visible()
    with navigation(page):
        page.get_by_role("link", name=re.compile(r"cards")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "I was nominated for Proud to Support 2026"
    )


def test_a_nominee_asks_for_large_print_and_the_mayors_office_sees_it(page, transactional_db):
    import re

    from council.models import OutboundEmail
    from recognition.models import Letter

    call_command("load_demo", stdout=io.StringIO())
    body = (
        OutboundEmail.objects.filter(
            to=["maureen.clarke@example.net"], subject__startswith="You have been"
        )
        .latest("pk")
        .body_text
    )
    token = re.search(r"/consent/([^\s/]+)/", body).group(1)
    visit(page, f"/nominee/{token}/")
    with navigation(page):
        page.get_by_role("button", name="Save").click()  # nothing chosen: explained
    expect(page.get_by_role("alert")).to_contain_text(
        "Select yes if you would like your letter in large print"
    )
    page.get_by_role("group", name="Would you like your letter in large print?").get_by_label(
        "Yes, in large print"
    ).check()
    with navigation(page):
        page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Thank you. The letter will be emailed in large print.")
    ).to_be_visible()
    assert Letter.objects.get(nominee__name="Maureen Clarke").large_print

    page.context.clear_cookies()
    office = StaffFactory(
        email="office@example.org", roles=[Role.MAYORS_OFFICE], authenticator=True
    )
    sign_in_with_code(page, office.email)
    visit(page, "/staff/letters/")
    with navigation(page):
        page.get_by_role("link", name="Large print").click()
    expect(page.get_by_role("table")).to_contain_text("Maureen Clarke")
    choose = page.get_by_label("Nominee who asked for large print")
    margaret = choose.locator("option", has_text=re.compile(r"^Margaret O'Neill\b"))
    choose.select_option(value=margaret.get_attribute("value"))
    with navigation(page):
        page.get_by_role("button", name="Record a large-print request").click()
    expect(
        page.get_by_text(
            "Margaret O'Neill: Thank you. The letter will be printed and posted in large print."
        )
    ).to_be_visible()


def test_comms_give_the_family_of_a_nominee_who_has_died_and_the_letter_goes_to_them(
    page, transactional_db
):
    from nominations.models import Nomination
    from recognition.models import Letter

    call_command("load_demo", stdout=io.StringIO())
    comms = StaffFactory(email="comms2@example.org", roles=[Role.COMMS], authenticator=True)
    sign_in_with_code(page, comms.email)
    nomination = Nomination.objects.filter(nominee__name="Maureen Clarke").first()
    visit(page, f"/staff/nominations/{nomination.reference}/")
    with navigation(page):
        page.get_by_role("button", name="Mark as having died").click()
    page.get_by_label("Who should the letter be addressed to?").fill("Jean Clarke")
    page.get_by_label("Family's email address (optional)").fill("jean")
    with navigation(page):
        page.get_by_role("button", name="Save the family's details").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the family's email address in the correct format"
    )
    page.get_by_label("Family's email address (optional)").fill("jean@example.net")
    with navigation(page):
        page.get_by_role("button", name="Save the family's details").click()
    expect(
        page.get_by_text("The letter goes to Jean Clarke, by email to jean@example.net.")
    ).to_be_visible()
    letter = Letter.objects.get(nominee=nomination.nominee)
    assert (letter.route, letter.email_to) == ("email", "jean@example.net")
