"""Comms staff review nominations: the queue, decisions, notes, duplicates and history."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from council.models import OutboundEmail
from council.roles import Role
from nominations import services
from nominations.models import ConsentLink, Nomination, Nominee, PossibleDuplicate
from tests.council.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comms(client):
    user = StaffFactory(email="comms@example.org", roles=[Role.COMMS], authenticator=True)
    client.force_login(user)
    return user


def staff_entry(answers, campaign, **changes):
    return services.nomination_submit(
        campaign=campaign, answers={**answers, **changes}, source=Nomination.Source.STAFF
    )


def test_the_queue_lists_confirmed_nominations_oldest_first_and_never_unconfirmed_ones(
    client, comms, campaign, answers
):
    newer = staff_entry(answers, campaign, nominee_name="Second Person")
    older = staff_entry(answers, campaign, nominee_name="First Person")
    Nomination.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    services.nomination_submit(
        campaign=campaign, answers={**answers, "nominee_name": "Not Confirmed"}
    )
    client.get("/staff/nominations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/nominations/")
    for index in range(30):
        staff_entry(answers, campaign, nominee_name=f"Person {index}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/staff/nominations/").content.decode()
    # The same number of queries for 3 nominations as for 33.
    assert len(many.captured_queries) == len(few.captured_queries) <= 16
    assert page.index("First Person") < page.index("Second Person")
    assert "Not Confirmed" not in page
    assert newer.reference in page


def test_the_queue_opens_on_those_waiting_for_review(client, comms, campaign, answers):
    waiting = staff_entry(answers, campaign, nominee_name="Waiting Person")
    done = staff_entry(answers, campaign, nominee_name="Approved Person")
    services.nomination_approve(nomination=done, actor=comms)
    page = client.get("/staff/nominations/").content.decode()
    assert waiting.reference in page and done.reference not in page
    assert '<option value="submitted" selected>' in page
    everything = client.get("/staff/nominations/?status=").content.decode()
    assert waiting.reference in everything and done.reference in everything


def test_filters_and_search(client, comms, campaign, answers):
    young = staff_entry(answers, campaign, nominee_name="Priya Shah", nominee_kind="young_person")
    adult = staff_entry(answers, campaign, nominee_name="Amir Haddad")
    page = client.get("/staff/nominations/", {"under_18": "on"}).content.decode()
    assert young.reference in page and adult.reference not in page
    page = client.get("/staff/nominations/", {"q": "haddad"}).content.decode()
    assert adult.reference in page and young.reference not in page


def test_approving_asks_the_nominee_for_consent_by_email(client, comms, campaign, answers):
    nomination = staff_entry(answers, campaign)
    response = client.post(f"/staff/nominations/{nomination.reference}/approve/")
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPROVED
    assert nomination.decided_by == comms
    link = ConsentLink.objects.get(nominee=nomination.nominee)
    assert link.role == ConsentLink.Role.NOMINEE
    email = OutboundEmail.objects.get(to=["maureen@example.net"])
    assert "/consent/" in email.body_text and link.short_code in email.body_text
    page = client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    assert "Approved" in page and "Asked for consent" in page


def test_an_under_18_needs_a_guardian_too(campaign, answers):
    nomination = staff_entry(
        answers,
        campaign,
        nominee_kind="young_person",
        nominee_email="",
        guardian_name="Pat",
        guardian_email="pat@example.net",
    )
    services.nomination_approve(nomination=nomination, actor=None)
    assert set(ConsentLink.objects.values_list("role", flat=True)) == {"nominee", "guardian"}
    assert OutboundEmail.objects.filter(to=["pat@example.net"]).count() == 2


def test_rejecting_needs_a_reason(client, comms, campaign, answers):
    nomination = staff_entry(answers, campaign)
    client.post(f"/staff/nominations/{nomination.reference}/reject/", {"reason": ""})
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED
    client.post(
        f"/staff/nominations/{nomination.reference}/reject/", {"reason": "Not in our borough"}
    )
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.REJECTED
    assert nomination.rejection_reason == "Not in our borough"
    assert (
        "Not in our borough"
        in client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    )


def test_bulk_approve_and_reject(client, comms, campaign, answers):
    first, second, third = (
        staff_entry(answers, campaign, nominee_name=name) for name in ("A One", "B Two", "C Three")
    )
    response = client.post(
        "/staff/nominations/decide/",
        {"selected": [first.pk, second.pk], "decision": "approve"},
        follow=True,
    )
    assert "2 nominations approved" in response.content.decode()
    response = client.post(
        "/staff/nominations/decide/",
        {"selected": [second.pk, third.pk], "decision": "reject"},
        follow=True,
    )
    assert "Enter the reason for rejecting the nominations" in response.content.decode()
    response = client.post(
        "/staff/nominations/decide/",
        {"selected": [second.pk, third.pk], "decision": "reject", "reason": "Duplicate"},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "1 nomination rejected" in page
        and f"{second.reference}: This nomination was already approved." in page
    )
    assert dict(Nomination.objects.values_list("reference", "status")) == {
        first.reference: "approved",
        second.reference: "approved",
        third.reference: "rejected",
    }


def test_assign_and_notes_are_kept_with_the_history(client, comms, campaign, answers):
    colleague = StaffFactory(email="colleague@example.org", roles=[Role.COMMS])
    nomination = staff_entry(answers, campaign)
    client.post(f"/staff/nominations/{nomination.reference}/assign/", {"assignee": colleague.pk})
    client.post(
        f"/staff/nominations/{nomination.reference}/notes/",
        {"text": "Phoned the nominator to check the address."},
    )
    page = client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    assert "Phoned the nominator to check the address." in page
    assert "Assigned" in page and "Added a note" in page
    assert (
        client.get("/staff/nominations/", {"assigned_to": colleague.pk})
        .content.decode()
        .count(nomination.reference)
        >= 1
    )


def test_possible_duplicates_are_shown_with_reasons_and_merges_can_be_undone(
    client, comms, campaign, answers
):
    first = staff_entry(answers, campaign, nominee_name="Maureen Clarke", postcode="NE34 6AB")
    second = staff_entry(
        answers, campaign, nominee_name="Mrs Maureen Clark", nominee_email="", postcode="ne346ab"
    )
    pair = PossibleDuplicate.objects.get(nominee=second.nominee)
    assert pair.candidate == first.nominee
    page = client.get(f"/staff/nominations/{second.reference}/").content.decode()
    assert "Possibly the same person" in page and "The same postcode" in page
    # The other nominee's nominations are there to compare, one click away.
    assert f'href="/staff/nominations/{first.reference}/"' in page

    client.post(f"/staff/nominations/{second.reference}/duplicates/{pair.pk}/", {"same": "yes"})
    second.refresh_from_db()
    assert second.nominee == first.nominee
    assert Nominee.objects.get(pk=pair.nominee_id).merged_into == first.nominee
    page = client.get(f"/staff/nominations/{second.reference}/").content.decode()
    assert "Merged into the nominee <strong>Maureen Clarke</strong>" in page

    merge_id = (
        first.nominee.nomineemerge_set.first().pk
        if hasattr(first.nominee, "nomineemerge_set")
        else None
    )
    from nominations.models import NomineeMerge

    merge_id = NomineeMerge.objects.get().pk
    client.post(f"/staff/nominations/{second.reference}/merges/{merge_id}/undo/")
    second.refresh_from_db()
    assert second.nominee_id == pair.nominee_id
    assert Nominee.objects.get(pk=pair.nominee_id).merged_into is None

    # Split by mistake? The pair is still there, to be merged after all.
    page = client.get(f"/staff/nominations/{second.reference}/").content.decode()
    assert "Decided to be different people" in page and "Same person after all: merge" in page
    client.post(f"/staff/nominations/{second.reference}/duplicates/{pair.pk}/", {"same": "yes"})
    second.refresh_from_db()
    assert second.nominee == first.nominee


def test_a_nomination_not_yet_confirmed_is_never_offered_as_the_same_person(campaign, answers):
    waiting = services.nomination_submit(
        campaign=campaign, answers={**answers, "nominee_name": "Maureen Clarke"}
    )
    confirmed = staff_entry(answers, campaign, nominee_name="Maureen Clarke")
    # Staff are not asked about a nomination its nominator has not confirmed (it may
    # be junk, and is purged if never confirmed)...
    assert not PossibleDuplicate.objects.filter(nominee=confirmed.nominee).exists()
    # ...until it is confirmed: then the pair is found.
    services.nomination_confirm(token=services.confirmation_token(waiting))
    pair = PossibleDuplicate.objects.get(nominee=waiting.nominee)
    assert pair.candidate == confirmed.nominee


def test_a_nominee_who_has_died_is_flagged(client, comms, campaign, answers):
    nomination = staff_entry(answers, campaign)
    client.post(f"/staff/nominations/{nomination.reference}/died/", {"has_died": "yes"})
    nomination.nominee.refresh_from_db()
    assert nomination.nominee.has_died
    assert "Has died" in client.get("/staff/nominations/").content.decode()


def test_people_without_the_comms_role_cannot_review(client, campaign, answers):
    nomination = staff_entry(answers, campaign)
    coordinator = StaffFactory(roles=[Role.COORDINATOR], authenticator=True)
    client.force_login(coordinator)
    assert client.get("/staff/nominations/").status_code == 403
    assert client.post(f"/staff/nominations/{nomination.reference}/approve/").status_code == 403
    client.force_login(UserFactory())
    assert client.get(f"/staff/nominations/{nomination.reference}/").status_code == 403


def test_unconfirmed_nominations_are_purged_after_30_days(campaign, answers):
    old = services.nomination_submit(campaign=campaign, answers=answers)
    recent = services.nomination_submit(campaign=campaign, answers=answers)
    Nomination.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.nominations_purge_unconfirmed() == 1
    assert list(Nomination.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Nominee.objects.filter(pk=old.nominee_id).exists()


def test_the_dashboard_shows_what_waits_for_comms(client, comms, campaign, answers):
    staff_entry(answers, campaign)
    mine = staff_entry(answers, campaign, nominee_name="Someone Else")
    services.nomination_assign(nomination=mine, assignee=comms, actor=comms)
    page = client.get("/staff/").content.decode()
    assert re.search(r'<span class="app-dashboard__count">2</span> Nominations to review', page)
    assert re.search(r'<span class="app-dashboard__count">1</span> Assigned to you', page)


def test_a_bulk_decision_with_a_mistake_keeps_the_search_and_the_ticks(
    client, comms, campaign, answers
):
    first, second, _third = (
        staff_entry(answers, campaign, nominee_name=name)
        for name in ("Bob One", "Bob Two", "Zed Three")
    )
    here = "q=Bob&status=submitted"
    response = client.post(
        "/staff/nominations/decide/",
        {"selected": [second.pk], "decision": "reject", "reason": " ", "here": here},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page
    assert '<a href="#bulk-reason">Enter the reason for rejecting the nominations</a>' in page
    assert 'id="bulk-reason-error"' in page
    assert 'name="q" value="Bob"' in page  # the search is kept
    assert "Bob One" in page and "Zed Three" not in page
    assert re.search(rf'value="{second.pk}" checked', page)
    assert not re.search(rf'value="{first.pk}" checked', page)
    assert re.search(r'value="reject" checked', page)
    assert Nomination.objects.filter(status="submitted").count() == 3

    response = client.post(
        "/staff/nominations/decide/",
        {"selected": [second.pk], "decision": "reject", "reason": "Duplicate", "here": here},
    )
    assert response["Location"] == f"/staff/nominations/?{here}"


def approved_without_email(client, answers, campaign, **contact):
    """A nomination of someone with no email, entered and approved by the signed-in comms."""
    nomination = staff_entry(answers, campaign, nominee_email="", **contact)
    client.post(f"/staff/nominations/{nomination.reference}/approve/")
    return nomination


def test_staff_see_consent_and_the_codes_and_can_send_new_links(client, comms, campaign, answers):
    nomination = approved_without_email(
        client,
        answers,
        campaign,
        address_line_1="1 High Street",
        town="South Shields",
        postcode="NE33 2RL",
        contact_methods=["post"],
    )
    old = ConsentLink.objects.get(nominee=nomination.nominee)
    page = client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    assert "Not answered yet: nothing about them is published." in page
    assert "no email address, so the code goes with the letter by post" in page
    assert f"<strong>{old.short_code[:4]} {old.short_code[4:]}</strong>" in page

    response = client.post(f"/staff/nominations/{nomination.reference}/consent/", follow=True)
    page = response.content.decode()
    assert "New consent links sent; the old ones no longer work." in page
    new = ConsentLink.objects.get(nominee=nomination.nominee, superseded_at=None)
    assert new.pk != old.pk and new.short_code[:4] in page

    services.consent_record(
        link=new, answers={"channels": ["roll_of_honour"], "name_display": "first_initial"}
    )
    page = client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    assert "May be named on: the roll of honour. Name shown: Maureen C.; no photo." in page


def test_a_nominee_with_no_email_or_address_has_their_code_read_out(
    client, comms, campaign, answers
):
    nomination = approved_without_email(
        client,
        answers,
        campaign,
        address_line_1="",
        town="",
        postcode="",
        employer="Westoe Road Bakery",
        contact_methods=["employer"],
    )
    page = client.get(f"/staff/nominations/{nomination.reference}/").content.decode()
    assert "no email address or postal address: read the code out to them" in page
    assert "goes with the letter by post" not in page
