"""Reads that volunteering's views share and that carry a rule (whose data a person may see)."""

import statistics
import time
import uuid
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from council.models import AuditLogEntry, SourceCode
from volunteers.matching import Names, RoleFacts, RoleTable, VolunteerFacts
from volunteers.models import (
    CheckIn,
    Interest,
    Match,
    Opportunity,
    Organisation,
    Referral,
    Skill,
    Volunteer,
)

# What each referral state means to the volunteer, in their words rather than the coordinator's.
REFERRAL_STATE_FOR_VOLUNTEER = {
    Referral.Status.REFERRED: "We have passed your details to them",
    Referral.Status.ACKNOWLEDGED: "They have your details and will contact you",
    Referral.Status.DECLINED: "Not going ahead",
    Referral.Status.CHECKS: "They are doing their checks",
    Referral.Status.ACTIVE: "You are volunteering",
    Referral.Status.ENDED: "Ended",
    Referral.Status.NO_RESPONSE: "They did not reply: the coordinator will look for another role",
}

# Nominations are attributed to a source code through a foreign key on the
# nomination named with this related_name. This app must not import nominations,
# so the count is read through the source code's side of that key, when it exists.


def volunteer_for_user(user) -> Volunteer | None:
    """The signed-in person's own profile, or None. Nobody reaches anyone else's."""
    if not user.is_authenticated:
        return None
    return Volunteer.objects.select_related("source", "user").filter(user=user).first()


def referrals_for_volunteer(*, volunteer: Volunteer) -> list[Referral]:
    """The volunteer's own referrals, newest first, each with the words for its state."""
    referrals = list(
        Referral.objects.filter(volunteer=volunteer)
        .select_related("opportunity__organisation")
        .order_by("-referred_at")
    )
    for referral in referrals:
        referral.state_for_volunteer = REFERRAL_STATE_FOR_VOLUNTEER.get(
            referral.status, referral.get_status_display()
        )
    return referrals


def source_codes_with_counts() -> QuerySet[SourceCode]:
    """Every source code with its visits, the sign-ups and the nominations that followed."""
    codes = SourceCode.objects.annotate(
        signups_started=Count("volunteers", distinct=True),
        signups=Count(
            "volunteers",
            filter=Q(volunteers__profile_completed_at__isnull=False),
            distinct=True,
        ),
        # Nominations sent by people who came through the code (nominations.Nomination.source_code).
        nominations_count=Count("nominations", distinct=True),
    ).order_by("-created_at", "-pk")
    return codes


# --- Placement: matching, referrals, the coordinator's queue (services/placement.py) ----------

# Referrals that hold one of a role's places.
PLACE_TAKING = (
    Referral.Status.REFERRED,
    Referral.Status.ACKNOWLEDGED,
    Referral.Status.CHECKS,
    Referral.Status.ACTIVE,
)
# Referrals still waiting for the organisation: before the volunteer starts.
IN_HAND = (Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED, Referral.Status.CHECKS)


def matchable_roles() -> QuerySet[Opportunity]:
    """Roles that can take a referral today: open, at an approved organisation."""
    return Opportunity.objects.filter(
        status=Opportunity.Status.OPEN, organisation__status=Organisation.Status.APPROVED
    )


def _ids_by_owner(through, owner: str, item: str, owners: QuerySet) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    rows = through.objects.filter(**{f"{owner}__in": owners.values("pk")}).values_list(
        f"{owner}_id", f"{item}_id"
    )
    for owner_id, item_id in rows:
        found.setdefault(owner_id, set()).add(item_id)
    return found


def role_facts(roles: QuerySet[Opportunity] | None = None) -> list[RoleFacts]:
    """What matching needs about each role, in four queries however many roles there are."""
    roles = matchable_roles() if roles is None else roles
    taken = dict(
        Referral.objects.filter(opportunity__in=roles.values("pk"), status__in=PLACE_TAKING)
        .values_list("opportunity_id")
        .annotate(n=Count("pk"))
        .values_list("opportunity_id", "n")
    )
    skills = _ids_by_owner(Opportunity.skills.through, "opportunity", "skill", roles)
    interests = _ids_by_owner(Opportunity.interests.through, "opportunity", "interest", roles)
    rows = roles.order_by("pk").values_list(
        "pk",
        "organisation_id",
        "availability",
        "latitude",
        "longitude",
        "remote",
        "minimum_age",
        "youth_friendly",
        "capacity",
        "last_referred_at",
        "organisation__last_referred_at",
    )
    return [
        RoleFacts(
            id=pk,
            organisation_id=organisation_id,
            skills=frozenset(skills.get(pk, ())),
            interests=frozenset(interests.get(pk, ())),
            availability=availability,
            latitude=latitude,
            longitude=longitude,
            remote=remote,
            minimum_age=minimum_age,
            youth_friendly=youth_friendly,
            places_left=capacity - taken.get(pk, 0),
            last_referred_at=last_referred_at,
            organisation_last_referred_at=organisation_last_referred_at,
        )
        for (
            pk,
            organisation_id,
            availability,
            latitude,
            longitude,
            remote,
            minimum_age,
            youth_friendly,
            capacity,
            last_referred_at,
            organisation_last_referred_at,
        ) in rows
    ]


def role_table(*, now: datetime | None = None) -> RoleTable:
    """Every role that can take a referral, ready to rank for any volunteer."""
    return RoleTable(role_facts(), now=now or timezone.now())


# The coordinator's pages rank one volunteer at a time against every role; loading the
# roles costs far more than ranking them, so each process keeps the last table it built
# while the roles have not changed. The services that change roles, organisations or
# referrals set a new version in the shared cache (placement._roles_changed), and a table
# is never used for longer than ROLE_TABLE_MAX_AGE, so a change made another way (the
# admin, a data import) shows within a minute. Referring checks every rule afresh.
ROLES_VERSION_KEY = "volunteers:roles:version"
ROLE_TABLE_MAX_AGE = 60  # seconds
_kept: dict = {"version": None, "built": 0.0, "table": None}


def roles_version() -> str:
    version = cache.get(ROLES_VERSION_KEY)
    if version is None:
        cache.add(ROLES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(ROLES_VERSION_KEY, "")
    return version


def role_table_current() -> RoleTable:
    """The role table as it is now, built again only when the roles have changed."""
    version, kept = roles_version(), _kept
    if kept["version"] == version and time.monotonic() - kept["built"] < ROLE_TABLE_MAX_AGE:
        return kept["table"]
    table = role_table()
    _kept.update(version=version, built=time.monotonic(), table=table)
    return table


def _age(born, today) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def volunteer_facts(volunteers: QuerySet[Volunteer]) -> list[VolunteerFacts]:
    """What matching needs about each volunteer, in four queries however many there are."""
    today = timezone.localdate()
    skills = _ids_by_owner(Volunteer.skills.through, "volunteer", "skill", volunteers)
    interests = _ids_by_owner(Volunteer.interests.through, "volunteer", "interest", volunteers)
    referred: dict[int, set[int]] = {}
    for volunteer_id, role_id in Referral.objects.filter(
        volunteer__in=volunteers.values("pk")
    ).values_list("volunteer_id", "opportunity_id"):
        referred.setdefault(volunteer_id, set()).add(role_id)
    rows = volunteers.order_by("waiting_since", "pk").values_list(
        "pk",
        "date_of_birth",
        "guardian_consent_at",
        "latitude",
        "longitude",
        "travel_km",
        "remote_only",
        "availability",
    )
    return [
        VolunteerFacts(
            id=pk,
            age=_age(born, today),
            guardian_consent=consent_at is not None,
            latitude=latitude,
            longitude=longitude,
            travel_km=float(travel_km or 0),
            remote_only=remote_only,
            skills=frozenset(skills.get(pk, ())),
            interests=frozenset(interests.get(pk, ())),
            availability=availability,
            referred_roles=frozenset(referred.get(pk, ())),
        )
        for pk, born, consent_at, latitude, longitude, travel_km, remote_only, availability in rows
    ]


def match_names() -> Names:
    return Names(
        skills=dict(Skill.objects.values_list("pk", "name")),
        interests=dict(Interest.objects.values_list("pk", "name")),
    )


def volunteer_queue(*, filters: dict | None = None) -> QuerySet[Volunteer]:
    """Volunteers waiting for a role, longest waiting first."""
    filters = filters or {}
    volunteers = (
        Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE)
        .select_related("user", "area")
        .order_by("waiting_since", "pk")
    )
    if filters.get("area"):
        volunteers = volunteers.filter(area=filters["area"])
    if filters.get("skill"):
        volunteers = volunteers.filter(skills=filters["skill"])
    if filters.get("interest"):
        volunteers = volunteers.filter(interests=filters["interest"])
    if filters.get("remote_only"):
        volunteers = volunteers.filter(remote_only=True)
    if filters.get("young"):
        today = timezone.localdate()
        volunteers = volunteers.filter(date_of_birth__gt=today.replace(year=today.year - 18))
    if filters.get("waited_days"):
        volunteers = volunteers.filter(
            waiting_since__lte=timezone.now() - timedelta(days=filters["waited_days"])
        )
    if filters.get("no_match"):
        volunteers = volunteers.exclude(Exists(Match.objects.filter(volunteer=OuterRef("pk"))))
    search = (filters.get("q") or "").strip()
    if search:
        volunteers = volunteers.filter(
            Q(full_name__icontains=search) | Q(user__email__icontains=search)
        )
    return volunteers.distinct()


def best_matches(volunteer_ids) -> dict[int, Match]:
    """Each volunteer's best match from the last matching run, in one query."""
    best: dict[int, Match] = {}
    for match in (
        Match.objects.filter(volunteer_id__in=list(volunteer_ids))
        .select_related("opportunity__organisation")
        .order_by("volunteer_id", "-score", "opportunity_id")
    ):
        best.setdefault(match.volunteer_id, match)
    return best


def overdue_q(now: datetime) -> Q:
    """Referrals past a hand-off time limit: not acknowledged, or the volunteer not contacted."""
    return Q(status=Referral.Status.REFERRED, acknowledge_by__lt=now) | Q(
        status__in=[Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED],
        first_contact_at__isnull=True,
        first_contact_by__lt=now,
    )


def referrals_overdue(*, now: datetime | None = None) -> QuerySet[Referral]:
    return Referral.objects.filter(overdue_q(now or timezone.now()))


def referral_list(
    *, filters: dict | None = None, now: datetime | None = None
) -> QuerySet[Referral]:
    """Referrals for the coordinator, newest first."""
    filters = filters or {}
    referrals = Referral.objects.select_related(
        "volunteer__user", "opportunity__organisation"
    ).order_by("-referred_at", "-pk")
    if filters.get("status"):
        referrals = referrals.filter(status=filters["status"])
    if filters.get("organisation"):
        referrals = referrals.filter(opportunity__organisation=filters["organisation"])
    if filters.get("overdue"):
        referrals = referrals.filter(overdue_q(now or timezone.now()))
    return referrals


def referral_history(referral: Referral) -> QuerySet[AuditLogEntry]:
    """Every recorded change to the referral, oldest first."""
    return AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Referral), object_id=str(referral.pk)
    ).order_by("created_at", "pk")


def organisation_responsiveness(
    organisations=None, *, now: datetime | None = None
) -> dict[int, dict]:
    """How quickly each organisation acknowledges referrals, and how often within the time limit.

    A referral counts once its time limit has passed or it has been answered
    (acknowledged or declined); one never answered counts as late.
    """
    now = now or timezone.now()
    referrals = Referral.objects.filter(
        Q(acknowledge_by__lt=now) | Q(acknowledged_at__isnull=False) | Q(declined_at__isnull=False)
    )
    if organisations is not None:
        referrals = referrals.filter(opportunity__organisation__in=organisations)
    figures: dict[int, dict] = {}
    for organisation_id, referred_at, due, acknowledged_at, declined_at in referrals.values_list(
        "opportunity__organisation_id",
        "referred_at",
        "acknowledge_by",
        "acknowledged_at",
        "declined_at",
    ):
        row = figures.setdefault(organisation_id, {"hours": [], "counted": 0, "in_time": 0})
        answered = min(filter(None, [acknowledged_at, declined_at]), default=None)
        row["counted"] += 1
        if answered is not None and (due is None or answered <= due):
            row["in_time"] += 1
        if acknowledged_at is not None:
            row["hours"].append((acknowledged_at - referred_at).total_seconds() / 3600)
    return {
        organisation_id: {
            "median_hours": statistics.median(row["hours"]) if row["hours"] else None,
            "counted": row["counted"],
            "in_time": row["in_time"],
            "in_time_share": row["in_time"] / row["counted"] if row["counted"] else None,
        }
        for organisation_id, row in figures.items()
    }


def placement_figures() -> dict:
    """Time from sign-up to first referral and to volunteering, and young people placed."""
    rows = list(
        Volunteer.objects.filter(profile_completed_at__isnull=False).values_list(
            "profile_completed_at", "first_referred_at", "first_active_at", "date_of_birth"
        )
    )

    def median_days(pairs) -> float | None:
        days = [(later - start).total_seconds() / 86400 for start, later in pairs if later]
        return round(statistics.median(days), 1) if days else None

    today = timezone.localdate()
    young = [row for row in rows if (_age(row[3], today) or 99) < 18]
    return {
        "signed_up": len(rows),
        "referred": sum(1 for row in rows if row[1]),
        "placed": sum(1 for row in rows if row[2]),
        "days_to_first_referral": median_days((row[0], row[1]) for row in rows),
        "days_to_active": median_days((row[0], row[2]) for row in rows),
        "young_signed_up": len(young),
        "young_placed": sum(1 for row in young if row[2]),
    }


def check_in_figures() -> list[dict]:
    """For each check-in point: how many were asked, answered, and still volunteering."""
    counts = {
        (months, respondent): (asked, answered, still)
        for months, respondent, asked, answered, still in CheckIn.objects.values_list(
            "months", "respondent"
        )
        .annotate(
            asked=Count("pk", filter=Q(asked_at__isnull=False)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            still=Count("pk", filter=Q(still_volunteering=True)),
        )
        .values_list("months", "respondent", "asked", "answered", "still")
    }
    empty = (0, 0, 0)
    return [
        {
            "months": months,
            "respondent": label,
            "asked": counts.get((months, respondent), empty)[0],
            "answered": counts.get((months, respondent), empty)[1],
            "still": counts.get((months, respondent), empty)[2],
        }
        for months in (3, 6, 12)
        for respondent, label in CheckIn.Respondent.choices
    ]


# --- What an organisation contact may see -------------------------------------------------
#
# A contact sees their own organisations' roles and referrals and nothing else, whatever
# the URL or id: every read for the portal starts from these, and an object that is not
# theirs is "not found" (404), exactly like one that does not exist.


def organisations_for_contact(*, user) -> QuerySet[Organisation]:
    """The approved organisations this person is a contact for."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(contacts=user, status=Organisation.Status.APPROVED)


def organisations_waiting_for_contact(*, user) -> QuerySet[Organisation]:
    """Organisations this person contacts that are not approved: not yet, or suspended."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(contacts=user).exclude(status=Organisation.Status.APPROVED)


def opportunities_for_contact(*, user) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.filter(organisation__in=organisations_for_contact(user=user))
        .select_related("organisation")
        .annotate(places_taken=Count("referrals", filter=Q(referrals__status__in=PLACE_TAKING)))
        .order_by("organisation__name", "title", "pk")
    )


def opportunity_get_for_contact(*, user, pk: int) -> Opportunity:
    """The contact's own organisation's role, or 404."""
    role = (
        Opportunity.objects.filter(pk=pk, organisation__in=organisations_for_contact(user=user))
        .select_related("organisation")
        .first()
    )
    if role is None:
        raise Http404("No such role")
    return role


def referrals_for_contact(*, user, status: str = "") -> QuerySet[Referral]:
    referrals = (
        Referral.objects.filter(opportunity__organisation__in=organisations_for_contact(user=user))
        .select_related("volunteer__user", "opportunity__organisation")
        .order_by("-referred_at", "-pk")
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals


def referral_get_for_contact(*, user, pk: int) -> Referral:
    """The contact's own organisation's referral, or 404."""
    referral = referrals_for_contact(user=user).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral")
    return referral
