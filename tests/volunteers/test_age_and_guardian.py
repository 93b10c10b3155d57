"""Age on the day decides: under 16 cannot sign up, 16 and 17 need a guardian's yes, 18 goes straight through."""

from datetime import timedelta

import pytest
from django.utils import timezone

from council.models import AuditLogEntry, OutboundEmail
from tests.council.factories import UserFactory
from tests.volunteers.factories import born_aged
from tests.volunteers.profile_helpers import date_fields, emailed_path, sign_up, walk
from volunteers.models import GuardianConsentLink, Volunteer
from volunteers.services import profile as services

pytestmark = pytest.mark.django_db

GUARDIAN_LINK = r"/volunteer/guardian/[^/\s]+/"


@pytest.fixture
def person(client):
    user = UserFactory(email="jo@example.org")
    client.force_login(user)
    return user


def test_under_16_is_refused_with_a_page_saying_why_and_what_else_to_do(client, person):
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(15)))
    assert response["Location"] == "/volunteer/too-young/"
    page = client.get(response["Location"]).content.decode()
    assert "You need to be 16 or older to sign up" in page
    assert "We have not kept your date of birth or anything else about you" in page
    assert 'href="/nominate/"' in page
    assert "youth group" in page
    # Nothing about them is kept: no profile, and the audit row holds no age or date.
    assert not Volunteer.objects.exists()
    entry = AuditLogEntry.objects.get(action="volunteers.volunteer.refused_too_young")
    assert entry.data == {}


def test_the_day_before_the_16th_birthday_is_still_too_young(client, person):
    birthday = born_aged(16) + timedelta(days=1)  # 16 today
    day_later = birthday + timedelta(days=1)  # 16 tomorrow
    assert services.age_on(day_later, timezone.localdate()) == 15
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(day_later))
    assert response["Location"] == "/volunteer/too-young/"
    # On the birthday itself they may sign up.
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(birthday))
    assert response["Location"] == "/volunteer/questions/guardian/"


def test_correcting_a_date_of_birth_to_under_16_later_removes_the_profile(client, person):
    walk(client, stop_before="postcode")
    assert Volunteer.objects.filter(user=person).exists()
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(14)))
    assert response["Location"] == "/volunteer/too-young/"
    assert not Volunteer.objects.filter(user=person).exists()
    # The account stays, and can start again.
    assert client.get("/volunteer/profile/")["Location"] == "/volunteer/questions/date-of-birth/"


def test_18_goes_straight_through_without_a_guardian(client, person):
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(18)))
    assert response["Location"] == "/volunteer/questions/name/"
    assert client.get("/volunteer/questions/guardian/")["Location"] == "/volunteer/questions/name/"
    sign_up(client, age=18)
    assert not GuardianConsentLink.objects.exists()
    assert OutboundEmail.objects.filter(to=["pat@example.net"]).count() == 0


def test_17_is_told_about_youth_roles_and_asked_for_a_guardian(client, person):
    client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(17)))
    page = client.get("/volunteer/questions/guardian/").content.decode()
    assert "You can volunteer at 16 or 17" in page
    assert "suitable for young people" in page
    response = client.post(
        "/volunteer/questions/guardian/",
        {"guardian_name": "", "guardian_email": person.email},
    )
    page = response.content.decode()
    assert "Enter your parent or guardian&#x27;s full name" in page
    assert "Enter your parent or guardian&#x27;s own email address, not yours" in page


def test_the_guardian_is_emailed_when_the_profile_is_finished_and_agrees_once(client, person):
    walk(client, age=17)
    assert not GuardianConsentLink.objects.exists()  # nothing is sent before the end
    page = sign_up_finish(client)
    assert "We emailed pat@example.net" in page
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.guardian_consent_at is None

    path = emailed_path("pat@example.net", GUARDIAN_LINK)
    client.logout()  # the guardian has no account
    page = client.get(path).content.decode()
    assert "Jo Clarke would like to volunteer" in page
    assert "Do you agree to Jo Clarke volunteering?" in page

    response = client.post(path, {})
    assert "Select yes if you agree" in response.content.decode()
    response = client.post(path, {"agrees": "yes"})
    assert "You have agreed to Jo Clarke volunteering" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.guardian_consent_at is not None
    assert AuditLogEntry.objects.filter(action="volunteers.guardian.agreed").count() == 1
    told = OutboundEmail.objects.filter(to=[person.email]).latest("pk")
    assert told.subject == "Your parent or guardian has agreed"

    # Single use: the same link cannot answer again.
    response = client.get(path)
    assert response.status_code == 400
    assert "This link has already been used to answer." in response.content.decode()


def sign_up_finish(client) -> str:
    client.post("/volunteer/check/")
    return client.get("/volunteer/profile/").content.decode()


def test_a_guardian_who_says_no_leaves_the_volunteer_waiting_and_may_be_asked_again(client, person):
    walk(client, age=16)
    sign_up_finish(client)
    path = emailed_path("pat@example.net", GUARDIAN_LINK)
    client.post(path, {"agrees": "no"})
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.guardian_consent_at is None
    assert GuardianConsentLink.objects.get().agreed is False
    page = client.get("/volunteer/profile/").content.decode()
    assert "Pat Clarke did not agree" in page
    assert "Send the link to Pat Clarke again" in page
    client.post("/volunteer/profile/guardian-link/")
    assert GuardianConsentLink.objects.count() == 2
    new_path = emailed_path("pat@example.net", GUARDIAN_LINK)
    assert new_path != path
    assert client.get(new_path).status_code == 200


def test_a_new_link_retires_the_old_one(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    old = emailed_path("pat@example.net", GUARDIAN_LINK)
    response = client.post("/volunteer/profile/guardian-link/", follow=True)
    assert "We have emailed a new link to pat@example.net" in response.content.decode()
    response = client.get(old)
    assert response.status_code == 400
    assert "A newer link has been sent, so this one no longer works." in response.content.decode()
    assert client.get(emailed_path("pat@example.net", GUARDIAN_LINK)).status_code == 200


def test_an_expired_link_says_so_and_the_volunteer_can_send_another(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    path = emailed_path("pat@example.net", GUARDIAN_LINK)
    GuardianConsentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    assert client.post(path, {"agrees": "yes"}).status_code == 400
    assert Volunteer.objects.get(user=person).guardian_consent_at is None
    page = client.get("/volunteer/profile/").content.decode()
    assert "The link we sent has expired or no longer works" in page


def test_a_tampered_link_is_refused(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    path = emailed_path("pat@example.net", GUARDIAN_LINK)
    response = client.get(path[:-3] + "xx/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_re_sending_is_limited(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    statuses = [client.post("/volunteer/profile/guardian-link/").status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]


def test_there_is_nothing_to_re_send_once_the_guardian_has_agreed(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    client.post(emailed_path("pat@example.net", GUARDIAN_LINK), {"agrees": "yes"})
    page = client.get("/volunteer/profile/").content.decode()
    assert "Pat Clarke agreed on" in page
    assert "Send the link" not in page
    response = client.post("/volunteer/profile/guardian-link/", follow=True)
    assert "Your parent or guardian has already agreed." in response.content.decode()
    assert GuardianConsentLink.objects.count() == 1


def test_a_new_guardian_email_after_consent_asks_the_new_guardian(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    client.post(emailed_path("pat@example.net", GUARDIAN_LINK), {"agrees": "yes"})
    response = client.post(
        "/volunteer/questions/guardian/",
        {"guardian_name": "Sam Clarke", "guardian_email": "sam@example.net"},
    )
    assert response["Location"] == "/volunteer/profile/"
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.guardian_consent_at is None
    assert OutboundEmail.objects.filter(to=["sam@example.net"]).count() == 1
    assert GuardianConsentLink.objects.filter(superseded_at__isnull=True).get().email == (
        "sam@example.net"
    )


def test_a_date_of_birth_corrected_to_18_forgets_the_guardian(client, person):
    walk(client, age=17)
    sign_up_finish(client)
    client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(30)))
    volunteer = Volunteer.objects.get(user=person)
    assert (volunteer.guardian_name, volunteer.guardian_email) == ("", "")
    assert not GuardianConsentLink.objects.filter(superseded_at__isnull=True).exists()


def test_a_date_of_birth_corrected_to_17_asks_for_a_guardian_then_emails_them(client, person):
    sign_up(client, age=30)
    response = client.post("/volunteer/questions/date-of-birth/", date_fields(born_aged(17)))
    assert response["Location"] == "/volunteer/questions/guardian/?change=1"
    response = client.post(
        "/volunteer/questions/guardian/?change=1",
        {"guardian_name": "Pat Clarke", "guardian_email": "pat@example.net"},
    )
    assert response["Location"] == "/volunteer/profile/"
    assert OutboundEmail.objects.filter(to=["pat@example.net"]).count() == 1


def test_services_refuse_a_link_for_someone_who_needs_no_guardian(client, person):
    sign_up(client, age=30)
    with pytest.raises(services.VolunteerError) as error:
        services.guardian_consent_request(volunteer=Volunteer.objects.get(), actor=person)
    assert error.value.code == "guardian_not_needed"
