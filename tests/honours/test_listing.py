"""Who is on the roll of honour, as whom, and how quickly they leave it."""

import pytest

from nominations import services as nominations
from nominations.models import ConsentLink
from nominations.services import consent_token
from recognition.honours import services
from recognition.honours.models import NAME_WITHHELD, HonourEntry, ListingStatus
from tests.honours.conftest import give_consent, make_hero, nominate, withdraw_consent

pytestmark = pytest.mark.django_db


def heroes_page(client, query="") -> str:
    response = client.get(f"/heroes/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_hero_is_listed_with_their_name_category_ward_campaign_and_citation(
    client, campaign, ward
):
    entry = make_hero(
        campaign,
        name="Maureen Clarke",
        area=ward,
        citation="For two years of weekly shopping for six housebound neighbours.",
    )
    assert entry.listed and entry.status == ListingStatus.LISTED
    page = heroes_page(client)
    assert "Maureen Clarke" in page
    assert "Good neighbour" in page and "Westoe" in page and "Proud to Support 2026" in page
    assert "For two years of weekly shopping for six housebound neighbours." in page


def test_the_nomination_as_written_is_never_shown(client, campaign):
    nomination = nominate(
        campaign, name="Arthur Dobson", reason="Arthur lives at 4 Sea Road and has diabetes."
    )
    nominations.nomination_approve(nomination=nomination, actor=None)
    give_consent(nomination.nominee)
    entry = HonourEntry.objects.get(nominee=nomination.nominee)
    services.citation_save(
        entry=entry, text="A friend to the whole of Sea Road.", actor=None, approve=True
    )
    page = heroes_page(client)
    assert "Arthur Dobson" in page and "diabetes" not in page and "4 Sea Road" not in page


def test_withdrawing_consent_takes_the_name_off_in_the_same_request(client, campaign):
    entry = make_hero(campaign, name="Ngozi Mensah")
    assert "Ngozi Mensah" in heroes_page(client)  # and now cached
    link = entry.nominee.consent_links.get(role=ConsentLink.Role.NOMINEE)

    response = client.post(f"/consent/{consent_token(link)}/", {"withdraw": "all"})

    assert response.status_code == 200
    assert "Ngozi Mensah" not in heroes_page(client)
    assert "Ngozi" not in heroes_page(client, "?q=ngozi")
    entry.refresh_from_db()
    assert not entry.listed and entry.status == ListingStatus.NO_CONSENT
    assert entry.search_text == "" and entry.display_name == ""


def test_saying_no_to_the_roll_of_honour_keeps_them_off(client, campaign):
    entry = make_hero(campaign, name="Wei Chen")
    give_consent(entry.nominee, roll_of_honour=False)
    entry.refresh_from_db()
    assert entry.status == ListingStatus.DECLINED
    assert "Wei Chen" not in heroes_page(client)


def test_someone_who_chose_not_to_be_named_is_listed_with_their_name_withheld(client, campaign):
    make_hero(
        campaign,
        name="Tomasz Kowalski",
        name_display="anonymous",
        citation="Kept the lunch club going.",
    )
    page = heroes_page(client)
    assert str(NAME_WITHHELD) in page and "Kept the lunch club going." in page
    assert "Tomasz" not in page and "Kowalski" not in page
    # The name is not searchable either.
    assert "Kept the lunch club going." not in heroes_page(client, "?q=tomasz")


def test_first_name_and_initial_is_shown_and_only_that_is_searchable(client, campaign):
    make_hero(campaign, name="Aisha Hussain", name_display="first_initial")
    page = heroes_page(client)
    assert "Aisha H." in page and "Hussain" not in page
    assert "Aisha H." in heroes_page(client, "?q=aisha")
    assert "Aisha H." not in heroes_page(client, "?q=hussain")


def test_a_young_person_is_listed_only_once_a_guardian_agrees_too(client, campaign):
    nomination = nominate(campaign, name="Priya Shah", kind="young_person")
    nominations.nomination_approve(nomination=nomination, actor=None)
    nominee = nomination.nominee
    entry = HonourEntry.objects.get(nominee=nominee)
    services.citation_save(
        entry=entry, text="Raised money for the food bank.", actor=None, approve=True
    )
    give_consent(nominee, name_display="first_initial")
    entry.refresh_from_db()
    assert entry.status == ListingStatus.NO_CONSENT
    assert "Priya S." not in heroes_page(client)

    give_consent(nominee, name_display="full", role=ConsentLink.Role.GUARDIAN)
    entry.refresh_from_db()
    # Both agreed; the name shown is the more private of their two answers.
    assert entry.listed and entry.display_name == "Priya S."
    assert "Priya S." in heroes_page(client)

    withdraw_consent(nominee, role=ConsentLink.Role.GUARDIAN)
    assert "Priya S." not in heroes_page(client)


def test_a_merged_nominee_is_not_listed_but_the_one_they_were_merged_into_is(client, campaign):
    kept = make_hero(campaign, name="Margaret O'Neill", citation="Thirty years of the lunch club.")
    duplicate = make_hero(campaign, name="Maggie O'Neill", citation="Bakes for the lunch club.")
    assert "Maggie O&#x27;Neill" in heroes_page(client)

    merge = nominations.nominee_merge(nominee=duplicate.nominee, into=kept.nominee, actor=None)

    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.status == ListingStatus.MERGED and not duplicate.listed
    assert kept.listed
    page = heroes_page(client)
    assert "Maggie" not in page and "Margaret O&#x27;Neill" in page

    # Split again: the citation was kept, so the name comes back without more work.
    nominations.nominee_merge_undo(merge=merge, actor=None)
    duplicate.refresh_from_db()
    assert duplicate.listed and duplicate.citation == "Bakes for the lunch club."


def test_a_citation_is_needed_and_must_be_approved_before_listing(client, campaign):
    entry = make_hero(campaign, name="Kwame Osei", citation="")
    assert entry.status == ListingStatus.NEEDS_CITATION
    entry = services.citation_save(entry=entry, text="Coaches the under-11s.", actor=None)
    assert entry.status == ListingStatus.AWAITING_APPROVAL and not entry.listed
    assert "Kwame Osei" not in heroes_page(client)

    entry = services.citation_save(
        entry=entry, text="Coaches the under-11s.", actor=None, approve=True
    )
    assert entry.listed
    assert "Kwame Osei" in heroes_page(client)

    # Changing the words takes it off until they are approved again.
    entry = services.citation_save(
        entry=entry, text="Coaches the under-11s, rain or shine.", actor=None
    )
    assert entry.status == ListingStatus.AWAITING_APPROVAL
    assert "Kwame Osei" not in heroes_page(client)


def test_withdrawing_approval_takes_the_name_off(client, campaign, comms):
    entry = make_hero(campaign, name="Zofia Nowak")
    services.citation_approval_withdraw(entry=entry, actor=comms)
    entry.refresh_from_db()
    assert entry.status == ListingStatus.AWAITING_APPROVAL
    assert "Zofia Nowak" not in heroes_page(client)


def test_a_rejected_nomination_gets_no_entry(campaign):
    nomination = nominate(campaign, name="Tom Fletcher")
    nominations.nomination_reject(nomination=nomination, actor=None, reason="Not in the borough.")
    assert not HonourEntry.objects.filter(nominee=nomination.nominee).exists()


def test_a_citation_naming_someone_who_chose_a_shorter_name_is_held_back(client, campaign):
    entry = make_hero(
        campaign,
        name="Declan McGrath",
        name_display="full",
        citation="Declan McGrath runs the food bank.",
    )
    assert entry.listed
    # Later they ask for only their first name and initial: the surname in the citation stops the listing.
    give_consent(entry.nominee, name_display="first_initial")
    entry.refresh_from_db()
    assert entry.status == ListingStatus.CITATION_NAMES_THEM
    assert "McGrath" not in heroes_page(client)


def test_an_erased_nominee_leaves_no_cached_page(client, campaign):
    entry = make_hero(campaign, name="Bronwen Hedley")
    assert "Bronwen Hedley" in heroes_page(client)
    from nominations.models import ConsentRecord, Nomination

    nominee = entry.nominee
    ConsentRecord.objects.filter(nominee=nominee).delete()
    Nomination.objects.filter(nominee=nominee).delete()
    nominee.delete()  # as an erasure request would, with the entry by cascade
    assert "Bronwen Hedley" not in heroes_page(client)


def test_refreshing_again_changes_nothing_and_audits_each_listing(campaign):
    from council.models import AuditLogEntry

    entry = make_hero(campaign, name="Harjit Kaur")
    assert services.honour_entries_refresh(nominee_ids=[entry.nominee_id]) == 0
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(entry.pk), action__startswith="honours.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "honours.citation.saved",
        "honours.citation.approved",
        "honours.entry.listed",
    ]
