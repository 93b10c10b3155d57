"""The roll of honour in a real browser: comms staff write and approve a citation, and a
resident finds the name by searching, with JavaScript on and off. Every page is axe-checked."""

import re

import pytest
from playwright.sync_api import Page, expect

from council.roles import Role
from nominations import services as nominations
from recognition.honours import generate
from tests.council.factories import AreaFactory, StaffFactory
from tests.e2e.browser import navigation, sign_in_with_code, visit
from tests.honours.conftest import give_consent, make_hero, nominate
from tests.nominations.factories import CampaignFactory, CategoryFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(transactional_db):
    campaign = CampaignFactory(name="Proud to Support 2026")
    CategoryFactory(campaign=campaign, name="Good neighbour")
    CategoryFactory(campaign=campaign, name="Key worker")
    return campaign


@pytest.fixture
def wards(transactional_db):
    return {"Westoe": AreaFactory(name="Westoe"), "Harton": AreaFactory(name="Harton")}


@pytest.fixture
def waiting(campaign, wards):
    """Maureen Clarke: approved, said yes to the roll of honour, no citation yet."""
    nomination = nominate(
        campaign,
        name="Maureen Clarke",
        area=wards["Westoe"],
        reason="Maureen does the shopping for six housebound neighbours every week.",
    )
    nominations.nomination_approve(nomination=nomination, actor=None)
    give_consent(nomination.nominee, name_display="full")
    return nomination.nominee


def search_for(page: Page, words: str) -> None:
    page.get_by_label("Search by name or words").fill(words)
    with navigation(page):
        page.get_by_role("button", name="Search").click()


def test_comms_approves_a_citation_and_a_resident_without_javascript_finds_it(
    page: Page, page_without_js: Page, waiting
):
    comms = StaffFactory(email="comms@example.org", roles=[Role.COMMS], authenticator=True)
    sign_in_with_code(page, comms.email)

    visit(page, "/staff/")
    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Citations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll of honour citations")
    with navigation(page):
        page.get_by_role("link", name="Maureen Clarke").click()
    expect(
        page.get_by_text("Maureen does the shopping for six housebound neighbours")
    ).to_be_visible()

    # Nothing written: the error is explained by the field.
    with navigation(page):
        page.get_by_role("button", name="Save and approve").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a citation")

    page.get_by_label("Citation").fill(
        "For two years of weekly shopping for six housebound neighbours."
    )
    with navigation(page):
        page.get_by_role("button", name="Save and approve").click()
    expect(
        page.get_by_text("Citation approved. Maureen Clarke is on the roll of honour.")
    ).to_be_visible()

    resident = page_without_js
    visit(resident, "/")
    with navigation(resident):
        resident.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Roll of honour"
        ).click()
    search_for(resident, "maur")
    expect(resident.get_by_role("heading", level=2, name=re.compile("1 name"))).to_be_visible()
    expect(resident.get_by_role("heading", level=3, name="Maureen Clarke")).to_be_visible()
    expect(
        resident.get_by_text("For two years of weekly shopping for six housebound neighbours.")
    ).to_be_visible()
    # The nomination as written is never on the public page.
    expect(resident.get_by_text("Maureen does the shopping")).to_have_count(0)


def test_a_resident_with_javascript_searches_filters_and_pages_through(page: Page, campaign, wards):
    make_hero(
        campaign,
        name="Amir Haddad",
        category="Key worker",
        area=wards["Harton"],
        citation="Ran the vaccination clinic seven days a week.",
    )
    make_hero(
        campaign,
        name="Priya Shah",
        kind="young_person",
        name_display="first_initial",
        area=wards["Westoe"],
        citation="Organised a sponsored swimathon for the food bank.",
    )
    generate.generate_heroes(campaign=campaign, count=45)

    visit(page, "/heroes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll of honour")
    with navigation(page):
        page.get_by_role("link", name="Page 2").click()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")

    search_for(page, "vaccination")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Amir Haddad"])

    search_for(page, "swimathon")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Priya S."])
    expect(page.get_by_text("Shah")).to_have_count(0)

    search_for(page, "nobody-by-this-name")
    expect(page.get_by_role("heading", level=2, name="No names found")).to_be_visible()
    with navigation(page):
        page.get_by_role("link", name="Clear search and filters").click()

    page.get_by_text("Filter by campaign, category or ward").click()
    page.get_by_label("Category").select_option(label="Key worker")
    page.get_by_label("Ward").select_option(label="Harton")
    with navigation(page):
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=3, name="Amir Haddad")).to_be_visible()
    assert re.search(r"category=\d+", page.url) and re.search(r"area=\d+", page.url)
