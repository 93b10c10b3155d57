"""Staff sign in, set up an authenticator app and reach their dashboard, in a real browser.

The test settings are not demo mode, so a staff account without an authenticator
app is sent to set one up before any staff page opens.
"""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from playwright.sync_api import Locator, Page, expect

from tests.council.factories import PASSWORD, StaffFactory, UserFactory
from tests.e2e.browser import navigation, sign_in, visit

pytestmark = pytest.mark.browser

# allauth accepts only the current code, so a code about to change is not used.
FRESH_FOR = 5


def authenticator_code(secret: str) -> str:
    """The code an authenticator app shows now, waiting for a fresh one near the change."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < FRESH_FOR:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in_and_set_up_an_authenticator_app(page: Page, email: str) -> None:
    visit(page, "/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", ignore_case=True)
    sign_in(page, email, PASSWORD)

    # allauth asks for the password again before adding an authenticator, even just
    # after signing in, then carries on to where the person was going.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm access", ignore_case=True)
    expect(page.get_by_text("Staff accounts need two-factor authentication")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with navigation(page):
        page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Activate authenticator app", ignore_case=True
    )
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    assert len(secret) == 32, secret
    page.get_by_label("Authenticator code").fill(authenticator_code(secret))
    with navigation(page):
        page.get_by_role("button", name="Activate").click()

    # allauth then shows the recovery codes, once, to be kept somewhere safe.
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes", ignore_case=True)
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10, codes

    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is waiting for you")
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()


def test_a_staff_member_sets_up_an_authenticator_app_and_reaches_the_dashboard(page):
    staff = StaffFactory(email="officer@example.org")
    sign_in_and_set_up_an_authenticator_app(page, staff.email)
    assert staff.authenticator_set.filter(type="totp").exists()


def test_the_same_sign_in_works_without_javascript(page_without_js):
    staff = StaffFactory(email="no-script@example.org")
    sign_in_and_set_up_an_authenticator_app(page_without_js, staff.email)
    assert staff.authenticator_set.filter(type="totp").exists()
    # The site's script marks the page when it runs; here it never did.
    expect(page_without_js.locator("body")).not_to_have_class(
        re.compile(r"\bgovuk-frontend-supported\b")
    )


def test_a_staff_member_with_an_authenticator_app_is_asked_for_a_code(page):
    staff = StaffFactory(email="returning@example.org")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(staff, secret)

    visit(page, "/staff/")
    sign_in(page, staff.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Two-factor authentication", ignore_case=True
    )
    page.get_by_label("Code").fill(authenticator_code(secret))
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is waiting for you")


def tab_to(page: Page, target: Locator, *, most: int = 15) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached in {most} presses of Tab")


def test_a_person_signs_in_with_the_keyboard_alone(page):
    person = UserFactory(email="keyboard@example.org")
    visit(page, "/")
    tab_to(page, page.get_by_role("link", name="Sign in"))
    with navigation(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(person.email)
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    with navigation(page):
        page.keyboard.press("Enter")
    expect(page.get_by_text(f"Successfully signed in as {person.email}")).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_someone_who_is_not_staff_is_told_they_cannot_see_staff_pages(page):
    person = UserFactory(email="resident@example.org")
    visit(page, "/accounts/login/")
    sign_in(page, person.email, PASSWORD)
    visit(page, "/staff/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )


def test_the_account_pages_of_a_signed_in_person_are_accessible(page):
    person = UserFactory(email="resident@example.org")
    visit(page, "/accounts/login/")
    sign_in(page, person.email, PASSWORD)

    with navigation(page):
        page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email addresses", ignore_case=True)
    expect(page.get_by_text(person.email)).to_be_visible()

    account = page.get_by_role("navigation", name="Your account")
    with navigation(page):
        account.get_by_role("link", name="Password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password", ignore_case=True)

    with navigation(page):
        account.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Two-factor authentication", ignore_case=True
    )

    with navigation(page):
        page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm access", ignore_case=True)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with navigation(page):
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Activate authenticator app", ignore_case=True
    )
