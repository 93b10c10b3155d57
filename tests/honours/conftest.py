"""Heroes made the way the site makes them: nominated, approved, consent given, citation approved."""

import itertools

import pytest

from council.roles import Role
from nominations import services as nominations
from nominations.models import ConsentLink, Nomination
from recognition.honours import services
from recognition.honours.models import HonourEntry
from tests.council.factories import AreaFactory, StaffFactory
from tests.nominations.factories import CampaignFactory, CategoryFactory

_numbers = itertools.count(1)


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(name="Proud to Support 2026")
    CategoryFactory(campaign=campaign, name="Good neighbour")
    CategoryFactory(campaign=campaign, name="Key worker")
    return campaign


@pytest.fixture
def ward(db):
    return AreaFactory(name="Westoe", code="E05001234")


@pytest.fixture
def comms(db):
    return StaffFactory(roles=[Role.COMMS], authenticator=True)


def give_consent(nominee, *, roll_of_honour=True, name_display="full", role="nominee"):
    link = nominee.consent_links.filter(role=role, superseded_at__isnull=True).latest("pk")
    return nominations.consent_record(
        link=link,
        answers={
            "channels": ["roll_of_honour", "website_story"]
            if roll_of_honour
            else ["website_story"],
            "name_display": name_display,
            "photo_allowed": "no",
        },
    )


def withdraw_consent(nominee, role="nominee"):
    link = nominee.consent_links.filter(role=role, superseded_at__isnull=True).latest("pk")
    return nominations.consent_record(
        link=link, answers={"withdraw": True, "channels": [], "name_display": "anonymous"}
    )


def nominate(campaign, *, name, category="Good neighbour", area=None, kind="person", reason=None):
    """A staff-entered nomination, not yet approved."""
    number = next(_numbers)
    answers = {
        "nominee_kind": kind,
        "category": campaign.categories.get(name=category),
        "nominee_name": name,
        "contact_methods": ["email"],
        "nominee_email": f"hero{number}@example.net",
        "area": area,
        "reason": reason or f"{name} helps everyone on our street, every single day ({number}).",
        "nominator_name": "Jo Resident",
        "nominator_email": "jo@example.net",
        "nominator_relationship": "Neighbour",
        "guardian_name": "Pat Guardian" if kind == "young_person" else "",
        "guardian_email": f"guardian{number}@example.net" if kind == "young_person" else "",
    }
    return nominations.nomination_submit(
        campaign=campaign, answers=answers, source=Nomination.Source.STAFF
    )


def make_hero(
    campaign,
    *,
    name,
    citation="A quiet hero who keeps our street going.",
    category="Good neighbour",
    area=None,
    kind="person",
    name_display="full",
    approve_citation=True,
    actor=None,
) -> HonourEntry:
    """A nominee all the way onto the roll of honour (unless told to stop short)."""
    nomination = nominate(campaign, name=name, category=category, area=area, kind=kind)
    nominations.nomination_approve(nomination=nomination, actor=actor)
    nominee = nomination.nominee
    give_consent(nominee, name_display=name_display)
    if kind == "young_person":
        give_consent(nominee, name_display=name_display, role=ConsentLink.Role.GUARDIAN)
    entry = HonourEntry.objects.get(nominee=nominee)
    if citation:
        entry = services.citation_save(
            entry=entry, text=citation, actor=actor, approve=approve_citation
        )
    return entry


@pytest.fixture(autouse=True)
def _the_size_of_the_roll_stays_true(db):
    """After every test, the count kept with the roll's version is the real count."""
    yield
    from recognition.honours.selectors import roll_state

    assert roll_state().listed_count == HonourEntry.objects.filter(listed=True).count()
