"""The administrator's pages (Django admin): council settings, wards, civic years."""

import pytest
from playwright.sync_api import expect

from council.models import CouncilSettings
from tests.council.factories import StaffFactory
from tests.e2e.browser import navigation, sign_in_with_code, visit

pytestmark = pytest.mark.browser


def test_an_administrator_changes_the_brand_colour(page):
    admin = StaffFactory(email="admin@example.org", is_superuser=True, authenticator=True)
    CouncilSettings.load()
    sign_in_with_code(page, admin.email)
    visit(page, "/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    with navigation(page):
        page.get_by_role("link", name="Council settings").click()
    with navigation(page):
        page.get_by_role("link", name="Your Council").click()
    page.get_by_label("Brand colour").fill("#ffdd00")
    with navigation(page):
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Choose a darker colour")).to_be_visible()
    page.get_by_label("Brand colour").fill("#4c2c92")
    with navigation(page):
        page.get_by_role("button", name="Save", exact=True).click()
    assert CouncilSettings.load().brand_colour == "#4c2c92"
    visit(page, "/admin/council/area/add/")
