"""Demo volunteers: volunteer@example.org with a finished profile, and a few hundred more in
every state a profile can be in, spread over the demo wards. Idempotent.

The demo account goes through the same services a person's answers do. The
crowd is written in bulk (a handful of queries, not thousands), straight into
the tables: it is made-up history, not something anyone did, so it has no
audit rows or emails. Run by volunteers/demo.py after the places (postcode
centroids, organisations and roles) and before the demo referrals.
"""

import random
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from council.models import Area, SourceCode
from volunteers.models import (
    SLOTS,
    GuardianConsentLink,
    Interest,
    PostcodeCentroid,
    Skill,
    Volunteer,
    availability_mask,
)
from volunteers.services import profile as services
from volunteers.sources import heard_from_for

DEMO_EMAIL = "volunteer@example.org"
CROWD_EMAIL = "demo.volunteer.{:03d}@example.org"
# How many of the crowd are in each state. Referred and active volunteers come
# from demo_placement.load_referrals, which refers some of the available ones.
CROWD = [
    ("incomplete", 30),
    ("available", 160),
    ("paused", 25),
    ("closed", 20),
    ("young_consented", 20),
    ("young_waiting", 15),
]
# Used when the council has not imported any postcode centroids: no distances then.
FALLBACK_POSTCODES = ["NE33 1AA", "NE33 2RL", "NE34 6AB", "NE32 5QR", "NE31 1XX", "NE35 9PQ"]
SOURCES = [
    ("leaflet-westoe", "Leaflet drop, Westoe, spring", SourceCode.Medium.LEAFLET),
    ("library-poster", "Poster in the central library", SourceCode.Medium.POSTER),
    ("bin-lorry", "Bin lorry side panels", SourceCode.Medium.VEHICLE),
    ("maureen-story", "Story: Maureen's shopping round", SourceCode.Medium.STORY),
]
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Imran", "Jess",
    "Kofi", "Lily", "Mo", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Una", "Vik", "Wendy", "Xander", "Yasmin", "Zak",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Forster", "Graham", "Hussain",
    "Iqbal", "Johnson", "Khan", "Lee", "Milburn", "Nguyen", "O'Neill", "Patel",
    "Robson", "Smith", "Taylor", "Walker",
]  # fmt: skip


def load(stdout=None) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        sources = _sources()
        _demo_account(today)
        made = _crowd(today, sources)
    if stdout:
        stdout.write(
            f"Demo volunteers: {Volunteer.objects.count()} in all ({made} added this time), "
            f"{DEMO_EMAIL} among them."
        )


def _sources() -> list[SourceCode]:
    found = {
        source.code: source
        for source in SourceCode.objects.filter(code__in=[s[0] for s in SOURCES])
    }
    for code, label, medium in SOURCES:
        if code not in found:
            found[code] = services.source_code_create(
                actor=None,
                label=label,
                medium=medium,
                destination=SourceCode.Destination.VOLUNTEER,
                code=code,
            )
    return [found[code] for code, _label, _medium in SOURCES]


def _demo_account(today: date) -> None:
    user = get_user_model().objects.filter(email=DEMO_EMAIL).first()
    if user is None or Volunteer.objects.filter(user=user).exists():
        return
    centroid = PostcodeCentroid.objects.order_by("postcode").first()
    skills = Skill.objects.filter(
        slug__in=["teacher-or-teaching-assistant", "befriending-and-listening"]
    )
    interests = Interest.objects.filter(slug__in=["older-people", "reading-learning-and-education"])
    answers = {
        "date-of-birth": {"date_of_birth": date(today.year - 41, 6, 14)},
        "name": {"full_name": "Alex Morgan", "phone": "07700 900123"},
        "postcode": {"postcode": centroid.postcode if centroid else FALLBACK_POSTCODES[1]},
        "travel": {"travel_km": 5, "remote_only": False},
        "skills": {"skills": list(skills)},
        "interests": {"interests": list(interests)},
        "availability": {
            "availability": availability_mask(["mon_evening", "wed_morning", "sat_morning"])
        },
        "heard": {"heard_from": Volunteer.HeardFrom.LEAFLET},
        "anything-else": {
            "about": "I taught at a primary school for 20 years and have just retired."
        },
    }
    source = SourceCode.objects.filter(code="leaflet-westoe").first()
    volunteer = None
    for step, values in answers.items():
        volunteer = services.volunteer_answer_save(
            user=user, step=step, values=values, source=source
        )
    services.volunteer_profile_complete(volunteer=volunteer, actor=user)


def _crowd(today: date, sources: list[SourceCode]) -> int:
    rng = random.Random(2026)  # noqa: S311  (made-up demo data, the same on every run)
    total = sum(count for _state, count in CROWD)
    emails = [CROWD_EMAIL.format(number) for number in range(1, total + 1)]
    User = get_user_model()
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    wanted = [email for email in emails if email not in existing]
    if not wanted:
        return 0

    password = make_password(None)  # nobody signs in as the crowd
    User.objects.bulk_create(
        [User(username=email, email=email, password=password) for email in wanted]
    )
    users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in wanted
        ]
    )

    places = list(PostcodeCentroid.objects.values_list("postcode", "latitude", "longitude"))
    if not places:
        places = [(postcode, None, None) for postcode in FALLBACK_POSTCODES]
    areas = list(Area.objects.filter(active=True))
    careers = list(Skill.objects.filter(kind=Skill.Kind.CAREER).values_list("pk", flat=True))
    skills = list(Skill.objects.filter(kind=Skill.Kind.SKILL).values_list("pk", flat=True))
    interests = list(Interest.objects.values_list("pk", flat=True))
    states = [state for state, count in CROWD for _ in range(count)]
    now = timezone.now()

    volunteers, chosen = [], []
    for number, email in enumerate(emails):
        if email not in users:
            continue
        state = states[number]
        young = state.startswith("young")
        volunteer = _made_up(rng, users[email], state, today, now, places, areas, sources)
        volunteers.append(volunteer)
        chosen.append(
            (
                rng.sample(careers, k=rng.randint(0, 2)) + rng.sample(skills, k=rng.randint(0, 3)),
                rng.sample(interests, k=rng.randint(1, 4)),
                young,
            )
        )
    Volunteer.objects.bulk_create(volunteers)
    saved = {v.user_id: v for v in Volunteer.objects.filter(user__in=users.values())}
    volunteers = [saved[v.user_id] for v in volunteers]

    SkillLink = Volunteer.skills.through
    InterestLink = Volunteer.interests.through
    SkillLink.objects.bulk_create(
        [
            SkillLink(volunteer_id=v.pk, skill_id=pk)
            for v, (skill_ids, _i, _y) in zip(volunteers, chosen, strict=True)
            for pk in skill_ids
        ]
    )
    InterestLink.objects.bulk_create(
        [
            InterestLink(volunteer_id=v.pk, interest_id=pk)
            for v, (_s, interest_ids, _y) in zip(volunteers, chosen, strict=True)
            for pk in interest_ids
        ]
    )
    # Half the young volunteers still waiting have a link out to their guardian; the
    # others' has run out, so the volunteer page offers to send it again.
    links = []
    for index, volunteer in enumerate(v for v in volunteers if v.needs_guardian):
        asked = volunteer.profile_completed_at or now
        agreed = volunteer.guardian_consent_at is not None
        expired = not agreed and index % 2 == 1
        links.append(
            GuardianConsentLink(
                volunteer=volunteer,
                email=volunteer.guardian_email,
                created_at=asked,
                expires_at=(now - timedelta(days=1))
                if expired
                else asked + services.GUARDIAN_LINK_LIFETIME,
                answered_at=volunteer.guardian_consent_at,
                agreed=True if agreed else None,
            )
        )
    GuardianConsentLink.objects.bulk_create(links)
    return len(volunteers)


def _made_up(rng, user, state, today, now, places, areas, sources) -> Volunteer:
    """One made-up volunteer in `state`, with answers like a real person's."""
    young = state.startswith("young")
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    if young:
        born = today - timedelta(days=rng.randint(16 * 365 + 5, 18 * 365 - 5))
    else:
        born = today - timedelta(days=rng.randint(18 * 365 + 5, 80 * 365))
    postcode, latitude, longitude = rng.choice(places)
    source = rng.choice(sources) if rng.random() < 0.4 else None
    remote = rng.random() < 0.1
    created = now - timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 23))
    finished = created + timedelta(minutes=rng.randint(4, 30))
    slots = rng.sample(SLOTS, k=rng.randint(1, 8))
    volunteer = Volunteer(
        user=user,
        full_name=f"{first} {last}",
        phone=f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.7 else "",
        date_of_birth=born,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        area=rng.choice(areas) if areas else None,
        travel_km=None if remote else rng.choice([1, 3, 5, 10, 20]),
        remote_only=remote,
        availability=availability_mask(slots),
        heard_from=_heard_from(rng, source),
        source=source,
        created_at=created,
        profile_steps=list(services.STEP_FIELDS),
    )
    if young:
        volunteer.guardian_name = f"{rng.choice(FIRST_NAMES)} {last}"
        volunteer.guardian_email = f"guardian.of.{user.email}"
    else:
        volunteer.profile_steps.remove("guardian")
    if state == "incomplete":
        # Stopped part-way: the questions after the one they stopped at are unanswered.
        volunteer.profile_steps = volunteer.profile_steps[: rng.randint(1, 6)]
        return volunteer
    volunteer.status = Volunteer.Status.AVAILABLE
    volunteer.profile_completed_at = finished
    volunteer.waiting_since = finished
    if state == "paused":
        volunteer.status = Volunteer.Status.PAUSED
    elif state == "closed":
        volunteer.status = Volunteer.Status.CLOSED
        volunteer.closed_at = finished + timedelta(days=rng.randint(1, 30))
        if volunteer.closed_at > now:
            volunteer.closed_at = now
    elif state == "young_consented":
        volunteer.guardian_consent_at = finished + timedelta(hours=rng.randint(2, 72))
        if volunteer.guardian_consent_at > now:
            volunteer.guardian_consent_at = now
    return volunteer


def _heard_from(rng, source: SourceCode | None) -> str:
    return heard_from_for(source) or rng.choice(Volunteer.HeardFrom.values)
