"""Signing in: MFA for staff, idle sign-out, staff pages closed to others, no account enumeration."""

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from council.models import OutboundEmail
from council.roles import Role
from tests.council.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.parametrize("url", ["/staff/", "/admin/", "/admin/council/area/"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, url):
    client.force_login(StaffFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next={url.replace('/', '%2F')}"


def test_a_new_staff_member_signs_in_and_sets_up_an_authenticator(client):
    staff = StaffFactory()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    response = client.get("/staff/", follow=True)
    # Changing MFA always asks for the password again first.
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Staff accounts need two-factor authentication" in response.content.decode()
    response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    secret = response.context["form"].secret

    response = client.post(
        f"{reverse('mfa_activate_totp')}?next=/staff/", {"code": current_code(secret)}
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_staff_with_an_authenticator_reach_the_dashboard(client):
    staff = StaffFactory()
    with_totp(staff)
    client.force_login(staff)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "What is waiting for you" in response.content.decode()


def test_demo_mode_lets_staff_in_without_mfa(client, settings):
    settings.DEMO_MODE = True
    client.force_login(StaffFactory())
    assert client.get("/staff/").status_code == 200


def test_signing_in_with_a_password_then_asks_for_the_code(client):
    staff = StaffFactory()
    secret = with_totp(staff)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in until the code is given

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"  # staff land on what waits for them
    assert client.get("/staff/").status_code == 200


def test_the_admin_signs_in_through_the_same_mfa_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changing_mfa_needs_recent_reauthentication(client, settings):
    staff = StaffFactory()
    with_totp(staff)
    client.force_login(staff)
    session = client.session
    session.pop("account_authentication_methods", None)
    session.save()
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_people_who_are_not_staff_get_a_403_page(client):
    client.force_login(UserFactory())
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/staff/"


def test_an_idle_session_is_signed_out(client, settings):
    user = StaffFactory()
    with_totp(user)
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()

    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_session_cookie_is_secure_httponly_samesite_and_host_only(client):
    staff = UserFactory()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    cookie = client.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_password_reset_says_the_same_whether_or_not_an_account_exists(client):
    user = UserFactory()
    known = client.post(reverse("account_reset_password"), {"email": user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody-here@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done_known = client.get(known["Location"]).content.decode()
    assert "email" in done_known.lower()
    # Each address is told by email, privately, what happened.
    assert OutboundEmail.objects.filter(to=[user.email]).count() == 1
    assert OutboundEmail.objects.filter(to=["nobody-here@example.org"]).count() == 1


def test_account_emails_go_through_the_outbox(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new.volunteer@example.org",
            "password1": "a-very-long-password-77",
            "password2": "a-very-long-password-77",
        },
    )
    email = OutboundEmail.objects.get(to=["new.volunteer@example.org"])
    assert email.status == OutboundEmail.Status.QUEUED
    assert "/accounts/confirm-email/" in email.body_text


def test_an_organisations_contact_lands_on_their_organisations_page(client):
    contact = UserFactory(roles=[Role.ORGANISATION_CONTACT])
    response = client.post(reverse("account_login"), {"login": contact.email, "password": PASSWORD})
    assert response["Location"] == "/org/"
