"""The coordinator refers a demo volunteer to a role with the score explained, and the
organisation contact acknowledges the referral and marks them volunteering: in a real
browser, every page held to axe-core."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from council.management.commands.load_demo import DEMO_PASSWORD
from council.roles import Role
from tests.council.factories import StaffFactory
from tests.e2e.browser import navigation, sign_in, sign_in_with_code, visit
from volunteers.models import Referral, Volunteer

pytestmark = pytest.mark.browser

ROLE = "Reading helper for the food bank's family club"


def _sign_out(page) -> None:
    with navigation(page):
        page.get_by_role("link", name="Sign out").click()
    with navigation(page):
        page.get_by_role("button", name="Sign out").click()


def test_the_coordinator_refers_and_the_organisation_takes_the_volunteer_on(page, transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    coordinator = StaffFactory(
        email="matcher@example.org", roles=[Role.COORDINATOR], authenticator=True
    )
    sign_in_with_code(page, coordinator.email)

    # The queue, oldest first, and the demo volunteer's ranked roles with each part explained.
    visit(page, "/staff/volunteers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers waiting for a role")
    page.get_by_text("Search and filter").click()
    page.get_by_label("Search").fill("Alex Morgan")
    with navigation(page):
        page.get_by_role("button", name="Apply filters").click()
    with navigation(page):
        page.get_by_role("link", name="Alex Morgan").click()
    expect(page.get_by_role("heading", level=2, name="Best roles for Alex Morgan")).to_be_visible()
    best = page.get_by_role("heading", level=3).first
    expect(best).to_contain_text(f"1. {ROLE}, Riverside Food Bank")
    table = page.get_by_role("table", name="How the score is made up").first
    for part in ("Skills", "Interests", "Times", "Distance", "Youth-friendliness", "Fairness"):
        expect(table.get_by_role("rowheader", name=part, exact=True)).to_be_visible()
    expect(table).to_contain_text("Has 2 of the 2 skills wanted")
    expect(table).to_contain_text("km away, within the 5 km they will travel")

    with navigation(page):
        page.get_by_role("button", name=re.compile(f"^Refer to {re.escape(ROLE)}")).click()
    expect(page.get_by_text("Alex Morgan is referred to")).to_be_visible()
    expect(page.get_by_role("table", name="How the score was made up")).to_be_visible()
    referral = Referral.objects.get(volunteer__full_name="Alex Morgan")
    assert referral.status == Referral.Status.REFERRED
    _sign_out(page)

    # The organisation contact sees it, acknowledges it and marks the volunteer as volunteering.
    visit(page, "/accounts/login/")
    sign_in(page, "org@example.org", DEMO_PASSWORD)
    visit(page, "/org/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisation")
    with navigation(page):
        page.get_by_role("link", name="Alex Morgan").click()
    expect(page.get_by_text("Acknowledge by the end of")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Acknowledge the referral").click()
    expect(page.get_by_text("Referral acknowledged.")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Mark them as volunteering").click()
    expect(page.get_by_text("They are now marked as volunteering.")).to_be_visible()

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACTIVE
    assert Volunteer.objects.get(pk=referral.volunteer_id).status == Volunteer.Status.ACTIVE


def test_an_organisation_contact_adds_a_role_without_javascript(page_without_js, transactional_db):
    page = page_without_js
    call_command("load_demo", stdout=io.StringIO())
    visit(page, "/accounts/login/")
    sign_in(page, "org@example.org", DEMO_PASSWORD)
    visit(page, "/org/roles/new/")
    page.get_by_label("Title of the role").fill("Saturday cafe helper")
    with navigation(page, status=400):
        page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter what the volunteer will do")
    page.get_by_label("What the volunteer will do").fill("Serve tea and cake to visitors.")
    page.get_by_role("group", name="Saturday").get_by_label("Morning").check()
    page.get_by_label("At a place").check()
    page.get_by_label("Postcode of the place").fill("NE33 2RL")
    page.get_by_label("Minimum age").fill("18")
    page.get_by_role("group", name="Is the role youth-friendly?").get_by_label("No").check()
    page.get_by_label("How many volunteers can the role take at once?").fill("2")
    page.get_by_label("No check").check()
    page.get_by_role("group", name="Is the role open to people with convictions?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Is the role taking referrals?").get_by_label("Open").check()
    with navigation(page):
        page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_text("Saturday cafe helper is saved.")).to_be_visible()


def test_the_other_volunteering_pages_pass_axe(page, transactional_db):
    from volunteers.models import CheckIn, Organisation
    from volunteers.services import placement

    call_command("load_demo", stdout=io.StringIO())
    coordinator = StaffFactory(
        email="checker@example.org", roles=[Role.COORDINATOR], authenticator=True
    )
    sign_in_with_code(page, coordinator.email)
    escalated = Referral.objects.filter(escalated_at__isnull=False, status="referred").first()
    riverside = Organisation.objects.get(name="Riverside Food Bank")
    for path in [
        "/staff/volunteers/organisations/",
        f"/staff/volunteers/organisations/{riverside.pk}/",
        "/staff/volunteers/organisations/new/",
        "/staff/volunteers/referrals/?overdue=on",
        f"/staff/volunteers/referrals/{escalated.pk}/",
        "/staff/volunteers/check-ins/",
    ]:
        visit(page, path)
    expect(
        page.get_by_role("table", name="Check-ins: are they still volunteering?")
    ).to_be_visible()
    _sign_out(page)

    visit(page, "/accounts/login/")
    sign_in(page, "org@example.org", DEMO_PASSWORD)
    role = riverside.opportunities.first()
    visit(page, "/org/referrals/")
    visit(page, f"/org/roles/{role.pk}/")
    active = Referral.objects.filter(status="active").first()
    check_in = CheckIn.objects.create(
        referral=active, months=12, respondent="volunteer", due_at=active.active_at
    )
    visit(page, f"/check-in/{placement.check_in_token(check_in)}/?answer=yes")
    with navigation(page):
        page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer is saved")).to_be_visible()
