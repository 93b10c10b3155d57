"""Matching: the hard rules, the explained score, fairness, and the full rematch."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from council.roles import Role
from tests.council.factories import StaffFactory
from tests.volunteers.factories import (
    FAR,
    HERE,
    NEAR,
    OpportunityFactory,
    OrganisationFactory,
    VolunteerFactory,
    born_aged,
    skill,
)
from volunteers import matching, selectors
from volunteers.matching import (
    EXCLUSIONS,
    Names,
    RoleFacts,
    RoleTable,
    VolunteerFacts,
    assess,
    rank_pairwise,
)
from volunteers.models import Match, Opportunity, Referral, Volunteer, availability_mask
from volunteers.services import placement

NOW = timezone.now()
MON_AM, WED_PM, SAT_AM = (
    availability_mask([slot]) for slot in ("mon_morning", "wed_afternoon", "sat_morning")
)


def person(**changes) -> VolunteerFacts:
    facts = VolunteerFacts(
        id=1,
        age=40,
        guardian_consent=False,
        latitude=HERE[0],
        longitude=HERE[1],
        travel_km=10,
        remote_only=False,
        skills=frozenset({1, 2}),
        interests=frozenset({10}),
        availability=MON_AM | WED_PM,
    )
    return replace(facts, **changes)


def role(**changes) -> RoleFacts:
    facts = RoleFacts(
        id=100,
        organisation_id=7,
        skills=frozenset({1, 2, 3}),
        interests=frozenset({10, 11}),
        availability=MON_AM | SAT_AM,
        latitude=NEAR[0],
        longitude=NEAR[1],
        remote=False,
        minimum_age=18,
        youth_friendly=False,
        places_left=2,
        last_referred_at=None,
        organisation_last_referred_at=None,
    )
    return replace(facts, **changes)


NAMES = Names(
    skills={1: "Teaching", 2: "First aid", 3: "Driving"},
    interests={10: "Sport", 11: "Older people"},
)


# --- The explained score -------------------------------------------------------------------


def test_each_part_is_explained_with_its_value_and_words():
    found = assess(person(), role(), now=NOW, names=NAMES)
    parts = {part.name: part for part in found.parts}
    assert found.offered
    assert [part.name for part in found.parts] == [
        "skills",
        "interests",
        "availability",
        "distance",
        "youth",
        "fairness",
    ]
    assert parts["skills"].value == pytest.approx(2 / 3)
    assert parts["skills"].words == "Has 2 of the 3 skills wanted: First aid, Teaching"
    assert parts["interests"].value == pytest.approx(1 / 2)
    assert parts["interests"].words == "Shares 1 of the role's 2 interests: Sport"
    assert parts["availability"].value == pytest.approx(1 / 2)
    assert parts["availability"].words == "Free at 1 of the 2 times the role needs"
    km = matching.haversine_km(*HERE, *NEAR)
    assert 3.0 < km < 4.0
    assert parts["distance"].value == pytest.approx(1 - km / 10)
    assert parts["distance"].words == f"{km:.1f} km away, within the 10 km they will travel"
    assert parts["youth"].value == 0.5
    assert parts["youth"].words == "Not a factor for volunteers aged 25 and over"
    assert parts["fairness"].value == 1.0
    assert parts["fairness"].words == "No referral yet to this role or its organisation"
    # The score is the weighted mean of the parts, out of 100, and the points add up to it.
    expected = (
        sum(matching.WEIGHTS[p.name] * p.value for p in found.parts) / matching.TOTAL_WEIGHT * 100
    )
    assert found.score == pytest.approx(expected)
    assert sum(part.points for part in found.parts) == pytest.approx(found.score)
    kept = found.as_dict()
    assert kept["parts"]["skills"] == {
        "label": "Skills",
        "value": 0.6667,
        "weight": 0.3,
        "points": round(parts["skills"].points, 1),
        "words": "Has 2 of the 3 skills wanted: First aid, Teaching",
    }


def test_a_role_naming_no_skills_interests_or_times_is_neutral_or_flexible():
    found = assess(
        person(), role(skills=frozenset(), interests=frozenset(), availability=0), now=NOW
    )
    parts = {part.name: part for part in found.parts}
    assert parts["skills"].value == 0.5
    assert parts["skills"].words == "The role asks for no particular skills"
    assert parts["interests"].value == 0.5
    assert parts["interests"].words == "The role names no particular interests"
    assert parts["availability"].value == 1.0
    assert parts["availability"].words == "The role has no fixed times"


def test_a_remote_role_scores_full_distance_whatever_the_distance():
    found = assess(
        person(latitude=None, longitude=None),
        role(remote=True, latitude=None, longitude=None),
        now=NOW,
    )
    distance = next(part for part in found.parts if part.name == "distance")
    assert (distance.value, distance.words) == (1.0, "Can be done from home")


def test_youth_friendliness_counts_for_young_volunteers_only():
    def youth(age, friendly):
        volunteer = person(age=age, guardian_consent=True)
        part = next(
            p
            for p in assess(volunteer, role(youth_friendly=friendly, minimum_age=16), now=NOW).parts
            if p.name == "youth"
        )
        return part.value, part.words

    assert youth(17, True) == (
        1.0,
        "Youth-friendly role, for a 17 year old with a guardian's consent",
    )
    assert youth(20, True) == (1.0, "Youth-friendly role, welcoming to young volunteers")
    assert youth(20, False) == (0.0, "Not marked as youth-friendly")
    assert youth(60, True) == (0.5, "Not a factor for volunteers aged 25 and over")


def test_fairness_lifts_roles_and_organisations_not_referred_to_lately():
    never = assess(person(), role(), now=NOW)
    yesterday = assess(
        person(),
        role(
            last_referred_at=NOW - timedelta(days=1),
            organisation_last_referred_at=NOW - timedelta(days=1),
        ),
        now=NOW,
    )
    organisation_only = assess(
        person(), role(organisation_last_referred_at=NOW - timedelta(days=14)), now=NOW
    )
    long_ago = assess(
        person(),
        role(
            last_referred_at=NOW - timedelta(days=60),
            organisation_last_referred_at=NOW - timedelta(days=60),
        ),
        now=NOW,
    )

    def fairness(found):
        return next(part for part in found.parts if part.name == "fairness")

    assert fairness(never).value == 1.0
    assert fairness(yesterday).value == pytest.approx(1 / 28)
    assert (
        fairness(yesterday).words
        == "Last referral to this role: 1 day ago; to the organisation: 1 day ago"
    )
    assert fairness(organisation_only).value == pytest.approx(0.75)
    assert fairness(long_ago).value == 1.0
    assert never.score > yesterday.score
    assert never.score == pytest.approx(long_ago.score)


# --- Hard rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volunteer", "the_role", "code", "reason"),
    [
        (person(age=None), role(), "age_unknown", EXCLUSIONS["age_unknown"]),
        (
            person(age=15),
            role(minimum_age=14, youth_friendly=True),
            "under_16",
            EXCLUSIONS["under_16"],
        ),
        (
            person(age=19),
            role(minimum_age=21),
            "too_young",
            "Younger than the role's minimum age of 21",
        ),
        (
            person(age=17, guardian_consent=True),
            role(minimum_age=16),
            "youth_only",
            EXCLUSIONS["youth_only"],
        ),
        (
            person(age=17, guardian_consent=False),
            role(minimum_age=16, youth_friendly=True),
            "guardian_consent",
            EXCLUSIONS["guardian_consent"],
        ),
        (person(), role(places_left=0), "full", EXCLUSIONS["full"]),
        (person(remote_only=True), role(), "remote_only", EXCLUSIONS["remote_only"]),
        (
            person(latitude=None, longitude=None),
            role(),
            "location_unknown",
            EXCLUSIONS["location_unknown"],
        ),
        (person(), role(latitude=FAR[0], longitude=FAR[1]), "too_far", None),
        (
            person(referred_roles=frozenset({100})),
            role(),
            "already_referred",
            EXCLUSIONS["already_referred"],
        ),
    ],
)
def test_each_hard_rule_keeps_the_role_back_and_says_why(volunteer, the_role, code, reason):
    found = assess(volunteer, the_role, now=NOW)
    assert not found.offered
    assert found.excluded == code
    if reason is not None:
        assert found.reason == reason
    else:
        km = matching.haversine_km(*HERE, *FAR)
        assert found.reason == f"{km:.1f} km away, further than the 10 km they will travel"
    # The table applies the same rules.
    assert RoleTable([the_role], now=NOW).rank(volunteer) == []


def test_the_rules_that_let_a_role_through():
    # A 16 or 17 year old with a guardian's consent may take a youth-friendly role from 16.
    assert assess(
        person(age=16, guardian_consent=True), role(minimum_age=16, youth_friendly=True), now=NOW
    ).offered
    # Remote-only volunteers and volunteers whose place is unknown can take remote roles.
    assert assess(person(remote_only=True), role(remote=True), now=NOW).offered
    assert assess(person(latitude=None, longitude=None), role(remote=True), now=NOW).offered
    # Exactly at the minimum age is old enough; exactly at the edge of travel is near enough.
    assert assess(person(age=21), role(minimum_age=21), now=NOW).offered
    km = matching.haversine_km(*HERE, *NEAR)
    assert assess(person(travel_km=km + 1e-9), role(), now=NOW).offered


# --- The table ranks as the pairs do ----------------------------------------------------------

_places = st.tuples(st.floats(54.80, 55.10), st.floats(-1.70, -1.20))
_ids = st.frozensets(st.integers(1, 70), max_size=5)


@st.composite
def _roles(draw):
    count = draw(st.integers(0, 25))
    roles = []
    for number in range(count):
        remote = draw(st.booleans())
        place = draw(st.one_of(st.none(), _places))
        roles.append(
            RoleFacts(
                id=number + 1,
                organisation_id=draw(st.integers(1, 5)),
                skills=draw(_ids),
                interests=draw(_ids),
                availability=draw(st.integers(0, 2**21 - 1)),
                latitude=place[0] if place else None,
                longitude=place[1] if place else None,
                remote=remote,
                minimum_age=draw(st.sampled_from([16, 18, 21])),
                youth_friendly=draw(st.booleans()),
                places_left=draw(st.integers(-1, 3)),
                last_referred_at=draw(st.one_of(st.none(), st.just(NOW - timedelta(days=3)))),
                organisation_last_referred_at=draw(
                    st.one_of(st.none(), st.just(NOW - timedelta(days=40)))
                ),
            )
        )
    return roles


@st.composite
def _volunteers(draw):
    place = draw(st.one_of(st.none(), _places))
    return VolunteerFacts(
        id=1,
        age=draw(st.one_of(st.none(), st.integers(14, 80))),
        guardian_consent=draw(st.booleans()),
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        travel_km=draw(st.sampled_from([0, 2, 5, 10, 25])),
        remote_only=draw(st.booleans()),
        skills=draw(_ids),
        interests=draw(_ids),
        availability=draw(st.integers(0, 2**21 - 1)),
        referred_roles=draw(st.frozensets(st.integers(1, 40), max_size=3)),
    )


@settings(max_examples=100, deadline=None)
@given(roles=_roles(), volunteer=_volunteers(), limit=st.integers(1, 12))
def test_the_table_ranks_exactly_as_scoring_each_pair_does(roles, volunteer, limit):
    expected = rank_pairwise(volunteer, roles, now=NOW, limit=limit)
    table = RoleTable(roles, now=NOW)
    got = table.rank(volunteer, limit=limit)
    assert [role.id for role, _score in got] == [found.role_id for found in expected]
    for (_role, score), found in zip(got, expected, strict=True):
        assert score == pytest.approx(found.score, abs=1e-6)
    broken = [matching.exclusion(volunteer, role) for role in roles]
    assert table.exclusion_counts(volunteer) == dict(
        Counter(found[0] for found in broken if found is not None)
    )
    explained = table.explain(volunteer, limit=limit)
    assert [found.role_id for found in explained] == [found.role_id for found in expected]
    for got_found, want in zip(explained, expected, strict=True):
        assert [(p.name, p.words) for p in got_found.parts] == [
            (p.name, p.words) for p in want.parts
        ]
        assert [p.value for p in got_found.parts] == pytest.approx(
            [p.value for p in want.parts], abs=1e-9
        )
    for (role_id, score, values), found in zip(
        table.rank_values(volunteer, limit=limit), expected, strict=True
    ):
        assert role_id == found.role_id
        assert score == pytest.approx(found.score, abs=1e-6)
        assert values == pytest.approx({part.name: part.value for part in found.parts}, abs=1e-9)


# --- With the database: fairness, the live ranking and the full rematch ------------------------


@pytest.fixture
def coordinator(db):
    return StaffFactory(roles=[Role.COORDINATOR], authenticator=True)


def test_with_many_equal_roles_referrals_spread_across_organisations(coordinator):
    teaching = skill("Teaching")
    organisations = [OrganisationFactory() for _ in range(8)]
    for organisation in organisations:
        # Two identical roles each, with room for everyone: only fairness tells them apart.
        for _ in range(2):
            OpportunityFactory(organisation=organisation, skills=[teaching], capacity=50)
    volunteers = [VolunteerFactory(skills=[teaching]) for _ in range(16)]
    chosen = []
    for volunteer in volunteers:
        facts = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer.pk))[0]
        best_role, _score = selectors.role_table().rank(facts, limit=1)[0]
        referral = placement.referral_create(
            volunteer=volunteer,
            opportunity=Opportunity.objects.get(pk=best_role.id),
            actor=coordinator,
        )
        chosen.append(referral.opportunity.organisation_id)
    # The first eight go to eight different organisations, and none gets more than two.
    assert len(set(chosen[:8])) == 8
    assert max(chosen.count(organisation.pk) for organisation in organisations) == 2
    fairness = Referral.objects.get(volunteer=volunteers[1]).score["parts"]["fairness"]
    assert fairness["value"] == 1.0
    assert fairness["words"] == "No referral yet to this role or its organisation"


def test_as_each_role_is_referred_to_the_next_best_goes_to_another_organisation():
    # Eight equal roles at eight organisations; after each referral the role and its
    # organisation have "just been referred to", as referral_create records.
    roles = [role(id=number, organisation_id=number) for number in range(1, 9)]
    picks = []
    for _ in range(8):
        best, _score = RoleTable(roles, now=NOW).rank(person(), limit=1)[0]
        picks.append(best.organisation_id)
        roles = [
            replace(r, last_referred_at=NOW, organisation_last_referred_at=NOW)
            if r.id == best.id
            else r
            for r in roles
        ]
    assert sorted(picks) == list(range(1, 9))
    # The control: with nobody's referral recorded, the same role tops the list every time.
    assert {
        RoleTable(roles[:1] + roles[1:], now=NOW - timedelta(days=365))
        .rank(person(), limit=1)[0][0]
        .id
    } == {1}


def test_the_full_rematch_keeps_each_waiting_volunteers_best_roles(coordinator):
    teaching = skill("Teaching")
    OpportunityFactory.create_batch(12, skills=[teaching])
    OpportunityFactory(status=Opportunity.Status.CLOSED)
    OpportunityFactory(organisation=OrganisationFactory(status="suspended"))
    waiting = VolunteerFactory(skills=[teaching])
    placed = VolunteerFactory(status=Volunteer.Status.ACTIVE)
    assert placement.matches_rebuild(actor=coordinator) == placement.MATCHES_KEPT
    matches = list(Match.objects.filter(volunteer=waiting).order_by("-score", "opportunity_id"))
    assert len(matches) == placement.MATCHES_KEPT
    assert not Match.objects.filter(volunteer=placed).exists()
    assert all(match.opportunity.status == "open" for match in matches)
    # Each part's value and points are kept; the words are worked out when the page opens.
    best = matches[0]
    assert best.parts["skills"] == {
        "value": 1.0,
        "points": round(0.3 / matching.TOTAL_WEIGHT * 100, 1),
    }
    assert set(best.parts) == set(matching.WEIGHTS)
    facts = selectors.volunteer_facts(Volunteer.objects.filter(pk=waiting.pk))[0]
    role_facts = next(r for r in selectors.role_facts() if r.id == best.opportunity_id)
    assert best.score == pytest.approx(
        assess(facts, role_facts, now=timezone.now()).score, abs=0.01
    )
    # Run again: the same rows, not twice as many.
    placement.matches_rebuild()
    assert Match.objects.count() == placement.MATCHES_KEPT


def test_loading_the_facts_takes_the_same_few_queries_however_many_roles(
    coordinator, django_assert_max_num_queries
):
    OpportunityFactory.create_batch(3, skills=[skill("Cooking")])
    with django_assert_max_num_queries(4):
        selectors.role_facts()
    OpportunityFactory.create_batch(30, skills=[skill("Cooking")])
    with django_assert_max_num_queries(4):
        assert len(selectors.role_facts()) == 33


def test_a_young_volunteers_facts_come_from_their_date_of_birth(db):
    volunteer = VolunteerFactory(date_of_birth=born_aged(17), guardian_consent_at=timezone.now())
    facts = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer.pk))[0]
    assert (facts.age, facts.guardian_consent) == (17, True)


def test_the_coordinators_pages_keep_the_role_table_until_a_role_changes(coordinator, monkeypatch):
    role = OpportunityFactory(capacity=1)
    first = selectors.role_table_current()
    assert selectors.role_table_current() is first
    # A referral takes the role's only place: the next page ranks against a new table.
    placement.referral_create(volunteer=VolunteerFactory(), opportunity=role, actor=coordinator)
    second = selectors.role_table_current()
    assert second is not first
    assert second.roles[0].places_left == 0
    # A change made outside the services (the admin) shows once the table is a minute old.
    OpportunityFactory()
    assert len(selectors.role_table_current()) == 1
    monkeypatch.setattr(selectors, "ROLE_TABLE_MAX_AGE", 0)
    assert len(selectors.role_table_current()) == 2
