"""Volunteer matching: ranking roles for one volunteer, and matching everyone again.

Both parts run in this process on one throwaway database with the demo data (SQLite in
a temporary folder, or a database made beside DATABASE_URL's and dropped afterwards),
each against a straightforward control in the same run, on the same data.

Generated data: roles spread over an area of about 30 by 25 km (15% can be done from
home), each wanting 0 to 3 of the standard skills and 1 to 3 interests, 1 to 6 times
a week, a minimum age of 16, 18 or 21 (youth-friendly when 16), 1 to 10 places, half
of them referred to at some point in the last 60 days; 100 organisations. Volunteers
across the same area with 0 to 5 skills, 1 to 4 interests, 1 to 8 times, travelling
1 to 20 km (10% from home only), aged 16 to 80 (4% under 18, most with a guardian's
consent). The demo's own roles and waiting volunteers are set aside first, so the
counts below are exact.

1. One volunteer, 5,000 open roles: what the coordinator's page does for the volunteer
   it shows. Real: `selectors.role_table_current()` (every open role with its places
   left, as arrays, loaded from the database in four queries and kept by the process
   until a service changes a role, an organisation or a referral, or a minute passes),
   `selectors.volunteer_facts()`, `RoleTable.explain()` (hard rules and scores for
   every role at once, the best 10 explained in words) and
   `RoleTable.exclusion_counts()` (why the others are not offered). Also timed: the
   same just after a role changed (the table built again first), and ranking alone
   (`RoleTable.rank`), as the full rematch uses it. Control: the plain way,
   the ORM's open roles with their skills and interests prefetched and places counted
   by an annotation, then every pair scored in Python with `matching.assess` and
   sorted (the same rules and scores, so the two must agree on the ten). The two are
   timed alternately for the same volunteers. Goal: median under 50 ms.

2. Everyone again: 10,000 waiting volunteers against 2,000 open roles (the other
   3,000 closed). Real: `placement.matches_rebuild()`, the service the Celery task
   runs: the role table once, each volunteer ranked against it, the best 10 of each
   explained and written as Match rows in bulk in one transaction (100,000 rows).
   Control: `matching.rank_pairwise` (every pair scored in Python, the reference the
   table is tested against) for a sample of the same volunteers, its time scaled up
   to all of them; the real ranking is timed on the same sample beside it. Goal:
   the whole rebuild under 10 s.

Memory: this process's peak resident set (ru_maxrss).

Usage: python bench/bench_matching.py [--roles N] [--rematch-roles N] [--volunteers N]
Prints one JSON object.
"""

import argparse
import json
import math
import random
import resource
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import support  # bench/support.py, beside this script

ONE_GOAL_MS = 50
REMATCH_GOAL_S = 10
CENTRE = (54.95, -1.45)
HALF_SPAN_KM = (12.5, 15.0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=5000, help="open roles for part 1")
    parser.add_argument("--probes", type=int, default=60, help="volunteers ranked in part 1")
    parser.add_argument("--rematch-roles", type=int, default=2000, help="open roles for part 2")
    parser.add_argument("--volunteers", type=int, default=10_000, help="waiting, for part 2")
    parser.add_argument(
        "--sample", type=int, default=300, help="volunteers the control ranks in part 2"
    )
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def _summary(milliseconds: list[float]) -> dict:
    ordered = sorted(milliseconds)
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)], 2),
        "max": round(ordered[-1], 2),
    }


def _place(rng: random.Random) -> tuple[float, float]:
    from volunteers.matching import KM_PER_DEGREE

    north = rng.uniform(-HALF_SPAN_KM[0], HALF_SPAN_KM[0]) / KM_PER_DEGREE
    east = rng.uniform(-HALF_SPAN_KM[1], HALF_SPAN_KM[1]) / (
        KM_PER_DEGREE * math.cos(math.radians(CENTRE[0]))
    )
    return round(CENTRE[0] + north, 5), round(CENTRE[1] + east, 5)


def _generate(args) -> dict:
    """Roles and volunteers as described in the docstring, bulk-created."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from volunteers.models import (
        SLOTS,
        Interest,
        Opportunity,
        Organisation,
        Skill,
        Volunteer,
        availability_mask,
    )

    rng = random.Random(args.seed)
    now = timezone.now()
    today = timezone.localdate()
    skills = list(Skill.objects.values_list("pk", flat=True))
    interests = list(Interest.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        # The demo's own roles and waiting volunteers step aside, so the counts are exact.
        Opportunity.objects.update(status=Opportunity.Status.CLOSED)
        Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE).update(
            status=Volunteer.Status.PAUSED
        )
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Bench organisation {n}",
                    email=f"bench{n}@example.net",
                    status=Organisation.Status.APPROVED,
                    approved_at=now,
                    last_referred_at=now - timedelta(days=rng.uniform(0, 60))
                    if rng.random() < 0.5
                    else None,
                )
                for n in range(100)
            ]
        )
        roles = []
        for n in range(args.roles):
            remote = rng.random() < 0.15
            latitude, longitude = (None, None) if remote else _place(rng)
            minimum = rng.choice([16, 18, 18, 18, 21])
            roles.append(
                Opportunity(
                    organisation=rng.choice(organisations),
                    title=f"Bench role {n}",
                    description="Generated for the benchmark.",
                    availability=availability_mask(rng.sample(SLOTS, k=rng.randint(1, 6))),
                    latitude=latitude,
                    longitude=longitude,
                    postcode="" if remote else "NE33 2RL",
                    remote=remote,
                    minimum_age=minimum,
                    youth_friendly=minimum == 16,
                    capacity=rng.randint(1, 10),
                    last_referred_at=now - timedelta(days=rng.uniform(0, 60))
                    if rng.random() < 0.5
                    else None,
                )
            )
        roles = Opportunity.objects.bulk_create(roles, batch_size=1000)
        RoleSkill, RoleInterest = Opportunity.skills.through, Opportunity.interests.through
        RoleSkill.objects.bulk_create(
            [
                RoleSkill(opportunity_id=r.pk, skill_id=s)
                for r in roles
                for s in rng.sample(skills, k=rng.randint(0, 3))
            ],
            batch_size=5000,
        )
        RoleInterest.objects.bulk_create(
            [
                RoleInterest(opportunity_id=r.pk, interest_id=i)
                for r in roles
                for i in rng.sample(interests, k=rng.randint(1, 3))
            ],
            batch_size=5000,
        )

        User = get_user_model()
        password = make_password(None)
        total = args.volunteers + args.probes
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench.{n}@example.net",
                    email=f"bench.{n}@example.net",
                    password=password,
                )
                for n in range(total)
            ],
            batch_size=2000,
        )
        volunteers = []
        for user in users:
            remote_only = rng.random() < 0.10
            latitude, longitude = _place(rng)
            young = rng.random() < 0.04
            years = rng.randint(16, 17) if young else rng.randint(18, 80)
            volunteers.append(
                Volunteer(
                    user=user,
                    status=Volunteer.Status.AVAILABLE,
                    full_name=f"Bench Volunteer {user.pk}",
                    date_of_birth=date(today.year - years, 1, 1)
                    - timedelta(days=rng.randint(1, 300)),
                    postcode="NE33 2RL",
                    latitude=latitude,
                    longitude=longitude,
                    travel_km=None if remote_only else rng.choice([1, 3, 5, 10, 20]),
                    remote_only=remote_only,
                    availability=availability_mask(rng.sample(SLOTS, k=rng.randint(1, 8))),
                    guardian_consent_at=now if young and rng.random() < 0.8 else None,
                    profile_completed_at=now - timedelta(days=rng.uniform(0, 90)),
                    waiting_since=now - timedelta(days=rng.uniform(0, 90)),
                )
            )
        volunteers = Volunteer.objects.bulk_create(volunteers, batch_size=2000)
        VolunteerSkill, VolunteerInterest = Volunteer.skills.through, Volunteer.interests.through
        VolunteerSkill.objects.bulk_create(
            [
                VolunteerSkill(volunteer_id=v.pk, skill_id=s)
                for v in volunteers
                for s in rng.sample(skills, k=rng.randint(0, 5))
            ],
            batch_size=5000,
        )
        VolunteerInterest.objects.bulk_create(
            [
                VolunteerInterest(volunteer_id=v.pk, interest_id=i)
                for v in volunteers
                for i in rng.sample(interests, k=rng.randint(1, 4))
            ],
            batch_size=5000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, soon after a load this size
    return {
        "roles": [role.pk for role in roles],
        "probes": [v.pk for v in volunteers[: args.probes]],
        "waiting": [v.pk for v in volunteers[args.probes :]],
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def _control_top10(volunteer_id: int, *, now) -> list[int]:
    """The straightforward way: the ORM's roles, every pair scored in Python, sorted."""
    from django.db.models import Count, Q

    from volunteers import selectors
    from volunteers.matching import RoleFacts, assess, rank_key
    from volunteers.models import Volunteer

    volunteer = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer_id))[0]
    roles = (
        selectors.matchable_roles()
        .select_related("organisation")
        .prefetch_related("skills", "interests")
        .annotate(taken=Count("referrals", filter=Q(referrals__status__in=selectors.PLACE_TAKING)))
    )
    scored = []
    for role in roles:
        facts = RoleFacts(
            id=role.pk,
            organisation_id=role.organisation_id,
            skills=frozenset(skill.pk for skill in role.skills.all()),
            interests=frozenset(interest.pk for interest in role.interests.all()),
            availability=role.availability,
            latitude=role.latitude,
            longitude=role.longitude,
            remote=role.remote,
            minimum_age=role.minimum_age,
            youth_friendly=role.youth_friendly,
            places_left=role.capacity - role.taken,
            last_referred_at=role.last_referred_at,
            organisation_last_referred_at=role.organisation.last_referred_at,
        )
        found = assess(volunteer, facts, now=now)
        if found.offered:
            scored.append(found)
    scored.sort(key=lambda found: (-rank_key(found.score), found.role_id))
    return [found.role_id for found in scored[:10]]


def _real_top10(volunteer_id: int, *, now) -> list[int]:
    """What the coordinator's page does for one volunteer: the role table (kept while no role
    has changed), the volunteer's facts, the best ten explained, the rest counted by rule."""
    from volunteers import selectors
    from volunteers.models import Volunteer

    table = selectors.role_table_current()
    volunteer = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer_id))[0]
    best = table.explain(volunteer, limit=10, names=selectors.match_names())
    table.exclusion_counts(volunteer)
    return [found.role_id for found in best]


def part_one(args, data) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from volunteers import selectors
    from volunteers.models import Volunteer

    now = timezone.now()
    probes = data["probes"]
    for pk in probes[:3]:  # warm up both
        _real_top10(pk, now=now)
        _control_top10(pk, now=now)
    with CaptureQueriesContext(connection) as queries:
        _real_top10(probes[0], now=now)
    real_queries = len(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        _control_top10(probes[0], now=now)
    control_queries = len(queries.captured_queries)

    real_ms, control_ms, agree = [], [], 0
    for pk in probes:  # alternately, so drift on the machine touches both
        started = time.perf_counter()
        control = _control_top10(pk, now=now)
        control_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        real = _real_top10(pk, now=now)
        real_ms.append((time.perf_counter() - started) * 1000)
        agree += real == control

    # Just after a role changed: the table is built again from the database first.
    from django.core.cache import cache

    after_change_ms = []
    for pk in probes[:10]:
        cache.delete(selectors.ROLES_VERSION_KEY)
        started = time.perf_counter()
        _real_top10(pk, now=now)
        after_change_ms.append((time.perf_counter() - started) * 1000)

    # Ranking alone, with the table built once (as the full rematch uses it).
    started = time.perf_counter()
    table = selectors.role_table(now=now)
    build_ms = (time.perf_counter() - started) * 1000
    facts = selectors.volunteer_facts(Volunteer.objects.filter(pk__in=probes))
    rank_ms = []
    for volunteer in facts:
        started = time.perf_counter()
        table.rank(volunteer, limit=10)
        rank_ms.append((time.perf_counter() - started) * 1000)

    real, control = _summary(real_ms), _summary(control_ms)
    return {
        "inputs": {
            "open_roles": len(table),
            "volunteers_ranked": len(probes),
            "real": "selectors.role_table_current() + volunteer_facts() + RoleTable.explain(limit=10) + exclusion_counts()",
            "control": "ORM roles (prefetched, places annotated) + matching.assess per pair + sort",
        },
        "top10_ms": real,
        "control_ms": control,
        "ratio_of_medians": round(control["median"] / real["median"], 1),
        "goal": f"top-10 median < {ONE_GOAL_MS} ms",
        "met": real["median"] < ONE_GOAL_MS,
        "same_top10_as_control": f"{agree} of {len(probes)}",
        "queries": {"real": real_queries, "control": control_queries},
        "top10_just_after_a_role_changed_ms": _summary(after_change_ms),
        "table_build_ms": round(build_ms, 1),
        "rank_only_ms": _summary(rank_ms),
    }


def part_two(args, data) -> dict:
    from django.utils import timezone

    from volunteers import selectors
    from volunteers.matching import rank_pairwise
    from volunteers.models import Match, Opportunity, Volunteer
    from volunteers.services import placement

    # Only 2,000 of the roles stay open; the probes of part 1 step aside.
    keep = data["roles"][: args.rematch_roles]
    Opportunity.objects.filter(pk__in=data["roles"][args.rematch_roles :]).update(
        status=Opportunity.Status.CLOSED
    )
    Volunteer.objects.filter(pk__in=data["probes"]).update(status=Volunteer.Status.PAUSED)
    now = timezone.now()

    started = time.perf_counter()
    written = placement.matches_rebuild(now=now)
    rebuild_s = time.perf_counter() - started

    # The control and the real ranking on the same sample of the same volunteers.
    rng = random.Random(args.seed + 1)
    sample_ids = rng.sample(data["waiting"], k=min(args.sample, len(data["waiting"])))
    table = selectors.role_table(now=now)
    roles = table.roles
    sample = selectors.volunteer_facts(Volunteer.objects.filter(pk__in=sample_ids))
    started = time.perf_counter()
    control_ranked = [
        [f.role_id for f in rank_pairwise(v, roles, now=now, limit=10)] for v in sample
    ]
    control_s = time.perf_counter() - started
    started = time.perf_counter()
    real_ranked = [[role.id for role, _score in table.rank(v, limit=10)] for v in sample]
    real_sample_s = time.perf_counter() - started
    scale = Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE).count() / len(sample)

    return {
        "inputs": {
            "open_roles": len(table),
            "waiting_volunteers": Volunteer.objects.filter(
                status=Volunteer.Status.AVAILABLE
            ).count(),
            "roles_kept_open": len(keep),
            "real": "placement.matches_rebuild() (the Celery task's service), Match rows written",
            "control": f"matching.rank_pairwise per volunteer, on {len(sample)} of them, scaled up",
        },
        "rebuild_seconds": round(rebuild_s, 2),
        "match_rows_written": written,
        "match_rows_in_table": Match.objects.count(),
        "goal": f"full rebuild < {REMATCH_GOAL_S} s",
        "met": rebuild_s < REMATCH_GOAL_S,
        "sample": {
            "volunteers": len(sample),
            "control_seconds": round(control_s, 2),
            "real_rank_seconds": round(real_sample_s, 3),
            "ratio": round(control_s / real_sample_s, 1),
            "same_top10": f"{sum(a == b for a, b in zip(control_ranked, real_ranked, strict=True))} of {len(sample)}",
        },
        "control_scaled_to_all_seconds": round(control_s * scale, 1),
        "ratio_rebuild_vs_control_scaled": round(control_s * scale / rebuild_s, 1),
    }


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-matching-"))
    try:
        with support.django_in_process(workdir) as database:
            data = _generate(args)
            one = part_one(args, data)
            everyone = part_two(args, data)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "matching",
                "database": database,
                "load_seconds": data["load_seconds"],
                "one_volunteer": one,
                "rematch": everyone,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
