"""Matching volunteers to roles: the hard rules, an explained score, and fairness.

Plain facts in, scores out: nothing here reads the database (selectors.py loads the
facts, services/placement.py acts on the results), so every rule can be tested alone.

A role is offered to a volunteer only if it passes every hard rule (`exclusion`).
Each role that passes gets a score out of 100 made of parts, each a value from 0 to 1
with a weight and a sentence saying why (`assess`). The fairness part lifts roles and
organisations that have had no referral lately, so that when many roles fit equally
well the referrals spread across organisations instead of piling on the first.

`RoleTable` holds every open role as arrays, so ranking all of them for one volunteer
is a handful of array operations rather than a loop (`RoleTable.rank`). Its scores are
the same numbers `assess` gives pair by pair; the tests hold the two to each other.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np

# How much each part counts. The score is the weighted mean of the parts, out of 100.
WEIGHTS = {
    "skills": 0.30,
    "interests": 0.20,
    "availability": 0.25,
    "distance": 0.15,
    "youth": 0.10,
    "fairness": 0.10,
}
TOTAL_WEIGHT = sum(WEIGHTS.values())
_WEIGHT_VECTOR = np.array(list(WEIGHTS.values()))
LABELS = {
    "skills": "Skills",
    "interests": "Interests",
    "availability": "Times",
    "distance": "Distance",
    "youth": "Youth-friendliness",
    "fairness": "Fairness",
}
# A role that names no skills (or no interests) neither helps nor hurts.
NEUTRAL = 0.5
# A role or organisation with no referral for this long is lifted fully.
FAIRNESS_DAYS = 28
# Youngest age that may volunteer through the service, and the age of an adult.
YOUNGEST = 16
ADULT = 18
# Below this age a youth-friendly role counts in a volunteer's favour.
YOUNG_ADULT = 25
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

# Why a role is not offered, in words for the coordinator.
EXCLUSIONS = {
    "already_referred": "Already referred to this role before",
    "full": "No places left on the role",
    "age_unknown": "Their date of birth is not known",
    "under_16": "Under 16, too young to volunteer through this service",
    "too_young": "Younger than the role's minimum age of {minimum_age}",
    "youth_only": "16 and 17 year olds can only take youth-friendly roles",
    "guardian_consent": "A parent or guardian has not given consent yet",
    "remote_only": "They want roles they can do from home only",
    "location_unknown": "The distance is not known: their postcode or the role's is not in the imported list",
    "too_far": "{km:.1f} km away, further than the {travel:g} km they will travel",
}
# The same rules in general words, for counting how many roles each one keeps back.
EXCLUSION_SUMMARIES = {
    **EXCLUSIONS,
    "too_young": "Younger than the role's minimum age",
    "too_far": "Further away than they will travel",
}


@dataclass(frozen=True)
class VolunteerFacts:
    id: int
    age: int | None
    guardian_consent: bool
    latitude: float | None
    longitude: float | None
    travel_km: float
    remote_only: bool
    skills: frozenset[int]
    interests: frozenset[int]
    availability: int
    # Roles they have been referred to before, whatever came of it: never offered again.
    referred_roles: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RoleFacts:
    id: int
    organisation_id: int
    skills: frozenset[int]
    interests: frozenset[int]
    availability: int
    latitude: float | None
    longitude: float | None
    remote: bool
    minimum_age: int
    youth_friendly: bool
    places_left: int
    last_referred_at: datetime | None
    organisation_last_referred_at: datetime | None


@dataclass(frozen=True)
class Names:
    """Names for the words of an explanation; ids are shown as counts without them."""

    skills: Mapping[int, str] = field(default_factory=dict)
    interests: Mapping[int, str] = field(default_factory=dict)


class Part(NamedTuple):
    """One part of a score: its value from 0 to 1 and why, in words."""

    name: str
    value: float
    words: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.name]

    @property
    def points(self) -> float:
        return WEIGHTS[self.name] * self.value / TOTAL_WEIGHT * 100

    def as_dict(self) -> dict:
        return {
            "label": LABELS[self.name],
            "value": round(self.value, 4),
            "weight": WEIGHTS[self.name],
            "points": round(WEIGHTS[self.name] * self.value / TOTAL_WEIGHT * 100, 1),
            "words": self.words,
        }


class Assessment(NamedTuple):
    """A role for a volunteer: its score out of 100 and its parts, or the hard rule it breaks."""

    role_id: int
    score: float
    parts: tuple[Part, ...] = ()
    excluded: str = ""
    reason: str = ""

    @property
    def offered(self) -> bool:
        return not self.excluded

    def as_dict(self) -> dict:
        """As kept in Match.parts and Referral.score: each part with its value and words."""
        return {
            "score": round(self.score, 1),
            "parts": {part.name: part.as_dict() for part in self.parts},
        }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def distance_km(volunteer: VolunteerFacts, role: RoleFacts) -> float | None:
    if None in (volunteer.latitude, volunteer.longitude, role.latitude, role.longitude):
        return None
    return haversine_km(volunteer.latitude, volunteer.longitude, role.latitude, role.longitude)


# --- Hard rules ---------------------------------------------------------------------------


def exclusion(volunteer: VolunteerFacts, role: RoleFacts) -> tuple[str, dict] | None:
    """The first hard rule the pair breaks, with what its words need; None if it passes all."""
    if role.id in volunteer.referred_roles:
        return "already_referred", {}
    if role.places_left <= 0:
        return "full", {}
    age = volunteer.age
    if age is None:
        return "age_unknown", {}
    if age < YOUNGEST:
        return "under_16", {}
    if age < role.minimum_age:
        return "too_young", {"minimum_age": role.minimum_age}
    if age < ADULT and not role.youth_friendly:
        return "youth_only", {}
    if age < ADULT and not volunteer.guardian_consent:
        return "guardian_consent", {}
    if role.remote:
        return None
    if volunteer.remote_only:
        return "remote_only", {}
    km = distance_km(volunteer, role)
    if km is None:
        return "location_unknown", {}
    if km > volunteer.travel_km:
        return "too_far", {"km": km, "travel": volunteer.travel_km}
    return None


# --- The parts of the score ------------------------------------------------------------


def _share(have: int, wanted: int) -> float:
    return have / wanted if wanted else NEUTRAL


def _listed(ids: Iterable[int], names: Mapping[int, str]) -> str:
    found = sorted(names[pk] for pk in ids if pk in names)
    return f": {', '.join(found)}" if found else ""


def _skills_part(volunteer: VolunteerFacts, role: RoleFacts, names: Names) -> Part:
    wanted = len(role.skills)
    shared = volunteer.skills & role.skills
    if not wanted:
        words = "The role asks for no particular skills"
    elif shared:
        words = f"Has {len(shared)} of the {wanted} skills wanted{_listed(shared, names.skills)}"
    else:
        words = f"Has none of the {wanted} skills wanted"
    return Part("skills", _share(len(shared), wanted), words)


def _interests_part(volunteer: VolunteerFacts, role: RoleFacts, names: Names) -> Part:
    named = len(role.interests)
    shared = volunteer.interests & role.interests
    if not named:
        words = "The role names no particular interests"
    elif shared:
        words = f"Shares {len(shared)} of the role's {named} interests{_listed(shared, names.interests)}"
    else:
        words = f"Shares none of the role's {named} interests"
    return Part("interests", _share(len(shared), named), words)


def _availability_value(volunteer_mask: int, role_mask: int) -> tuple[float, int, int]:
    needed = role_mask.bit_count()
    free = (volunteer_mask & role_mask).bit_count()
    return (free / needed if needed else 1.0), free, needed


def _availability_part(volunteer: VolunteerFacts, role: RoleFacts) -> Part:
    value, free, needed = _availability_value(volunteer.availability, role.availability)
    if not needed:
        words = "The role has no fixed times"
    else:
        words = f"Free at {free} of the {needed} times the role needs"
    return Part("availability", value, words)


def _distance_value(km: float, travel: float) -> float:
    if travel <= 0:
        return 1.0
    return max(0.0, 1 - km / travel)


def _distance_part(volunteer: VolunteerFacts, role: RoleFacts, km: float | None) -> Part:
    if role.remote:
        return Part("distance", 1.0, "Can be done from home")
    km = km if km is not None else (distance_km(volunteer, role) or 0.0)
    return Part(
        "distance",
        _distance_value(km, volunteer.travel_km),
        f"{km:.1f} km away, within the {volunteer.travel_km:g} km they will travel",
    )


def _youth_value(age: int, youth_friendly: bool) -> float:
    if age >= YOUNG_ADULT:
        return NEUTRAL
    return 1.0 if youth_friendly else 0.0


def _youth_part(volunteer: VolunteerFacts, role: RoleFacts) -> Part:
    age = volunteer.age or 0
    if age >= YOUNG_ADULT:
        words = f"Not a factor for volunteers aged {YOUNG_ADULT} and over"
    elif age < ADULT:
        words = f"Youth-friendly role, for a {age} year old with a guardian's consent"
    elif role.youth_friendly:
        words = "Youth-friendly role, welcoming to young volunteers"
    else:
        words = "Not marked as youth-friendly"
    return Part("youth", _youth_value(age, role.youth_friendly), words)


def _lift(last: datetime | None, now: datetime) -> float:
    """1 for never referred, rising from 0 just after a referral to 1 after FAIRNESS_DAYS."""
    if last is None:
        return 1.0
    days = (now - last).total_seconds() / 86400
    return min(1.0, max(0.0, days / FAIRNESS_DAYS))


def fairness_value(role: RoleFacts, now: datetime) -> float:
    return (_lift(role.last_referred_at, now) + _lift(role.organisation_last_referred_at, now)) / 2


def _ago(last: datetime | None, now: datetime) -> str:
    if last is None:
        return "never"
    days = int((now - last).total_seconds() // 86400)
    if days < 1:
        return "today"
    return f"{days} day{'s' if days != 1 else ''} ago"


def _fairness_part(role: RoleFacts, now: datetime) -> Part:
    value = fairness_value(role, now)
    if role.last_referred_at is None and role.organisation_last_referred_at is None:
        words = "No referral yet to this role or its organisation"
    else:
        words = (
            f"Last referral to this role: {_ago(role.last_referred_at, now)}; "
            f"to the organisation: {_ago(role.organisation_last_referred_at, now)}"
        )
    return Part("fairness", value, words)


def _total(parts: Iterable[Part]) -> float:
    return sum(WEIGHTS[part.name] * part.value for part in parts) / TOTAL_WEIGHT * 100


def assess(
    volunteer: VolunteerFacts, role: RoleFacts, *, now: datetime, names: Names | None = None
) -> Assessment:
    """One volunteer and one role: the hard rule it breaks, or its score with each part explained."""
    broken = exclusion(volunteer, role)
    if broken is not None:
        code, params = broken
        return Assessment(role.id, 0.0, excluded=code, reason=EXCLUSIONS[code].format(**params))
    return explained(volunteer, role, now=now, names=names)


def explained(
    volunteer: VolunteerFacts,
    role: RoleFacts,
    *,
    now: datetime,
    names: Names | None = None,
    km: float | None = None,
) -> Assessment:
    """The score of a pair already known to pass the hard rules, with each part in words."""
    names = names or Names()
    parts = (
        _skills_part(volunteer, role, names),
        _interests_part(volunteer, role, names),
        _availability_part(volunteer, role),
        _distance_part(volunteer, role, km),
        _youth_part(volunteer, role),
        _fairness_part(role, now),
    )
    return Assessment(role.id, _total(parts), parts)


def rank_key(score: float) -> float:
    """Scores equal to a millionth of a point are equal, so both ways of ranking agree on ties."""
    return round(score, 6)


def rank_pairwise(
    volunteer: VolunteerFacts, roles: Iterable[RoleFacts], *, now: datetime, limit: int = 10
) -> list[Assessment]:
    """The straightforward ranking, one pair at a time: the reference the table is held to."""
    offered = [found for role in roles if (found := assess(volunteer, role, now=now)).offered]
    offered.sort(key=lambda found: (-rank_key(found.score), found.role_id))
    return offered[:limit]


# --- Every role at once ---------------------------------------------------------------------


def _bit_positions(roles: list[RoleFacts], attribute: str) -> dict[int, int]:
    ids = sorted({pk for role in roles for pk in getattr(role, attribute)})
    return {pk: position for position, pk in enumerate(ids)}


def _bit_words(sets: Iterable[frozenset[int]], positions: dict[int, int], count: int) -> np.ndarray:
    """Sets of ids as rows of 64-bit words, one bit per id, so an overlap is AND and a count."""
    words = max(1, -(-len(positions) // 64))
    masks = [sum(1 << positions[pk] for pk in ids if pk in positions) for ids in sets]
    rows = np.zeros((count, words), dtype=np.uint64)
    for word in range(words):
        rows[:, word] = [(mask >> (64 * word)) & 0xFFFF_FFFF_FFFF_FFFF for mask in masks]
    return rows


class RoleTable:
    """Every open role as arrays, worked out once, then ranked for any number of volunteers."""

    def __init__(self, roles: Iterable[RoleFacts], *, now: datetime):
        self.roles = list(roles)
        self.now = now
        count = len(self.roles)
        self.ids = np.array([role.id for role in self.roles], dtype=np.int64)
        self._row = {role.id: row for row, role in enumerate(self.roles)}
        self._skill_bits = _bit_positions(self.roles, "skills")
        self._interest_bits = _bit_positions(self.roles, "interests")
        self.skills = _bit_words((r.skills for r in self.roles), self._skill_bits, count)
        self.interests = _bit_words((r.interests for r in self.roles), self._interest_bits, count)
        self.skills_wanted = np.array([len(r.skills) for r in self.roles], dtype=np.float64)
        self.interests_named = np.array([len(r.interests) for r in self.roles], dtype=np.float64)
        self.availability = np.array([r.availability for r in self.roles], dtype=np.int64)
        self.times_needed = np.bitwise_count(self.availability).astype(np.float64)
        self.remote = np.array([r.remote for r in self.roles], dtype=bool)
        self.located = np.array(
            [r.latitude is not None and r.longitude is not None for r in self.roles], dtype=bool
        )
        self.latitude = np.array([r.latitude or 0.0 for r in self.roles], dtype=np.float64)
        self.longitude = np.array([r.longitude or 0.0 for r in self.roles], dtype=np.float64)
        self._phi = np.radians(self.latitude)
        self._cos_phi = np.cos(self._phi)
        self._lambda = np.radians(self.longitude)
        self.minimum_age = np.array([r.minimum_age for r in self.roles], dtype=np.int64)
        self.youth_friendly = np.array([r.youth_friendly for r in self.roles], dtype=bool)
        self.has_places = np.array([r.places_left > 0 for r in self.roles], dtype=bool)
        self.fairness = np.array([fairness_value(r, now) for r in self.roles], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.roles)

    def role(self, role_id: int) -> RoleFacts:
        return self.roles[self._row[role_id]]

    def _words_for(self, ids: Iterable[int], positions: dict[int, int]) -> np.ndarray:
        return _bit_words([frozenset(ids)], positions, 1)[0]

    def _offered(self, volunteer: VolunteerFacts) -> tuple[np.ndarray, np.ndarray]:
        """The rows passing every hard rule, and each one's distance in km (0 for remote roles)."""
        age = volunteer.age
        none = np.zeros(0, dtype=np.int64)
        if age is None or age < YOUNGEST:
            return none, np.zeros(0)
        if age < ADULT and not volunteer.guardian_consent:
            return none, np.zeros(0)
        ok = self.has_places & (self.minimum_age <= age)
        if age < ADULT:
            ok &= self.youth_friendly
        if volunteer.referred_roles:
            ok &= ~np.isin(self.ids, np.fromiter(volunteer.referred_roles, dtype=np.int64))
        distance = np.zeros(len(self.roles))
        placed = ok & ~self.remote
        if volunteer.remote_only or volunteer.latitude is None or volunteer.longitude is None:
            ok &= self.remote
        elif placed.any():
            # A coarse box first (cheap comparisons), then the exact distance inside it.
            # A degree of latitude is the same length everywhere; a degree of longitude is
            # shortest at the box's edge furthest from the equator, so that edge sets its width.
            travel = volunteer.travel_km
            reach_lat = travel / KM_PER_DEGREE * 1.001 + 1e-9
            widest = math.radians(min(89.0, abs(volunteer.latitude) + reach_lat))
            reach_lon = travel / (KM_PER_DEGREE * math.cos(widest)) * 1.001 + 1e-9
            box = (
                placed
                & self.located
                & (np.abs(self.latitude - volunteer.latitude) <= reach_lat)
                & (np.abs(self.longitude - volunteer.longitude) <= reach_lon)
            )
            rows = np.flatnonzero(box)
            phi = math.radians(volunteer.latitude)
            half_dphi = (self._phi[rows] - phi) / 2
            half_dlambda = (self._lambda[rows] - math.radians(volunteer.longitude)) / 2
            a = (
                np.sin(half_dphi) ** 2
                + math.cos(phi) * self._cos_phi[rows] * np.sin(half_dlambda) ** 2
            )
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
            ok &= ~placed
            within = rows[km <= travel]
            ok[within] = True
            distance[rows] = km
        rows = np.flatnonzero(ok)
        return rows, distance[rows]

    def exclusion_counts(self, volunteer: VolunteerFacts) -> dict[str, int]:
        """How many roles each hard rule keeps from the volunteer, each role counted under
        the first rule it breaks, in the order `exclusion` checks them."""
        left = np.ones(len(self.roles), dtype=bool)
        counts: dict[str, int] = {}

        def take(code: str, broken) -> None:
            hit = left & broken
            if hit.any():
                counts[code] = int(hit.sum())
            np.logical_and(left, ~hit, out=left)

        if volunteer.referred_roles:
            take(
                "already_referred",
                np.isin(self.ids, np.fromiter(volunteer.referred_roles, dtype=np.int64)),
            )
        take("full", ~self.has_places)
        age = volunteer.age
        if age is None or age < YOUNGEST:
            take("age_unknown" if age is None else "under_16", True)
            return counts
        take("too_young", self.minimum_age > age)
        if age < ADULT:
            take("youth_only", ~self.youth_friendly)
            if not volunteer.guardian_consent:
                take("guardian_consent", True)
        placed = ~self.remote
        if volunteer.remote_only:
            take("remote_only", placed)
        elif volunteer.latitude is None or volunteer.longitude is None:
            take("location_unknown", placed)
        else:
            take("location_unknown", placed & ~self.located)
            phi = math.radians(volunteer.latitude)
            a = (
                np.sin((self._phi - phi) / 2) ** 2
                + math.cos(phi)
                * self._cos_phi
                * np.sin((self._lambda - math.radians(volunteer.longitude)) / 2) ** 2
            )
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
            take("too_far", placed & self.located & (km > volunteer.travel_km))
        return counts

    def _values(self, volunteer: VolunteerFacts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows offered to the volunteer, their distances, and each part's value (one
        column per part, in WEIGHTS order): the same numbers `assess` gives pair by pair."""
        rows, km = self._offered(volunteer)
        values = np.empty((len(rows), len(WEIGHTS)))
        if not len(rows):
            return rows, km, values
        skills = np.bitwise_count(
            self.skills[rows] & self._words_for(volunteer.skills, self._skill_bits)
        ).sum(axis=1)
        interests = np.bitwise_count(
            self.interests[rows] & self._words_for(volunteer.interests, self._interest_bits)
        ).sum(axis=1)
        wanted, named = self.skills_wanted[rows], self.interests_named[rows]
        needed = self.times_needed[rows]
        free = np.bitwise_count(self.availability[rows] & volunteer.availability)
        with np.errstate(divide="ignore", invalid="ignore"):
            values[:, 0] = np.where(wanted > 0, skills / wanted, NEUTRAL)
            values[:, 1] = np.where(named > 0, interests / named, NEUTRAL)
            values[:, 2] = np.where(needed > 0, free / needed, 1.0)
        if volunteer.travel_km > 0:
            values[:, 3] = np.maximum(0.0, 1 - km / volunteer.travel_km)
        else:
            values[:, 3] = 1.0
        values[self.remote[rows], 3] = 1.0
        age = volunteer.age or 0
        values[:, 4] = NEUTRAL if age >= YOUNG_ADULT else self.youth_friendly[rows]
        values[:, 5] = self.fairness[rows]
        return rows, km, values

    def _best(self, volunteer: VolunteerFacts, limit: int):
        """The best `limit` offered rows, best first, with their scores, distances and part
        values. Ties go to the older role."""
        rows, km, values = self._values(volunteer)
        total = values @ _WEIGHT_VECTOR / TOTAL_WEIGHT * 100
        if len(rows) > limit:
            # Only the best few need sorting: everything at least as good as the limit-th.
            key = np.round(total, 6)
            threshold = -np.partition(-key, limit - 1)[limit - 1]
            keep = np.flatnonzero(key >= threshold)
            rows, km, values, total = rows[keep], km[keep], values[keep], total[keep]
        order = np.lexsort((self.ids[rows], -np.round(total, 6)))[:limit]
        return rows[order], total[order], km[order], values[order]

    def scores(self, volunteer: VolunteerFacts) -> tuple[np.ndarray, np.ndarray]:
        """Every row offered to the volunteer, with its score out of 100."""
        rows, _km, values = self._values(volunteer)
        return rows, values @ _WEIGHT_VECTOR / TOTAL_WEIGHT * 100

    def rank(self, volunteer: VolunteerFacts, *, limit: int = 10) -> list[tuple[RoleFacts, float]]:
        """The best `limit` roles for the volunteer with their scores, best first."""
        rows, total, _km, _values = self._best(volunteer, limit)
        return [(self.roles[row], float(score)) for row, score in zip(rows, total, strict=True)]

    def rank_values(
        self, volunteer: VolunteerFacts, *, limit: int = 10
    ) -> list[tuple[int, float, dict[str, float]]]:
        """The best roles as (role id, score, each part's value): numbers only, for many
        volunteers at a time, where working out the words for each would cost more."""
        rows, total, _km, values = self._best(volunteer, limit)
        names = list(WEIGHTS)
        return [
            (int(self.ids[row]), float(score), dict(zip(names, part_values.tolist(), strict=True)))
            for row, score, part_values in zip(rows, total, values, strict=True)
        ]

    def explain(
        self, volunteer: VolunteerFacts, *, limit: int = 10, names: Names | None = None
    ) -> list[Assessment]:
        """The best roles, each with every part of its score in words."""
        rows, _total, km, _values = self._best(volunteer, limit)
        return [
            explained(volunteer, self.roles[row], now=self.now, names=names, km=float(distance))
            for row, distance in zip(rows, km, strict=True)
        ]
