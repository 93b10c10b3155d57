"""Demo places and placements. Idempotent; run by volunteers/demo.py.

`load_places` (before the demo volunteers): synthetic postcode centroids for the demo
wards, organisations in every state with roles of every kind, and org@example.org as
a contact of one. They go through the same services a coordinator and a contact use.

`load_referrals` (after the demo volunteers): referrals in every state over the demo
crowd, some past their time limits, some volunteering long enough for a check-in.
Like the crowd itself this is made-up history, not something anyone did, so it is
written straight into the tables (no audit rows, no emails); each referral is one the
coordinator could have made, chosen by the same ranking and hard rules.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from council.models import Area, CouncilSettings
from volunteers import selectors, workdays
from volunteers.matching import assess
from volunteers.models import (
    CheckIn,
    Interest,
    Opportunity,
    Organisation,
    PostcodeCentroid,
    Referral,
    Skill,
    Volunteer,
    availability_mask,
)
from volunteers.services import placement

ORG_CONTACT_EMAIL = "org@example.org"
CROWD_DOMAIN = "@example.org"
CROWD_PREFIX = "demo.volunteer."
# The council's area, roughly: the demo wards are laid out on a grid across it.
SOUTH_WEST = (54.925, -1.545)
WARD_STEP = (0.018, 0.045)
INWARD = "ABDEFGHJLNPQRSTUWXYZ"

# name, status, email, description, [(title, kind, details)]
ORGANISATIONS = [
    (
        "Riverside Food Bank",
        Organisation.Status.APPROVED,
        "referrals@riverside-foodbank.example",
        "Food parcels and advice for families in need, five days a week.",
    ),
    (
        "Westoe Befrienders",
        Organisation.Status.APPROVED,
        "hello@westoe-befrienders.example",
        "Weekly visits and phone calls for older people living alone.",
    ),
    (
        "Harton Youth Project",
        Organisation.Status.APPROVED,
        "volunteer@harton-youth.example",
        "Evening clubs, sport and mentoring for young people.",
    ),
    (
        "Cleadon Park Garden",
        Organisation.Status.APPROVED,
        "grow@cleadon-garden.example",
        "A community garden growing food and friendships.",
    ),
    (
        "Tyne Second Chances",
        Organisation.Status.APPROVED,
        "team@second-chances.example",
        "Peer mentoring by people who have been through the justice system.",
    ),
    (
        "Bede Library Friends",
        Organisation.Status.APPROVED,
        "friends@bede-library.example",
        "Reading groups, homework help and digital skills at the library.",
    ),
    (
        "Hebburn Hospital Volunteers",
        Organisation.Status.APPROVED,
        "volunteers@hebburn-hospital.example",
        "Ward visitors, way-finders and drivers for the community hospital.",
    ),
    (
        "Marsden Coast Rangers",
        Organisation.Status.APPROVED,
        "rangers@marsden-coast.example",
        "Beach cleans, wildlife surveys and path repairs on the coast.",
    ),
    (
        "Whitburn Welcome",
        Organisation.Status.PENDING,
        "welcome@whitburn-welcome.example",
        "Conversation clubs for refugees and people new to the area.",
    ),
    (
        "Boldon Bingo Club",
        Organisation.Status.SUSPENDED,
        "bingo@boldon.example",
        "Weekly bingo for older residents.",
    ),
]

# organisation, title, skills, interests, times, details
ROLES = [
    ("Riverside Food Bank", "Reading helper for the food bank's family club",
     ["Teacher or teaching assistant", "Befriending and listening"],
     ["Reading, learning and education", "Older people"],
     ["mon_evening", "wed_morning", "sat_morning"], {"capacity": 3, "check_level": "enhanced"}),
    ("Riverside Food Bank", "Food bank driver", ["Driving (I have a car)"],
     ["Food banks and tackling poverty"], ["tue_morning", "thu_morning"],
     {"capacity": 4, "check_level": "basic"}),
    ("Riverside Food Bank", "Warehouse packer", [], ["Food banks and tackling poverty"],
     ["mon_afternoon", "wed_afternoon", "fri_afternoon"],
     {"capacity": 8, "minimum_age": 16, "youth_friendly": True}),
    ("Riverside Food Bank", "Community fridge helper", ["Cooking"],
     ["Food banks and tackling poverty"], ["sat_afternoon"], {"capacity": 1}),
    ("Westoe Befrienders", "Befriender for an older person", ["Befriending and listening"],
     ["Older people", "Mental health and wellbeing"], ["tue_afternoon", "thu_afternoon"],
     {"capacity": 10, "check_level": "enhanced", "open_to_convictions": False}),
    ("Westoe Befrienders", "Telephone befriender", ["Befriending and listening"],
     ["Older people"], ["mon_evening", "wed_evening"],
     {"capacity": 10, "remote": True, "check_level": "standard"}),
    ("Harton Youth Project", "Youth club assistant", ["Youth work", "Sport and fitness coaching"],
     ["Children and young people", "Sport and fitness"], ["tue_evening", "thu_evening"],
     {"capacity": 4, "check_level": "enhanced", "open_to_convictions": False}),
    ("Harton Youth Project", "Young leader (16 and 17 year olds)", [],
     ["Children and young people", "Sport and fitness"], ["sat_morning"],
     {"capacity": 6, "minimum_age": 16, "youth_friendly": True}),
    ("Cleadon Park Garden", "Garden volunteer", ["Gardening"],
     ["The environment and green spaces"], ["sat_morning", "sun_morning", "wed_afternoon"],
     {"capacity": 12, "minimum_age": 16, "youth_friendly": True}),
    ("Cleadon Park Garden", "Social media helper", ["Social media and publicity", "Photography or video"],
     ["The environment and green spaces", "Community events"], [],
     {"capacity": 2, "remote": True}),
    ("Tyne Second Chances", "Peer mentor", ["Lived experience: I have been through something others are facing now", "Mentoring or coaching"],
     ["Mental health and wellbeing", "Homelessness and housing"], ["mon_afternoon", "thu_afternoon"],
     {"capacity": 6, "check_level": "basic", "open_to_convictions": True}),
    ("Bede Library Friends", "Homework club helper", ["Teacher or teaching assistant"],
     ["Reading, learning and education", "Children and young people"], ["tue_afternoon", "wed_afternoon"],
     {"capacity": 5, "check_level": "enhanced", "open_to_convictions": False}),
    ("Bede Library Friends", "Digital buddy", ["Helping people get online", "IT and technology"],
     ["Reading, learning and education", "Older people"], ["fri_morning"],
     {"capacity": 4, "minimum_age": 16, "youth_friendly": True}),
    ("Hebburn Hospital Volunteers", "Ward visitor", ["Befriending and listening", "NHS or other health work"],
     ["Hospitals and health services", "Older people"], ["mon_morning", "wed_morning", "fri_morning"],
     {"capacity": 6, "check_level": "standard", "open_to_convictions": False, "minimum_age": 21}),
    ("Hebburn Hospital Volunteers", "Patient transport driver", ["Driving (I have a car)"],
     ["Hospitals and health services"], ["tue_morning", "thu_morning"],
     {"capacity": 3, "check_level": "enhanced", "status": "paused"}),
    ("Marsden Coast Rangers", "Beach clean leader", ["Organising events"],
     ["The environment and green spaces", "Community events"], ["sun_morning"],
     {"capacity": 5, "minimum_age": 16, "youth_friendly": True}),
    ("Marsden Coast Rangers", "Winter bird counter", [], ["Animals", "The environment and green spaces"],
     ["sat_morning"], {"capacity": 2, "status": "closed"}),
]  # fmt: skip

CAREERS = {
    "Teacher or teaching assistant",
    "Youth work",
    "NHS or other health work",
    "IT and technology",
    "Lived experience: I have been through something others are facing now",
}


def _skill(name: str) -> Skill:
    kind = Skill.Kind.CAREER if name in CAREERS else Skill.Kind.SKILL
    return Skill.objects.get_or_create(
        slug=slugify(name)[:80], defaults={"name": name, "kind": kind}
    )[0]


def _interest(name: str) -> Interest:
    return Interest.objects.get_or_create(slug=slugify(name)[:80], defaults={"name": name})[0]


def demo_postcodes() -> list[dict]:
    """Three made-up postcodes in each demo ward, on a grid across the council's area."""
    rows = []
    for index, code in enumerate(Area.objects.order_by("code").values_list("code", flat=True)):
        row, column = divmod(index, 6)
        centre = (SOUTH_WEST[0] + row * WARD_STEP[0], SOUTH_WEST[1] + column * WARD_STEP[1])
        district = 31 + index % 6
        for number in range(3):
            rows.append(
                {
                    "postcode": f"NE{district} {number + 1}{INWARD[index]}{INWARD[number + 5]}",
                    "latitude": f"{centre[0] + (number - 1) * 0.004:.5f}",
                    "longitude": f"{centre[1] + (number - 1) * 0.006:.5f}",
                    "ward": code,
                }
            )
    # The few postcodes the demo volunteers fall back on, so they are placed too.
    for offset, postcode in enumerate(
        ["NE33 1AA", "NE33 2RL", "NE34 6AB", "NE32 5QR", "NE31 1XX", "NE35 9PQ"]
    ):
        rows.append(
            {
                "postcode": postcode,
                "latitude": f"{SOUTH_WEST[0] + 0.02 + offset * 0.006:.5f}",
                "longitude": f"{SOUTH_WEST[1] + 0.06 + offset * 0.02:.5f}",
                "ward": "",
            }
        )
    return rows


def load_places(stdout=None) -> None:
    with transaction.atomic():
        rows = demo_postcodes()
        known = set(PostcodeCentroid.objects.values_list("postcode", flat=True))
        if rows and not {row["postcode"] for row in rows} <= known:
            placement.postcodes_import(rows=rows)
        organisations = _organisations()
        made = _roles(organisations, rows)
    if stdout:
        stdout.write(
            f"Demo places: {PostcodeCentroid.objects.count()} postcodes, "
            f"{Organisation.objects.count()} organisations, {Opportunity.objects.count()} roles "
            f"({made} added this time); {ORG_CONTACT_EMAIL} is a contact for {ORGANISATIONS[0][0]}."
        )


def _organisations() -> dict[str, Organisation]:
    found = {
        org.name: org for org in Organisation.objects.filter(name__in=[o[0] for o in ORGANISATIONS])
    }
    for name, status, email, description in ORGANISATIONS:
        if name in found:
            continue
        data = {"name": name, "email": email, "description": description}
        organisation = placement.organisation_add(actor=None, data=data)
        if status == Organisation.Status.PENDING:
            Organisation.objects.filter(pk=organisation.pk).update(
                status=status, approved_at=None, approved_by=None
            )
        elif status == Organisation.Status.SUSPENDED:
            placement.organisation_suspend(
                organisation=organisation,
                actor=None,
                reason="Stopped meeting while the hall is repaired",
            )
        found[name] = Organisation.objects.get(pk=organisation.pk)
    contact = get_user_model().objects.filter(email=ORG_CONTACT_EMAIL).first()
    first = found[ORGANISATIONS[0][0]]
    if contact is not None and not first.contacts.filter(pk=contact.pk).exists():
        placement.organisation_contact_add(organisation=first, email=contact.email, actor=None)
    return found


def _roles(organisations: dict[str, Organisation], postcodes: list[dict]) -> int:
    existing = set(Opportunity.objects.values_list("organisation__name", "title"))
    made = 0
    for number, (org_name, title, skills, interests, times, details) in enumerate(ROLES):
        if (org_name, title) in existing:
            continue
        organisation = organisations[org_name]
        remote = details.get("remote", False)
        place = postcodes[(number * 7) % max(1, len(postcodes) - 6)] if postcodes else None
        data = {
            "title": title,
            "description": f"{title} with {org_name}. {organisation.description}",
            "skills": [_skill(name) for name in skills],
            "interests": [_interest(name) for name in interests],
            "availability": availability_mask(times),
            "remote": remote,
            "postcode": "" if remote or place is None else place["postcode"],
            "minimum_age": details.get("minimum_age", 18),
            "youth_friendly": details.get("youth_friendly", False),
            "capacity": details.get("capacity", 1),
            "check_level": details.get("check_level", Opportunity.CheckLevel.NONE),
            "open_to_convictions": details.get("open_to_convictions", True),
            "status": Opportunity.Status.OPEN,
        }
        if organisation.status != Organisation.Status.APPROVED:
            continue
        role = placement.opportunity_save(organisation=organisation, actor=None, data=data)
        wanted_status = details.get("status", Opportunity.Status.OPEN)
        if wanted_status != Opportunity.Status.OPEN:
            placement.opportunity_save(
                organisation=organisation,
                actor=None,
                data={**data, "status": wanted_status},
                opportunity=role,
            )
        made += 1
    return made


# --- Referrals in every state ---------------------------------------------------------------

# state, how many, days since referred (a range)
PLAN = [
    ("referred", 6, (0, 1)),
    ("referred_reminded", 3, (4, 4)),
    ("referred_escalated", 3, (9, 12)),
    ("acknowledged", 5, (1, 3)),
    ("contact_overdue", 3, (10, 14)),
    ("declined", 4, (5, 40)),
    ("checks", 5, (7, 30)),
    ("active", 10, (20, 80)),
    ("active_3_months", 8, (100, 170)),
    ("active_6_months", 5, (200, 330)),
    ("ended", 4, (120, 300)),
    ("no_response", 3, (20, 60)),
]
DECLINE_REASONS = [
    "The role was filled before we could call",
    "The times they are free do not fit our sessions",
    "We have paused new volunteers until the spring",
]
END_REASONS = ["Started a new job", "Moved out of the area", "Caring for a family member"]


def load_referrals(stdout=None) -> None:
    crowd = Volunteer.objects.filter(
        status=Volunteer.Status.AVAILABLE,
        user__email__startswith=CROWD_PREFIX,
        user__email__endswith=CROWD_DOMAIN,
    )
    if Referral.objects.filter(
        volunteer__in=Volunteer.objects.filter(user__email__startswith=CROWD_PREFIX)
    ).exists():
        if stdout:
            stdout.write(f"Demo referrals: {Referral.objects.count()} already there.")
        return
    with transaction.atomic():
        made = _referrals(crowd)
    placement.matches_rebuild()
    if stdout:
        stdout.write(f"Demo referrals: {made} in every state; best matches worked out.")


def _referrals(crowd) -> int:
    rng = random.Random(2027)  # noqa: S311  (made-up demo data, the same on every run)
    now = timezone.now()
    council = CouncilSettings.load()
    names = selectors.match_names()
    table = selectors.role_table(now=now)
    places = {role.id: role.places_left for role in table.roles}
    volunteers = {v.pk: v for v in crowd.select_related("user")}
    people = selectors.volunteer_facts(crowd)
    rng.shuffle(people)
    # The role with one place is filled first, so the demo shows a full role.
    fridge = (
        Opportunity.objects.filter(title="Community fridge helper")
        .values_list("pk", flat=True)
        .first()
    )
    plan = [
        ("active", 1, (30, 40), fridge),
        *[(state, count, days, None) for state, count, days in PLAN],
    ]
    made = 0
    waiting = iter(people)
    for state, count, (low, high), only in plan:
        done = 0
        for person in waiting:
            ranked = [
                role
                for role, _score in table.rank(person, limit=10)
                if places.get(role.id, 0) > 0 and only in (None, role.id)
            ]
            if not ranked:
                continue
            role = ranked[0]
            places[role.id] -= 1
            referred_at = now - timedelta(days=rng.uniform(low, high + 1))
            found = assess(person, role, now=referred_at, names=names)
            _made_up_referral(
                volunteers[person.id], role, state, referred_at, now, council, rng, found
            )
            done += 1
            made += 1
            if done == count:
                break
    return made


def _made_up_referral(volunteer, role, state, referred_at, now, council, rng, found) -> Referral:
    referral = Referral(
        volunteer=volunteer,
        opportunity_id=role.id,
        score=found.as_dict(),
        referred_at=referred_at,
        acknowledge_by=workdays.end_of_working_days(referred_at, council.referral_acknowledge_days),
        first_contact_by=workdays.end_of_working_days(
            referred_at, council.referral_first_contact_days
        ),
        check_stage=Referral.CheckStage.NOT_STARTED,
    )

    def later(hours_low, hours_high):
        return min(now, referred_at + timedelta(hours=rng.uniform(hours_low, hours_high)))

    if state in ("referred", "referred_reminded", "referred_escalated"):
        referral.status = Referral.Status.REFERRED
        if state != "referred":
            referral.reminded_at = referral.acknowledge_by + timedelta(minutes=5)
        if state == "referred_escalated":
            referral.escalated_at = workdays.one_working_day_later(
                referral.acknowledge_by
            ) + timedelta(minutes=5)
    elif state in ("acknowledged", "contact_overdue", "declined", "no_response"):
        referral.status = {
            "acknowledged": Referral.Status.ACKNOWLEDGED,
            "contact_overdue": Referral.Status.ACKNOWLEDGED,
            "declined": Referral.Status.DECLINED,
            "no_response": Referral.Status.NO_RESPONSE,
        }[state]
        if state != "no_response":
            referral.acknowledged_at = later(2, 30)
        if state == "contact_overdue":
            referral.reminded_at = referral.first_contact_by + timedelta(minutes=5)
        if state == "declined":
            referral.declined_at = later(30, 60)
            referral.decline_reason = rng.choice(DECLINE_REASONS)
        if state == "no_response":
            referral.reminded_at = referral.acknowledge_by + timedelta(minutes=5)
            referral.escalated_at = workdays.one_working_day_later(referral.acknowledge_by)
            referral.ended_at = referral.escalated_at + timedelta(hours=3)
    else:
        referral.acknowledged_at = later(2, 30)
        referral.first_contact_at = later(30, 70)
        referral.checks_started_at = later(70, 100)
        referral.check_stage = rng.choice(
            [Referral.CheckStage.NOT_STARTED, Referral.CheckStage.IN_PROGRESS]
        )
        referral.status = Referral.Status.CHECKS
        if state != "checks":
            referral.status = Referral.Status.ACTIVE
            referral.check_stage = Referral.CheckStage.COMPLETE
            referral.active_at = later(240, 400)
        if state == "ended":
            referral.status = Referral.Status.ENDED
            referral.ended_at = min(now, referral.active_at + timedelta(days=rng.randint(20, 90)))
            referral.end_reason = rng.choice(END_REASONS)
    if (
        referral.check_stage == Referral.CheckStage.NOT_STARTED
        and role_check_level(role.id) == "none"
    ):
        referral.check_stage = Referral.CheckStage.NOT_NEEDED
    referral.save()

    if state == "active_6_months":
        # Asked and answered at 3 months; the 6-month question is due for the daily job.
        asked = placement.add_months(referral.active_at, 3) + timedelta(hours=1)
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    referral=referral,
                    months=3,
                    respondent=respondent,
                    due_at=asked,
                    asked_at=asked,
                    answered_at=asked + timedelta(days=1),
                    still_volunteering=True,
                )
                for respondent in CheckIn.Respondent.values
            ]
        )

    if volunteer.profile_completed_at is None or volunteer.profile_completed_at > referred_at:
        # Made-up history runs in order: they signed up a while before they were referred.
        signed_up = referred_at - timedelta(days=rng.uniform(1, 20))
        volunteer.created_at = signed_up - timedelta(minutes=12)
        volunteer.profile_completed_at = signed_up
        volunteer.waiting_since = signed_up
        volunteer.save(update_fields=["created_at", "profile_completed_at", "waiting_since"])

    statuses = {
        Referral.Status.REFERRED: Volunteer.Status.REFERRED,
        Referral.Status.ACKNOWLEDGED: Volunteer.Status.REFERRED,
        Referral.Status.CHECKS: Volunteer.Status.REFERRED,
        Referral.Status.ACTIVE: Volunteer.Status.ACTIVE,
    }
    volunteer.status = statuses.get(referral.status, Volunteer.Status.AVAILABLE)
    volunteer.first_referred_at = referred_at
    fields = ["status", "first_referred_at"]
    if referral.active_at:
        volunteer.first_active_at = referral.active_at
        fields.append("first_active_at")
    if referral.status == Referral.Status.ENDED:
        volunteer.waiting_since = referral.ended_at
        fields.append("waiting_since")
    volunteer.save(update_fields=fields)
    Opportunity.objects.filter(pk=role.id).update(last_referred_at=referred_at)
    Organisation.objects.filter(pk=role.organisation_id, last_referred_at__lt=referred_at).update(
        last_referred_at=referred_at
    )
    Organisation.objects.filter(pk=role.organisation_id, last_referred_at__isnull=True).update(
        last_referred_at=referred_at
    )
    return referral


def role_check_level(role_id: int) -> str:
    return (
        Opportunity.objects.filter(pk=role_id).values_list("check_level", flat=True).first()
        or "none"
    )
