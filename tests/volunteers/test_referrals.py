"""Referrals: one click refers, each hand-off has a time limit in working days, the
organisation is reminded and the coordinator alerted once each, and the volunteer's
status follows. The clock is passed in (`now=`), never slept on."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from council.models import AuditLogEntry, CouncilSettings, OutboundEmail
from council.roles import Role
from tests.council.factories import StaffFactory, UserFactory
from tests.volunteers.factories import (
    OpportunityFactory,
    OrganisationFactory,
    VolunteerFactory,
    contact_for,
    skill,
)
from volunteers import selectors, workdays
from volunteers.models import Opportunity, Referral, Volunteer
from volunteers.services import placement
from volunteers.services.placement import PlacementError

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def coordinator(db):
    return StaffFactory(
        email="coordinator@example.org", roles=[Role.COORDINATOR], authenticator=True
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Riverside Food Bank", email="referrals@foodbank.example")


@pytest.fixture
def contact(organisation):
    return contact_for(organisation, email="manager@foodbank.example")


@pytest.fixture
def role(organisation):
    return OpportunityFactory(organisation=organisation, title="Food bank driver", capacity=2)


@pytest.fixture
def volunteer(db):
    return VolunteerFactory(full_name="Sam Taylor", user=UserFactory(email="sam@example.net"))


def emails(to: str) -> list[OutboundEmail]:
    return [email for email in OutboundEmail.objects.order_by("pk") if to in email.to]


# --- Working days ------------------------------------------------------------------------------


def test_time_limits_count_working_days_skipping_weekends_and_bank_holidays():
    friday = at("2026-12-18T15:00")
    # Two working days after a Friday: Monday and Tuesday.
    assert workdays.end_of_working_days(friday, 2) == at("2026-12-22T23:59:59")
    # Five: Mon 21, Tue 22, Wed 23, Thu 24, then Christmas Day (Fri 25) and Boxing Day
    # (observed on Mon 28) are skipped, so Tuesday 29th.
    assert workdays.end_of_working_days(friday, 5) == at("2026-12-29T23:59:59")
    # From a Saturday the count starts on Monday.
    assert workdays.end_of_working_days(at("2026-11-28T10:00"), 1) == at("2026-11-30T23:59:59")
    # Easter: Good Friday and Easter Monday are not working days.
    assert workdays.end_of_working_days(at("2026-04-02T09:00"), 1) == at("2026-04-07T23:59:59")


# --- Referring -----------------------------------------------------------------------------------


def test_one_click_refers_with_the_score_explained_and_emails_both(
    client, coordinator, volunteer, role, contact
):
    client.force_login(coordinator)
    page = client.get(f"/staff/volunteers/{volunteer.pk}/").content.decode()
    assert "Food bank driver, Riverside Food Bank" in page
    assert "How the score is made up" in page
    assert "No referral yet to this role or its organisation" in page

    response = client.post(f"/staff/volunteers/{volunteer.pk}/refer/", {"opportunity": role.pk})
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers_staff:referral", args=[referral.pk])
    assert referral.status == Referral.Status.REFERRED
    assert referral.referred_by == coordinator
    assert set(referral.score["parts"]) == {
        "skills",
        "interests",
        "availability",
        "distance",
        "youth",
        "fairness",
    }
    assert (
        referral.score["parts"]["fairness"]["words"]
        == "No referral yet to this role or its organisation"
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REFERRED
    assert volunteer.first_referred_at == referral.referred_at
    role.refresh_from_db()
    assert role.last_referred_at == referral.referred_at
    assert role.organisation.last_referred_at == referral.referred_at
    (to_organisation,) = emails("referrals@foodbank.example")
    assert to_organisation.to == ["referrals@foodbank.example", "manager@foodbank.example"]
    assert "Sam Taylor" in to_organisation.body_text
    assert f"/org/referrals/{referral.pk}/" in to_organisation.body_text
    (to_volunteer,) = emails("sam@example.net")
    assert "Riverside Food Bank" in to_volunteer.subject
    assert AuditLogEntry.objects.filter(action="volunteers.referral.referred").count() == 1
    # The referral page shows the explanation as it was when referred.
    page = client.get(reverse("volunteers_staff:referral", args=[referral.pk])).content.decode()
    assert "How the score was made up" in page


def test_a_referral_breaking_a_hard_rule_is_refused_with_the_reason(coordinator, volunteer, role):
    role.minimum_age = 65
    role.save()
    with pytest.raises(PlacementError) as refused:
        placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    assert str(refused.value) == (
        "Sam Taylor cannot be referred to Food bank driver: Younger than the role's minimum age of 65."
    )
    assert not Referral.objects.exists()


def test_a_full_role_takes_no_more_referrals(coordinator, role):
    role.capacity = 1
    role.save()
    placement.referral_create(volunteer=VolunteerFactory(), opportunity=role, actor=coordinator)
    with pytest.raises(PlacementError, match="No places left on the role"):
        placement.referral_create(volunteer=VolunteerFactory(), opportunity=role, actor=coordinator)


def test_only_a_waiting_volunteer_can_be_referred(coordinator, volunteer, role):
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.PAUSED)
    with pytest.raises(PlacementError, match="is not waiting for a role"):
        placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)


def test_a_closed_role_or_suspended_organisation_takes_no_referrals(coordinator, volunteer, role):
    role.status = Opportunity.Status.PAUSED
    role.save()
    with pytest.raises(PlacementError, match="is not taking referrals"):
        placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)


def test_comms_staff_cannot_see_the_coordinators_pages(client, volunteer):
    client.force_login(StaffFactory(roles=[Role.COMMS], authenticator=True))
    assert client.get(f"/staff/volunteers/{volunteer.pk}/").status_code == 403
    assert (
        client.post(f"/staff/volunteers/{volunteer.pk}/refer/", {"opportunity": 1}).status_code
        == 403
    )


# --- The hand-offs and the volunteer's status ------------------------------------------------------


def test_from_referral_to_volunteering_and_back_to_the_queue(coordinator, contact, volunteer, role):
    referral = placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    waiting_since = Volunteer.objects.get(pk=volunteer.pk).waiting_since
    assert placement.referral_steps(referral) == [
        "acknowledge",
        "contacted",
        "decline",
        "checks",
        "activate",
        "no_response",
    ]
    placement.referral_acknowledge(referral=referral, actor=contact)
    placement.referral_contacted(referral=referral, actor=contact)
    placement.referral_check_stage(
        referral=referral, actor=contact, stage=Referral.CheckStage.IN_PROGRESS
    )
    referral.refresh_from_db()
    assert (referral.status, referral.check_stage) == (Referral.Status.CHECKS, "in_progress")
    assert referral.acknowledged_at and referral.first_contact_at and referral.checks_started_at
    placement.referral_check_stage(
        referral=referral, actor=contact, stage=Referral.CheckStage.COMPLETE
    )
    placement.referral_activate(referral=referral, actor=contact)
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    assert volunteer.first_active_at is not None
    with pytest.raises(PlacementError, match="Enter the reason"):
        placement.referral_end(referral=referral, actor=contact, reason=" ")
    placement.referral_end(referral=referral, actor=contact, reason="Moved away")
    volunteer.refresh_from_db()
    # Finished volunteering: back in the queue, at its end.
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.waiting_since > waiting_since
    actions = list(
        AuditLogEntry.objects.filter(
            object_id=str(referral.pk), action__startswith="volunteers.referral"
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "volunteers.referral.referred",
        "volunteers.referral.acknowledged",
        "volunteers.referral.contacted",
        "volunteers.referral.check_stage",
        "volunteers.referral.check_stage",
        "volunteers.referral.active",
        "volunteers.referral.ended",
    ]


def test_a_declined_volunteer_keeps_their_place_in_the_queue(coordinator, contact, volunteer, role):
    waiting_since = volunteer.waiting_since
    referral = placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    with pytest.raises(PlacementError, match="Enter the reason"):
        placement.referral_decline(referral=referral, actor=contact, reason="")
    placement.referral_decline(referral=referral, actor=contact, reason="The role has been filled")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.AVAILABLE
    assert volunteer.waiting_since == waiting_since
    assert "cannot take you on" in emails(volunteer.user.email)[-1].body_text
    # A step that no longer fits the state is refused in words.
    with pytest.raises(
        PlacementError, match="This referral is declined, so it cannot be acknowledged."
    ):
        placement.referral_acknowledge(referral=referral, actor=contact)


def test_a_check_stage_is_a_stage_never_a_result(coordinator, contact, volunteer, role):
    referral = placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    with pytest.raises(ValueError):
        placement.referral_check_stage(referral=referral, actor=contact, stage="failed")
    assert {field.name for field in Referral._meta.get_fields()}.isdisjoint(
        {"check_result", "dbs_result", "conviction", "convictions"}
    )


# --- Time limits, reminders and escalation, with a controlled clock ---------------------------------


def test_past_a_time_limit_the_organisation_is_reminded_once_then_the_coordinator_alerted_once(
    coordinator, contact, volunteer, role
):
    referral = placement.referral_create(
        volunteer=volunteer, opportunity=role, actor=coordinator, now=at("2026-12-18T15:00")
    )
    assert referral.acknowledge_by == at("2026-12-22T23:59:59")
    assert referral.first_contact_by == at("2026-12-29T23:59:59")

    # Within the limit: nothing.
    assert placement.referrals_chase(now=at("2026-12-22T20:00")) == {"reminded": 0, "escalated": 0}
    # Past it: the organisation is reminded, once however often the job runs.
    assert placement.referrals_chase(now=at("2026-12-23T00:05")) == {"reminded": 1, "escalated": 0}
    assert placement.referrals_chase(now=at("2026-12-23T01:05")) == {"reminded": 0, "escalated": 0}
    reminders = [
        e for e in emails("referrals@foodbank.example") if e.subject.startswith("Reminder")
    ]
    assert len(reminders) == 1
    assert (
        "acknowledge the referral by the end of Tuesday 22 December 2026" in reminders[0].body_text
    )
    # Until a working day after the limit has passed, the coordinator is not troubled.
    assert placement.referrals_chase(now=at("2026-12-23T23:00")) == {"reminded": 0, "escalated": 0}
    assert placement.referrals_chase(now=at("2026-12-24T00:05")) == {"reminded": 0, "escalated": 1}
    assert placement.referrals_chase(now=at("2026-12-24T09:05")) == {"reminded": 0, "escalated": 0}
    (alert,) = emails("coordinator@example.org")
    assert alert.subject == "No answer from Riverside Food Bank about Sam Taylor"
    assert f"/staff/volunteers/referrals/{referral.pk}/" in alert.body_text
    referral.refresh_from_db()
    assert referral.reminded_at == at("2026-12-23T00:05")
    assert referral.escalated_at == at("2026-12-24T00:05")
    assert selectors.referrals_overdue(now=at("2026-12-24T09:05")).get() == referral

    # Acknowledged late: the next hand-off (first contact) gets its own reminder and alert.
    placement.referral_acknowledge(referral=referral, actor=contact, now=at("2026-12-24T10:00"))
    assert placement.referrals_chase(now=at("2026-12-29T12:00")) == {"reminded": 0, "escalated": 0}
    assert placement.referrals_chase(now=at("2026-12-30T00:05")) == {"reminded": 1, "escalated": 0}
    assert placement.referrals_chase(now=at("2026-12-31T00:05")) == {"reminded": 0, "escalated": 1}
    assert placement.referrals_chase(now=at("2027-01-04T00:05")) == {"reminded": 0, "escalated": 0}
    assert len(emails("coordinator@example.org")) == 2
    # Contact made: nothing more is chased.
    placement.referral_contacted(referral=referral, actor=contact, now=at("2027-01-04T09:00"))
    assert not selectors.referrals_overdue(now=at("2027-01-10T00:00")).exists()


def test_the_time_limits_come_from_the_council_settings(coordinator, volunteer, role):
    CouncilSettings.objects.update_or_create(
        pk=1, defaults={"referral_acknowledge_days": 1, "referral_first_contact_days": 3}
    )
    referral = placement.referral_create(
        volunteer=volunteer, opportunity=role, actor=coordinator, now=at("2026-11-23T09:00")
    )
    assert referral.acknowledge_by == at("2026-11-24T23:59:59")
    assert referral.first_contact_by == at("2026-11-26T23:59:59")


def test_the_coordinator_closes_an_unanswered_referral_and_refers_again(
    client, coordinator, volunteer, role
):
    other = OpportunityFactory(title="Library helper")
    referral = placement.referral_create(
        volunteer=volunteer, opportunity=role, actor=coordinator, now=at("2026-11-02T09:00")
    )
    placement.referrals_chase(now=at("2026-11-05T00:30"))
    placement.referrals_chase(now=at("2026-11-06T00:30"))
    client.force_login(coordinator)
    page = client.get(f"/staff/volunteers/referrals/{referral.pk}/").content.decode()
    assert "did not answer in time, even after a reminder" in page
    response = client.post(f"/staff/volunteers/referrals/{referral.pk}/no_response/")
    assert response["Location"] == f"/staff/volunteers/{volunteer.pk}/"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NO_RESPONSE
    page = client.get(response["Location"]).content.decode()
    # The old role is not offered again; another is, and one click refers.
    assert "Library helper" in page
    assert "Already referred to this role before: 1 role" in page
    client.post(f"/staff/volunteers/{volunteer.pk}/refer/", {"opportunity": other.pk})
    assert (
        Referral.objects.filter(volunteer=volunteer, status="referred").get().opportunity == other
    )


def test_each_organisations_responsiveness(coordinator, role):
    slow = OpportunityFactory(organisation=OrganisationFactory(name="Slow Society"))
    for number, (acknowledge_at, the_role) in enumerate(
        [
            ("2026-11-02T13:00", role),  # 4 hours, in time
            ("2026-11-02T21:00", role),  # 12 hours, in time
            ("2026-11-10T09:00", slow),  # 8 days: late
            (None, slow),  # never: late
        ]
    ):
        referral = placement.referral_create(
            volunteer=VolunteerFactory(),
            opportunity=the_role,
            actor=coordinator,
            now=at("2026-11-02T09:00"),
        )
        if acknowledge_at:
            placement.referral_acknowledge(
                referral=referral, actor=coordinator, now=at(acknowledge_at)
            )
        assert number >= 0
    figures = selectors.organisation_responsiveness(now=at("2026-11-20T00:00"))
    assert figures[role.organisation_id] == {
        "median_hours": 8.0,
        "counted": 2,
        "in_time": 2,
        "in_time_share": 1.0,
    }
    assert figures[slow.organisation_id]["median_hours"] == pytest.approx(192.0)
    assert figures[slow.organisation_id]["in_time_share"] == 0.0


def test_the_coordinator_sees_responsiveness_and_the_overdue_count(
    client, coordinator, volunteer, role
):
    placement.referral_create(
        volunteer=volunteer, opportunity=role, actor=coordinator, now=at("2026-01-05T09:00")
    )
    client.force_login(coordinator)
    page = client.get("/staff/volunteers/").content.decode()
    assert re.search(r"<strong>1</strong> referral past its time limit", page)
    page = client.get("/staff/volunteers/organisations/").content.decode()
    assert "Riverside Food Bank" in page and "0 of 1" in page
    dashboard = client.get("/staff/").content.decode()
    assert "Referrals past their time limit" in dashboard


def test_the_queue_is_oldest_first_in_few_queries(
    client, coordinator, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    newer = VolunteerFactory(
        full_name="Newer Person", waiting_since=timezone.now() - timedelta(days=1)
    )
    older = VolunteerFactory(
        full_name="Older Person", waiting_since=timezone.now() - timedelta(days=30)
    )
    VolunteerFactory(full_name="Placed Person", status=Volunteer.Status.ACTIVE)
    OpportunityFactory(skills=[skill("Cooking")])
    placement.matches_rebuild()
    client.force_login(coordinator)
    client.get("/staff/volunteers/")
    VolunteerFactory.create_batch(20)
    placement.matches_rebuild()
    with django_assert_max_num_queries(16):
        page = client.get("/staff/volunteers/").content.decode()
    assert page.index(older.full_name) < page.index(newer.full_name)
    assert "Placed Person" not in page
    filtered = client.get("/staff/volunteers/", {"waited_days": "14"}).content.decode()
    assert older.full_name in filtered and newer.full_name not in filtered


def test_a_rematch_is_queued_for_the_worker_after_commit(
    client, coordinator, django_capture_on_commit_callbacks
):
    from unittest import mock

    client.force_login(coordinator)
    with (
        mock.patch("volunteers.tasks.matches_rebuild.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/staff/volunteers/rematch/")
    assert response.status_code == 302
    delay.assert_called_once_with(actor_id=coordinator.pk)


def assert_valid_html(response, status=200):
    from lxml import html as lxml_html
    from tinyhtml5.parser import HTMLParser

    assert response.status_code == status, response.status_code
    text = response.content.decode()
    parser = HTMLParser()
    parser.parse(text)
    assert parser.errors == []
    ids = lxml_html.fromstring(text).xpath("//@id")
    assert len(ids) == len(set(ids)), sorted(ids)


def test_every_coordinator_page_is_valid_html(client, coordinator, contact, volunteer, role):
    referral = placement.referral_create(volunteer=volunteer, opportunity=role, actor=coordinator)
    waiting = VolunteerFactory(full_name="Still Waiting")
    placement.matches_rebuild()
    client.force_login(coordinator)
    for path in [
        "/staff/volunteers/",
        "/staff/volunteers/?q=still&waited_days=7&young=on",
        f"/staff/volunteers/{waiting.pk}/",
        f"/staff/volunteers/{volunteer.pk}/",
        "/staff/volunteers/referrals/",
        "/staff/volunteers/referrals/?overdue=on&status=referred",
        f"/staff/volunteers/referrals/{referral.pk}/",
        "/staff/volunteers/organisations/",
        "/staff/volunteers/organisations/new/",
        f"/staff/volunteers/organisations/{role.organisation_id}/",
        "/staff/volunteers/check-ins/",
    ]:
        assert_valid_html(client.get(path))
    # And with the errors shown beside the fields.
    assert_valid_html(
        client.post(f"/staff/volunteers/referrals/{referral.pk}/decline/", {"decline-reason": ""}),
        400,
    )
    assert_valid_html(client.post("/staff/volunteers/organisations/new/", {"name": ""}), 400)
