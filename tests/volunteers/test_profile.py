"""The volunteer's own page: everything they told us, their referrals, pause, resume and close."""

import pytest

from council.models import AuditLogEntry, OutboundEmail
from tests.council.factories import UserFactory
from tests.volunteers.factories import OpportunityFactory, VolunteerFactory
from tests.volunteers.profile_helpers import assert_well_formed, date_fields, sign_up
from volunteers import selectors
from volunteers.journey import STEPS
from volunteers.models import Opportunity, Referral, Volunteer
from volunteers.services.profile import CLOSED_REASON, PAUSED_REASON

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    user = UserFactory(email="jo@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def volunteer(client, person):
    sign_up(client)
    return Volunteer.objects.get(user=person)


def refer(volunteer, title, organisation_name, status=Referral.Status.REFERRED):
    role = OpportunityFactory(title=title, organisation__name=organisation_name)
    return Referral.objects.create(volunteer=volunteer, opportunity=role, status=status)


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get("/volunteer/profile/")
    assert response["Location"] == "/accounts/login/?next=/volunteer/profile/"


def test_the_page_shows_every_answer_with_a_way_to_change_it(client, volunteer):
    page = client.get("/volunteer/profile/").content.decode()
    assert "Your volunteering profile" in page
    assert "You are waiting to be matched with a role" in page
    for text in ("Jo Clarke", "07700 900 982", "NE33 2RL", "Up to 5 km", "Monday: morning"):
        assert text in page
    for step in ("date-of-birth", "name", "postcode", "travel", "skills", "interests"):
        assert f'href="/volunteer/questions/{step}/"' in page
    assert "You have not been referred to a role yet." in page


def test_changing_an_answer_returns_to_the_page_and_is_audited(client, volunteer):
    page = client.get("/volunteer/questions/postcode/").content.decode()
    assert 'href="/volunteer/profile/"' in page  # back, and cancel
    assert 'value="NE33 2RL"' in page
    response = client.post("/volunteer/questions/postcode/", {"postcode": "NE34 6AB"}, follow=True)
    assert response.redirect_chain[-1][0] == "/volunteer/profile/"
    assert "Your answers have been saved." in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.postcode == "NE34 6AB"
    assert volunteer.status == Volunteer.Status.AVAILABLE
    entry = AuditLogEntry.objects.filter(action="volunteers.profile.changed").get()
    assert entry.data == {"question": "postcode", "changed": ["postcode"]}


def test_a_bad_change_keeps_what_was_saved(client, volunteer):
    response = client.post("/volunteer/questions/name/", {"full_name": "", "phone": "12"})
    assert "Enter your full name" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.full_name == "Jo Clarke"


def test_the_volunteer_sees_their_referrals_and_where_each_is_up_to(client, volunteer):
    refer(volunteer, "Befriender", "Age Concern South", Referral.Status.ACKNOWLEDGED)
    refer(volunteer, "Food bank driver", "Riverside Food Bank", Referral.Status.DECLINED)
    page = client.get("/volunteer/profile/").content.decode()
    assert "Befriender" in page and "Age Concern South" in page
    assert "They have your details and will contact you" in page
    assert "Food bank driver" in page and "Not going ahead" in page


def test_a_volunteer_sees_only_their_own_details_and_referrals(client, volunteer):
    someone_else = VolunteerFactory(full_name="Other Person", postcode="NE32 5QR")
    refer(someone_else, "Secret role", "Somebody Else's Charity")
    page = client.get("/volunteer/profile/").content.decode()
    assert "Other Person" not in page
    assert "NE32 5QR" not in page
    assert "Secret role" not in page
    # No page takes a volunteer's id, so there is no other profile to ask for.
    client.force_login(someone_else.user)
    page = client.get("/volunteer/profile/").content.decode()
    assert "Other Person" in page and "Jo Clarke" not in page


def test_the_page_reads_a_bounded_number_of_queries(
    client, volunteer, django_assert_max_num_queries
):
    for number in range(10):
        refer(volunteer, f"Role {number}", f"Organisation {number}")
    with django_assert_max_num_queries(20):
        client.get("/volunteer/profile/")


def test_pause_and_resume(client, volunteer):
    first_waiting = volunteer.waiting_since
    response = client.post("/volunteer/profile/pause/", follow=True)
    assert "Your profile is paused" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.PAUSED
    assert "Resume my profile" in response.content.decode()

    response = client.post("/volunteer/profile/resume/", follow=True)
    assert "The coordinator can offer you roles again" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.waiting_since > first_waiting  # back in the queue from today
    assert list(
        AuditLogEntry.objects.filter(
            action__in=["volunteers.volunteer.paused", "volunteers.volunteer.resumed"]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["volunteers.volunteer.paused", "volunteers.volunteer.resumed"]


def test_only_a_volunteer_waiting_for_a_role_can_pause(client, volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.REFERRED)
    response = client.post("/volunteer/profile/pause/", follow=True)
    assert "You can pause your profile only while you are waiting for a role." in (
        response.content.decode()
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REFERRED
    response = client.post("/volunteer/profile/resume/", follow=True)
    assert "Your profile is not paused." in response.content.decode()


def test_closing_asks_first_then_closes_and_emails(client, volunteer):
    page = client.get("/volunteer/profile/close/").content.decode()
    assert "Are you sure you want to close your profile?" in page
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.AVAILABLE  # asking changed nothing

    response = client.post("/volunteer/profile/close/", follow=True)
    page = response.content.decode()
    assert "Your profile is closed" in page
    assert "Open my profile again" in page
    assert 'href="/volunteer/questions/' not in page  # nothing to change while closed
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.CLOSED and volunteer.closed_at is not None
    assert OutboundEmail.objects.filter(
        to=[volunteer.user.email], subject="You have closed your volunteering profile"
    ).exists()
    # The questions and the close page lead back to the profile page.
    assert client.get("/volunteer/questions/name/")["Location"] == "/volunteer/profile/"
    assert client.get("/volunteer/profile/close/")["Location"] == "/volunteer/profile/"


def test_a_closed_profile_can_be_opened_again(client, volunteer):
    client.post("/volunteer/profile/close/")
    client.post("/volunteer/profile/reopen/")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.closed_at is None


def test_the_referred_volunteer_is_asked_to_tell_the_organisation_when_closing(client, volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.ACTIVE)
    page = client.get("/volunteer/profile/close/").content.decode()
    assert "please tell them too" in page


@pytest.fixture
def referred_and_active(volunteer):
    """A referral the organisation has not started on, and one the volunteer is doing, each
    the last place on its role, with a declined one from before that is already over."""
    waiting = refer(volunteer, "Befriender", "Age Concern South")
    doing = refer(volunteer, "Food bank driver", "Riverside Food Bank", Referral.Status.ACTIVE)
    over = refer(volunteer, "Gardener", "Green Spaces", Referral.Status.DECLINED)
    Opportunity.objects.filter(pk__in=[waiting.opportunity_id, doing.opportunity_id]).update(
        capacity=1
    )
    return waiting, doing, over


def _places_left(*referrals) -> list[int]:
    roles = Opportunity.objects.filter(pk__in=[r.opportunity_id for r in referrals])
    return [facts.places_left for facts in selectors.role_facts(roles)]


def _organisation_emails(referral) -> list[str]:
    organisation = referral.opportunity.organisation
    return list(
        OutboundEmail.objects.filter(to=[organisation.email]).values_list("subject", flat=True)
    )


def test_closing_ends_every_open_referral_and_tells_each_organisation(
    client, volunteer, referred_and_active
):
    waiting, doing, over = referred_and_active
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.ACTIVE)
    assert _places_left(waiting, doing) == [0, 0]
    page = client.get("/volunteer/profile/close/").content.decode()
    assert "We will end these referrals and email each organisation" in page
    assert "Befriender with Age Concern South" in page
    assert "Food bank driver with Riverside Food Bank (you are volunteering)" in page
    assert "Gardener" not in page

    client.post("/volunteer/profile/close/")

    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.CLOSED
    for referral in (waiting, doing):
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ENDED
        assert referral.end_reason == CLOSED_REASON
        assert referral.ended_at == volunteer.closed_at
    over.refresh_from_db()
    assert over.status == Referral.Status.DECLINED and over.ended_at is None
    assert _organisation_emails(waiting) == ["Referral ended: Jo Clarke for Befriender"]
    assert _organisation_emails(doing) == ["Referral ended: Jo Clarke for Food bank driver"]
    assert _organisation_emails(over) == []
    body = OutboundEmail.objects.get(subject="Referral ended: Jo Clarke for Befriender").body_text
    assert CLOSED_REASON in body
    assert f"/org/referrals/{waiting.pk}/" in body
    mine = OutboundEmail.objects.get(subject="You have closed your volunteering profile")
    assert "We have told each organisation you were referred to" in mine.body_text
    entries = AuditLogEntry.objects.filter(action="volunteers.referral.ended").order_by("pk")
    assert [(entry.object_id, entry.data) for entry in entries] == [
        (str(waiting.pk), {"was": "referred", "by_volunteer": True}),
        (str(doing.pk), {"was": "active", "by_volunteer": True}),
    ]
    assert _places_left(waiting, doing) == [1, 1]  # both roles can take someone else


def test_pausing_ends_only_the_referrals_not_yet_started(client, volunteer, referred_and_active):
    waiting, doing, over = referred_and_active

    client.post("/volunteer/profile/pause/")

    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.PAUSED
    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.ENDED
    assert waiting.end_reason == PAUSED_REASON
    doing.refresh_from_db()
    assert doing.status == Referral.Status.ACTIVE and doing.end_reason == ""
    over.refresh_from_db()
    assert over.status == Referral.Status.DECLINED
    assert _organisation_emails(waiting) == ["Referral ended: Jo Clarke for Befriender"]
    assert _organisation_emails(doing) == []
    assert AuditLogEntry.objects.filter(action="volunteers.referral.ended").count() == 1
    assert _places_left(waiting, doing) == [1, 0]


def test_pausing_and_closing_without_referrals_change_nothing_else(client, volunteer):
    emails = set(OutboundEmail.objects.values_list("pk", flat=True))
    entries = set(AuditLogEntry.objects.values_list("pk", flat=True))
    page = client.get("/volunteer/profile/close/").content.decode()
    assert "We will end" not in page

    client.post("/volunteer/profile/pause/")
    client.post("/volunteer/profile/resume/")
    client.post("/volunteer/profile/close/")

    new_emails = OutboundEmail.objects.exclude(pk__in=emails)
    assert [(email.to, email.subject) for email in new_emails] == [
        ([volunteer.user.email], "You have closed your volunteering profile")
    ]
    assert "We have told" not in new_emails.get().body_text
    assert list(
        AuditLogEntry.objects.exclude(pk__in=entries)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "volunteers.volunteer.paused",
        "volunteers.volunteer.resumed",
        "volunteers.volunteer.closed",
    ]
    assert not Referral.objects.exists()


def test_a_finished_profile_made_elsewhere_can_still_change_any_answer(client):
    # Volunteers made by the coordinator's tests or imports have no list of answered questions.
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)
    assert client.get("/volunteer/questions/heard/").status_code == 200
    response = client.post(
        "/volunteer/questions/date-of-birth/", date_fields(volunteer.date_of_birth)
    )
    assert response["Location"] == "/volunteer/profile/"


def test_an_unfinished_profile_leads_back_into_the_questions(client, person):
    client.post(
        "/volunteer/questions/date-of-birth/", date_fields(VolunteerFactory.build().date_of_birth)
    )
    assert client.get("/volunteer/profile/")["Location"] == "/volunteer/questions/name/"
    page = client.get("/volunteer/").content.decode()
    assert "Continue your profile" in page


def test_every_volunteer_page_is_well_formed(client, volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(
        guardian_name="Pat", guardian_email="p@example.net"
    )
    refer(volunteer, "Befriender", "Age Concern South")
    pages = [
        "/volunteer/",
        "/volunteer/profile/",
        "/volunteer/profile/close/",
        "/volunteer/too-young/",
    ]
    pages += [f"/volunteer/questions/{step.slug}/" for step in STEPS if step.slug != "guardian"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_well_formed(response.content.decode())
    # And with every message showing.
    for step in STEPS:
        if step.slug in ("guardian", "skills", "anything-else"):
            continue
        response = client.post(f"/volunteer/questions/{step.slug}/", {})
        assert "There is a problem" in response.content.decode(), step.slug
        assert_well_formed(response.content.decode())
