"""The public pages and the account entrance pages, in a real browser, for everyone."""

import pytest
from playwright.sync_api import expect

from council.models import OutboundEmail
from tests.council.factories import UserFactory
from tests.e2e.browser import check_accessibility, navigation, visit

pytestmark = pytest.mark.browser


def test_the_home_page_leads_to_the_accessibility_statement_and_the_privacy_notice(page):
    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Proud to Support")
    footer = page.get_by_role("contentinfo")
    with navigation(page):
        footer.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Proud to Support"
    )
    with navigation(page):
        footer.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")


def test_a_missing_page_says_so_and_offers_the_way_home(page):
    visit(page, "/no-such-page/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title("Page not found – Proud to Support – Your Council")
    with navigation(page):
        page.get_by_role("link", name="Go to the Proud to Support home page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proud to Support")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page):
    visit(page, "/privacy/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab carries on from the main content, not from the header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link").first).to_be_focused()


def test_a_sign_in_with_the_wrong_password_is_explained_next_to_the_form(page):
    visit(page, "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", ignore_case=True)
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password", exact=True).fill("not-the-password-at-all")
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title("Error: Sign In – Proud to Support – Your Council")
    summary.get_by_role(
        "link", name="The email address and/or password you specified are not correct"
    ).click()
    expect(page.get_by_label("Email")).to_be_focused()


def test_sign_up_with_mismatched_passwords_links_each_error_to_its_field(page):
    visit(page, "/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up", ignore_case=True)
    page.get_by_label("Email").fill("new.person@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-new-password-2026")
    page.get_by_label("Password (again)").fill("a-different-password-2026")
    with navigation(page):
        page.get_by_role("button", name="Sign up").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Password (again)")).to_be_focused()


def test_asking_for_a_password_reset_says_an_email_is_on_its_way(page):
    person = UserFactory(email="forgetful@example.org")
    visit(page, "/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password reset", ignore_case=True)
    page.get_by_label("Email").fill(person.email)
    with navigation(page):
        page.get_by_role("button", name="Reset my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password reset", ignore_case=True)
    expect(page.get_by_text("We have sent you an email")).to_be_visible()
    assert [email.to for email in OutboundEmail.objects.all()] == [[person.email]]


def test_on_a_narrow_screen_the_menu_opens_from_its_button(page):
    page.set_viewport_size({"width": 320, "height": 640})
    visit(page, "/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Sign in")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    check_accessibility(page)
