"""Comms staff write and approve citations at /staff/heroes/."""

from html import escape

import pytest

from council.models import AuditLogEntry
from council.roles import Role
from nominations import services as nominations
from recognition.honours.models import HonourEntry, ListingStatus
from recognition.honours.services import HonoursError
from tests.council.factories import StaffFactory
from tests.honours.conftest import give_consent, make_hero, nominate

pytestmark = pytest.mark.django_db

WORDS = "Maureen does the shopping for six housebound neighbours every week."


@pytest.fixture
def waiting(campaign):
    """An approved nominee who said yes to the roll of honour, with no citation yet."""
    nomination = nominate(campaign, name="Maureen Clarke", reason=WORDS)
    nominations.nomination_approve(nomination=nomination, actor=None)
    give_consent(nomination.nominee, name_display="first_initial")
    return HonourEntry.objects.get(nominee=nomination.nominee)


@pytest.fixture
def signed_in(client, comms):
    client.force_login(comms)
    return client


def test_signed_out_people_are_asked_to_sign_in_and_other_staff_refused(client, waiting):
    response = client.get("/staff/heroes/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(StaffFactory(roles=[Role.COORDINATOR], authenticator=True))
    assert client.get("/staff/heroes/").status_code == 403
    assert client.get(f"/staff/heroes/{waiting.pk}/").status_code == 403
    assert (
        client.post(f"/staff/heroes/{waiting.pk}/", {"citation": "x", "revision": 0}).status_code
        == 403
    )
    waiting.refresh_from_db()
    assert waiting.citation == ""


def test_the_list_shows_each_nominee_and_why_they_are_not_listed(signed_in, campaign, waiting):
    make_hero(campaign, name="Amir Haddad")
    page = signed_in.get("/staff/heroes/").content.decode()
    assert "Maureen Clarke" in page and "Needs writing" in page and "Needs a citation" in page
    assert "Amir Haddad" in page and "Listed" in page
    needing = signed_in.get("/staff/heroes/?listing=needs_citation").content.decode()
    assert "Maureen Clarke" in needing and "Amir Haddad" not in needing
    listed = signed_in.get("/staff/heroes/?listing=listed&q=amir").content.decode()
    assert "Amir Haddad" in listed and "Maureen Clarke" not in listed


def test_the_nomination_words_are_beside_the_citation_form(signed_in, waiting):
    page = signed_in.get(f"/staff/heroes/{waiting.pk}/").content.decode()
    assert WORDS in page
    assert "Maureen C." in page  # the name the public will see
    assert '<label class="govuk-label govuk-label--s" for="id_citation">Citation</label>' in page
    assert 'data-module="govuk-character-count" data-maxlength="300"' in page


def test_writing_and_approving_a_citation_lists_the_name(signed_in, client, waiting, comms):
    response = signed_in.post(
        f"/staff/heroes/{waiting.pk}/",
        {
            "citation": "  For weekly shopping\nfor six neighbours.  ",
            "revision": 0,
            "action": "approve",
        },
        follow=True,
    )
    assert "Citation approved. Maureen C. is on the roll of honour." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.listed and waiting.citation == "For weekly shopping for six neighbours."
    assert waiting.citation_approved_by == comms
    actions = set(
        AuditLogEntry.objects.filter(object_id=str(waiting.pk)).values_list("action", flat=True)
    )
    assert {
        "honours.citation.saved",
        "honours.citation.approved",
        "honours.entry.listed",
    } <= actions
    client.logout()
    assert "For weekly shopping for six neighbours." in client.get("/heroes/").content.decode()


def test_saving_without_approving_waits_for_approval(signed_in, waiting):
    response = signed_in.post(
        f"/staff/heroes/{waiting.pk}/",
        {"citation": "For weekly shopping.", "revision": 0, "action": "save"},
        follow=True,
    )
    assert "Citation saved. It needs approval" in response.content.decode()
    waiting.refresh_from_db()
    assert (
        waiting.status == ListingStatus.AWAITING_APPROVAL and waiting.citation_approved_at is None
    )


@pytest.mark.parametrize(
    ("citation", "message"),
    [
        ("", "Enter a citation"),
        ("   ", "Enter a citation"),
        ("x" * 301, "The citation must be 300 characters or fewer"),
        (
            WORDS,
            "Write the citation in your own words: it cannot be the nomination as it was written",
        ),
        (
            "Mrs Clarke does everyone's shopping.",
            "Maureen Clarke asked for their name to be shown as “Maureen C.”. Remove “Clarke” from the citation",
        ),
    ],
)
def test_a_citation_that_breaks_a_rule_is_explained_by_the_field(
    signed_in, waiting, citation, message
):
    response = signed_in.post(
        f"/staff/heroes/{waiting.pk}/", {"citation": citation, "revision": 0, "action": "approve"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#id_citation">{message}</a>' in page
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in page
    # What was typed is kept.
    if citation.strip():
        assert escape(citation[:40]) in page
    waiting.refresh_from_db()
    assert waiting.citation == "" and not waiting.listed


def test_a_colleagues_change_meanwhile_is_shown_not_overwritten(signed_in, waiting, comms):
    from recognition.honours import services

    services.citation_save(entry=waiting, text="A colleague's words.", actor=comms)
    response = signed_in.post(
        f"/staff/heroes/{waiting.pk}/",
        {"citation": "My words.", "revision": 0, "action": "save"},
    )
    page = response.content.decode()
    assert "A colleague changed this citation while you were editing it" in page
    assert "A colleague&#x27;s words." in page and "My words." in page
    waiting.refresh_from_db()
    assert waiting.citation == "A colleague's words."
    # Saving again, having seen it, works.
    signed_in.post(
        f"/staff/heroes/{waiting.pk}/",
        {"citation": "My words.", "revision": waiting.revision, "action": "save"},
    )
    waiting.refresh_from_db()
    assert waiting.citation == "My words."


def test_withdrawing_approval_from_the_page(signed_in, campaign):
    entry = make_hero(campaign, name="Amir Haddad")
    response = signed_in.post(
        f"/staff/heroes/{entry.pk}/withdraw-approval/", {"revision": entry.revision}, follow=True
    )
    assert "Approval withdrawn" in response.content.decode()
    entry.refresh_from_db()
    assert not entry.listed
    assert AuditLogEntry.objects.filter(
        action="honours.citation.approval_withdrawn", object_id=str(entry.pk)
    ).exists()
    again = signed_in.post(f"/staff/heroes/{entry.pk}/withdraw-approval/", follow=True)
    assert "This citation is not approved" in again.content.decode()


def test_no_citation_for_a_nominee_no_longer_approved(campaign):
    from recognition.honours import services

    entry = make_hero(campaign, name="Amir Haddad")
    duplicate = make_hero(campaign, name="Amir Hadad")
    nominations.nominee_merge(nominee=duplicate.nominee, into=entry.nominee, actor=None)
    with pytest.raises(HonoursError) as error:
        services.citation_save(entry=duplicate, text="New words.", actor=None)
    assert error.value.code == "not_on_roll"


def test_the_staff_dashboard_asks_for_citations(signed_in, waiting):
    page = signed_in.get("/staff/").content.decode()
    assert "Nominees need a citation for the roll of honour" in page
    assert "/staff/heroes/?listing=needs_citation" in page


def test_the_navigation_offers_the_roll_to_everyone_and_citations_to_comms(client, signed_in):
    page = signed_in.get("/staff/").content.decode()
    assert (
        'href="/heroes/">Roll of honour</a>' in page
        and 'href="/staff/heroes/">Citations</a>' in page
    )
    signed_in.logout()
    public = client.get("/").content.decode()
    assert 'href="/heroes/">Roll of honour</a>' in public and "/staff/heroes/" not in public


def test_the_admin_shows_entries_but_changes_nothing(client, waiting):
    client.force_login(StaffFactory(is_superuser=True, authenticator=True))
    assert client.get("/admin/honours/honourentry/").status_code == 200
    assert client.get(f"/admin/honours/honourentry/{waiting.pk}/change/").status_code == 200
    assert client.get("/admin/honours/honourentry/add/").status_code == 403
