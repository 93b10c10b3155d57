"""Retention: at 3, 6 and 12 months of volunteering the organisation and the volunteer are
asked, once each, whether the volunteer is still volunteering; a volunteer who has
stopped and wants another role goes back to the coordinator's queue."""

import re
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import signing

from council.models import OutboundEmail
from council.roles import Role
from tests.council.factories import StaffFactory, UserFactory
from tests.volunteers.factories import (
    OpportunityFactory,
    OrganisationFactory,
    VolunteerFactory,
    contact_for,
)
from volunteers.models import CheckIn, Referral, Volunteer
from volunteers.services import placement

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def active(db):
    """A referral active since 10 January 2026."""
    coordinator = StaffFactory(roles=[Role.COORDINATOR])
    organisation = OrganisationFactory(name="Cleadon Park Garden", email="garden@park.example")
    contact_for(organisation, email="kim@park.example")
    role = OpportunityFactory(organisation=organisation, title="Gardener")
    volunteer = VolunteerFactory(full_name="Rob Green", user=UserFactory(email="rob@example.net"))
    referral = placement.referral_create(
        volunteer=volunteer, opportunity=role, actor=coordinator, now=at("2026-01-08T10:00")
    )
    placement.referral_activate(referral=referral, actor=coordinator, now=at("2026-01-10T10:00"))
    return Referral.objects.get(pk=referral.pk)


def questions() -> list[OutboundEmail]:
    return [email for email in OutboundEmail.objects.order_by("pk") if "check-in" in email.tags]


def link(email: OutboundEmail, answer: str) -> str:
    return re.search(rf"(/check-in/[^\s/]+/)\?answer={answer}", email.body_text).group(1)


def test_each_question_is_asked_once_at_3_6_and_12_months(active):
    assert placement.add_months(at("2026-01-31T10:00"), 1) == at("2026-02-28T10:00")
    assert placement.check_ins_send_due(now=at("2026-04-09T09:00")) == 0
    assert placement.check_ins_send_due(now=at("2026-04-10T10:00")) == 2
    assert placement.check_ins_send_due(now=at("2026-04-11T09:00")) == 0
    sent = questions()
    assert [email.to for email in sent] == [
        ["garden@park.example", "kim@park.example"],
        ["rob@example.net"],
    ]
    assert sent[0].subject == "Is Rob Green still volunteering with you?"
    assert sent[1].subject == "Are you still volunteering with Cleadon Park Garden?"
    check_ins = list(CheckIn.objects.order_by("respondent"))
    assert [(c.months, c.respondent) for c in check_ins] == [(3, "organisation"), (3, "volunteer")]
    assert all(c.asked_at == at("2026-04-10T10:00") for c in check_ins)
    assert all(c.due_at == at("2026-04-10T10:00") for c in check_ins)
    # Then at 6 and 12 months, and never again after.
    assert placement.check_ins_send_due(now=at("2026-07-10T12:00")) == 2
    assert placement.check_ins_send_due(now=at("2027-01-10T12:00")) == 2
    assert placement.check_ins_send_due(now=at("2028-01-10T12:00")) == 0
    assert len(questions()) == 6
    assert CheckIn.objects.count() == 6


def test_the_question_and_the_asked_time_are_kept_together_or_not_at_all(active):
    real_email = placement._email

    def fail_for_the_volunteer(to, template, *args, **kwargs):
        if template == "check_in_volunteer":
            raise OSError("the outbox is full")
        return real_email(to, template, *args, **kwargs)

    with (
        mock.patch.object(placement, "_email", side_effect=fail_for_the_volunteer),
        pytest.raises(OSError),
    ):
        placement.check_ins_send_due(now=at("2026-04-10T10:00"))
    # The organisation's question went out and is marked asked; the volunteer's left no trace.
    assert [c.respondent for c in CheckIn.objects.all()] == ["organisation"]
    assert len(questions()) == 1
    # The next run asks only the volunteer.
    assert placement.check_ins_send_due(now=at("2026-04-10T11:00")) == 1
    assert [email.to for email in questions()] == [
        ["garden@park.example", "kim@park.example"],
        ["rob@example.net"],
    ]


def test_a_volunteer_who_has_stopped_and_wants_another_role_goes_back_to_the_queue(client, active):
    placement.check_ins_send_due(now=at("2026-04-10T10:00"))
    to_volunteer = questions()[1]
    page = client.get(link(to_volunteer, "no") + "?answer=no")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Are you still volunteering with Cleadon Park Garden?" in html
    assert re.search(r'value="no" checked', html)
    # Saying "no" asks whether they would like another role.
    response = client.post(link(to_volunteer, "no"), {"still": "no"})
    assert response.status_code == 400
    assert "Select yes if you would like another role" in response.content.decode()
    response = client.post(link(to_volunteer, "no"), {"still": "no", "another": "yes"})
    assert "Your answer is saved" in response.content.decode()
    check_in = CheckIn.objects.get(respondent="volunteer")
    assert (check_in.still_volunteering, check_in.wants_another_role) == (False, True)
    active.refresh_from_db()
    assert active.status == Referral.Status.ENDED
    assert "3-month check-in" in active.end_reason
    volunteer = Volunteer.objects.get(pk=active.volunteer_id)
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.waiting_since == check_in.answered_at
    # The link answers once: opening or sending it again changes nothing.
    again = client.post(link(to_volunteer, "yes"), {"still": "yes"})
    assert "This question has already been answered" in again.content.decode()
    check_in.refresh_from_db()
    assert check_in.still_volunteering is False


def test_a_volunteer_who_stopped_and_wants_a_rest_is_paused(active):
    placement.check_ins_send_due(now=at("2026-04-10T10:00"))
    check_in = CheckIn.objects.get(respondent="volunteer")
    placement.check_in_answer(check_in=check_in, still_volunteering=False, wants_another_role=False)
    assert Volunteer.objects.get(pk=active.volunteer_id).status == Volunteer.Status.PAUSED
    with pytest.raises(placement.PlacementError, match="already been answered"):
        placement.check_in_answer(check_in=check_in, still_volunteering=True)


def test_the_organisations_answer_is_kept_for_the_coordinator(client, active):
    placement.check_ins_send_due(now=at("2026-04-10T10:00"))
    to_organisation = questions()[0]
    response = client.post(link(to_organisation, "yes"), {"still": "yes"})
    assert "Your answer is saved" in response.content.decode()
    check_in = CheckIn.objects.get(respondent="organisation")
    assert (check_in.still_volunteering, check_in.wants_another_role) == (True, None)
    active.refresh_from_db()
    assert active.status == Referral.Status.ACTIVE
    coordinator = StaffFactory(roles=[Role.COORDINATOR], authenticator=True)
    client.force_login(coordinator)
    page = client.get("/staff/volunteers/check-ins/").content.decode()
    assert "organisation said still volunteering" in page


def test_ended_referrals_are_not_asked(active):
    placement.referral_end(
        referral=active, actor=None, reason="Moved away", now=at("2026-02-01T10:00")
    )
    assert placement.check_ins_send_due(now=at("2026-04-10T10:00")) == 0


def test_a_made_up_or_tampered_link_is_refused(client, active):
    placement.check_ins_send_due(now=at("2026-04-10T10:00"))
    check_in = CheckIn.objects.get(respondent="volunteer")
    assert client.get("/check-in/not-a-token/").status_code == 400
    forged = signing.dumps(
        {"c": check_in.pk, "x": "0" * 32}, salt="volunteers.check_in", compress=True
    )
    response = client.get(f"/check-in/{forged}/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
