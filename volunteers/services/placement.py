"""Every change to placing volunteers: organisations and their roles, matching,
referrals and their time limits, retention check-ins, and postcode centroids.

Views, tasks, management commands and the demo call these and never save these rows
themselves. Each runs in one transaction with its audit row; emails are rows in the
outbox (council.services.email_queue), sent once the transaction commits. Nothing
here ever records the result of a safety check: organisations run their own checks,
and a referral keeps only the stage they have reached.
"""

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from council.models import CouncilSettings
from council.postcodes import UK_POSTCODE
from council.roles import Role, role_group
from council.services import audit_log, email_queue
from volunteers import selectors, workdays
from volunteers.matching import TOTAL_WEIGHT, WEIGHTS, assess
from volunteers.models import (
    CheckIn,
    Interest,
    Match,
    Opportunity,
    Organisation,
    PostcodeCentroid,
    Referral,
    Skill,
    Volunteer,
)
from volunteers.services.profile import VolunteerError

logger = logging.getLogger(__name__)

# How many of a volunteer's best roles a matching run keeps for the coordinator's queue.
MATCHES_KEPT = 10
# When a volunteer is asked whether they are still volunteering, in months after they start.
CHECK_IN_MONTHS = (3, 6, 12)


class PlacementError(VolunteerError):
    """A rule of placing volunteers was broken; the message is for the person who tried."""

    messages = {
        "organisation_not_pending": "{organisation} is already {status}.",
        "organisation_not_approved": "{organisation} is not approved to take referrals.",
        "organisation_already_approved": "{organisation} is already approved.",
        "organisation_already_suspended": "{organisation} is already suspended.",
        "name_taken": "An organisation called {name} is already registered",
        "no_account": "No account uses {email}. Ask them to create an account first, then add them",
        "already_contact": "{email} is already a contact for {organisation}",
        "not_contact": "{email} is not a contact for {organisation}",
        "postcode_unknown": "We could not find {postcode} in the council's postcode list. Check it, or say the role can be done from home",
        "postcode_needed": "Enter the postcode where the role takes place, or say it can be done from home",
        "volunteer_not_available": "{volunteer} is not waiting for a role ({status}), so cannot be referred.",
        "role_not_open": "{role} is not taking referrals.",
        "not_eligible": "{volunteer} cannot be referred to {role}: {reason}.",
        "wrong_state": "This referral is {status}, so it cannot be {action}.",
        "reason_needed": "Enter the reason",
        "check_in_answered": "This question has already been answered. Thank you.",
        "link_invalid": "This link is not valid. It may have been copied wrongly.",
        "no_postcodes": "The file has no postcodes in it. The first row must be postcode,latitude,longitude.",
        "postcode_rows": "{count} rows have problems, so no postcodes were imported.",
    }

    def __init__(self, code: str, *, rows: dict[int, list[str]] | None = None, **params):
        super().__init__(code, **params)
        self.rows = rows or {}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _organisation_addresses(organisation: Organisation) -> list[str]:
    """The organisation's own address and each contact's, once each."""
    found = [organisation.email.strip().lower()] if organisation.email else []
    for email in organisation.contacts.filter(is_active=True).values_list("email", flat=True):
        if email and email.lower() not in found:
            found.append(email.lower())
    return found


def _coordinator_addresses() -> list[str]:
    coordinators = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COORDINATOR.value)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return coordinators or [CouncilSettings.load().contact_email]


def _roles_changed() -> None:
    """The roles, their places or their organisations changed: the coordinator's pages rank
    against them afresh (see selectors.role_table_current). Now and again after commit, in
    case another request built a table from the old rows in between."""
    cache.set(selectors.ROLES_VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(selectors.ROLES_VERSION_KEY, uuid.uuid4().hex, None))


def _email(to: list[str], template: str, subject: str, tags: list[str], **context) -> None:
    if not to:
        return
    email_queue(
        to=to,
        subject=subject,
        body_text=render_to_string(f"volunteers/email/{template}.txt", context),
        tags=tags,
    )


# --- Organisations -------------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "description", "website", "email", "phone", "charity_number", "area")


def _make_contact(user) -> None:
    user.groups.add(role_group(Role.ORGANISATION_CONTACT))


def _check_name_free(name: str, *, exclude_pk: int | None = None) -> None:
    same = Organisation.objects.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise PlacementError("name_taken", name=name.strip())


def organisation_register(*, actor, data: dict) -> Organisation:
    """An organisation asks to take referrals; it waits for the coordinator's approval.

    The person registering becomes its first contact.
    """
    _check_name_free(data["name"])
    with transaction.atomic():
        organisation = Organisation(status=Organisation.Status.PENDING)
        for name in ORGANISATION_FIELDS:
            if name in data:
                setattr(organisation, name, data[name])
        organisation.full_clean()
        organisation.save()
        organisation.contacts.add(actor)
        _make_contact(actor)
        audit_log(
            actor=actor,
            action="volunteers.organisation.registered",
            obj=organisation,
            data={"contact": actor.email},
        )
    return organisation


def organisation_add(*, actor, data: dict, contact_email: str = "") -> Organisation:
    """The coordinator adds an organisation they know: it is approved at once."""
    _check_name_free(data["name"])
    contact = _account(contact_email) if contact_email else None
    with transaction.atomic():
        now = timezone.now()
        organisation = Organisation(
            status=Organisation.Status.APPROVED, approved_by=actor, approved_at=now
        )
        for name in ORGANISATION_FIELDS:
            if name in data:
                setattr(organisation, name, data[name])
        organisation.full_clean()
        organisation.save()
        if contact is not None:
            organisation.contacts.add(contact)
            _make_contact(contact)
        audit_log(
            actor=actor,
            action="volunteers.organisation.added",
            obj=organisation,
            data={"contact": contact.email if contact else ""},
        )
        _roles_changed()
    return organisation


def _locked_organisation(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def organisation_approve(*, organisation: Organisation, actor) -> Organisation:
    """Approve a new organisation, or reinstate a suspended one; its contacts are told."""
    with transaction.atomic():
        organisation = _locked_organisation(organisation)
        if organisation.status == Organisation.Status.APPROVED:
            raise PlacementError("organisation_already_approved", organisation=organisation.name)
        before = organisation.status
        organisation.status = Organisation.Status.APPROVED
        organisation.approved_by = actor
        organisation.approved_at = timezone.now()
        organisation.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log(
            actor=actor,
            action="volunteers.organisation.approved",
            obj=organisation,
            data={"was": before},
        )
        _roles_changed()
        _email(
            _organisation_addresses(organisation),
            "organisation_approved",
            f"{organisation.name} can now take volunteer referrals",
            ["organisation"],
            organisation=organisation,
            url=_site(reverse("org:home")),
        )
    return organisation


def organisation_suspend(*, organisation: Organisation, actor, reason: str) -> Organisation:
    """Stop an organisation taking referrals: its roles leave matching; open referrals stay."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PlacementError("reason_needed")
    with transaction.atomic():
        organisation = _locked_organisation(organisation)
        if organisation.status == Organisation.Status.SUSPENDED:
            raise PlacementError("organisation_already_suspended", organisation=organisation.name)
        before = organisation.status
        organisation.status = Organisation.Status.SUSPENDED
        organisation.save(update_fields=["status"])
        audit_log(
            actor=actor,
            action="volunteers.organisation.suspended",
            obj=organisation,
            data={"was": before, "reason": reason},
        )
        _roles_changed()
    return organisation


def _account(email: str):
    user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise PlacementError("no_account", email=email.strip())
    return user


def organisation_contact_add(*, organisation: Organisation, email: str, actor):
    """Let an existing account manage the organisation's roles and referrals at /org/."""
    user = _account(email)
    with transaction.atomic():
        organisation = _locked_organisation(organisation)
        if organisation.contacts.filter(pk=user.pk).exists():
            raise PlacementError(
                "already_contact", email=user.email, organisation=organisation.name
            )
        organisation.contacts.add(user)
        _make_contact(user)
        audit_log(
            actor=actor,
            action="volunteers.organisation.contact_added",
            obj=organisation,
            data={"contact": user.email},
        )
    return user


def organisation_contact_remove(*, organisation: Organisation, user, actor) -> None:
    """Take a contact away; someone who is no longer anyone's contact loses the role too."""
    with transaction.atomic():
        organisation = _locked_organisation(organisation)
        if not organisation.contacts.filter(pk=user.pk).exists():
            raise PlacementError("not_contact", email=user.email, organisation=organisation.name)
        organisation.contacts.remove(user)
        if not user.organisations.exists():
            user.groups.remove(role_group(Role.ORGANISATION_CONTACT))
        audit_log(
            actor=actor,
            action="volunteers.organisation.contact_removed",
            obj=organisation,
            data={"contact": user.email},
        )


# --- Roles ---------------------------------------------------------------------------------

OPPORTUNITY_FIELDS = (
    "title",
    "description",
    "availability",
    "postcode",
    "remote",
    "minimum_age",
    "youth_friendly",
    "capacity",
    "check_level",
    "open_to_convictions",
    "status",
)


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the last three characters: "ne332rl" → "NE33 2RL"."""
    squashed = re.sub(r"\s+", "", text or "").upper()
    return f"{squashed[:-3]} {squashed[-3:]}" if len(squashed) > 3 else squashed


def opportunity_save(
    *,
    organisation: Organisation,
    actor,
    data: dict,
    opportunity: Opportunity | None = None,
) -> Opportunity:
    """Add a role to an approved organisation, or change one; the place comes from its postcode."""
    if organisation.status != Organisation.Status.APPROVED:
        raise PlacementError("organisation_not_approved", organisation=organisation.name)
    postcode = normalise_postcode(data.get("postcode", ""))
    centroid = PostcodeCentroid.objects.filter(postcode=postcode).first() if postcode else None
    if not data.get("remote"):
        if not postcode:
            raise PlacementError("postcode_needed")
        if centroid is None:
            raise PlacementError("postcode_unknown", postcode=postcode)
    with transaction.atomic():
        created = opportunity is None
        if created:
            opportunity = Opportunity(organisation=organisation)
        else:
            opportunity = Opportunity.objects.select_for_update().get(
                pk=opportunity.pk, organisation=organisation
            )
        before = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
        before_skills = (
            set(opportunity.skills.values_list("pk", flat=True)) if not created else set()
        )
        before_interests = (
            set(opportunity.interests.values_list("pk", flat=True)) if not created else set()
        )
        for name in OPPORTUNITY_FIELDS:
            if name in data:
                setattr(opportunity, name, data[name])
        opportunity.postcode = postcode
        opportunity.latitude = centroid.latitude if centroid else None
        opportunity.longitude = centroid.longitude if centroid else None
        opportunity.full_clean(exclude=["skills", "interests"])
        opportunity.save()
        skills = {int(getattr(item, "pk", item)) for item in data.get("skills", [])}
        interests = {int(getattr(item, "pk", item)) for item in data.get("interests", [])}
        opportunity.skills.set(Skill.objects.filter(pk__in=skills))
        opportunity.interests.set(Interest.objects.filter(pk__in=interests))
        changed = [
            name for name in OPPORTUNITY_FIELDS if before[name] != getattr(opportunity, name)
        ]
        if skills != before_skills:
            changed.append("skills")
        if interests != before_interests:
            changed.append("interests")
        audit_log(
            actor=actor,
            action="volunteers.opportunity.created"
            if created
            else "volunteers.opportunity.updated",
            obj=opportunity,
            data={"changed": changed},
        )
        _roles_changed()
    return opportunity


# --- Matching ------------------------------------------------------------------------------


def matches_rebuild(*, actor=None, now: datetime | None = None) -> int:
    """Work out every waiting volunteer's best roles again and keep them as Match rows.

    Every open role is held as arrays once (matching.RoleTable), then each volunteer
    is ranked against all of them at once; the rows are replaced in bulk, in one
    transaction, so the queue never shows half a run.
    """
    now = _now(now)
    table = selectors.role_table(now=now)
    waiting = Volunteer.objects.filter(status=Volunteer.Status.AVAILABLE)
    rows = [
        (volunteer.id, role_id, round(score, 2), _match_parts(values))
        for volunteer in selectors.volunteer_facts(waiting)
        for role_id, score, values in table.rank_values(volunteer, limit=MATCHES_KEPT)
    ]
    with transaction.atomic():
        Match.objects.all().delete()
        _matches_insert(rows, computed_at=now)
        audit_log(
            actor=actor,
            action="volunteers.matches.rebuilt",
            data={"matches": len(rows), "roles": len(table)},
        )
    return len(rows)


# A match's parts as JSON: each one's value and points, in the order of matching.WEIGHTS.
_PARTS_JSON = "{" + ",".join(f'"{name}":{{"value":%r,"points":%r}}' for name in WEIGHTS) + "}"
_POINTS_PER_UNIT = [weight / TOTAL_WEIGHT * 100 for weight in WEIGHTS.values()]


def _match_parts(values: dict[str, float]) -> str:
    """A match's parts as JSON, each with its value and points. The words are worked out when
    the coordinator opens the volunteer's page (and kept with a referral): for every waiting
    volunteer at once they would cost more than the matching itself."""
    numbers = []
    for value, per_unit in zip(values.values(), _POINTS_PER_UNIT, strict=True):
        numbers += (round(value, 4), round(value * per_unit, 1))
    return _PARTS_JSON % tuple(numbers)


def _matches_insert(rows: list[tuple], *, computed_at: datetime, batch_size: int = 5000) -> None:
    """Insert Match rows in bulk: with COPY on PostgreSQL, one statement per batch elsewhere.
    A full run writes about 100,000 rows, and building a model instance for each would
    cost more than the matching itself."""
    meta = Match._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("volunteer", "opportunity", "score", "parts", "computed_at")
    )
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, computed_at))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608  (names from the model, values as parameters)
        when = connection.ops.adapt_datetimefield_value(computed_at)
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, [(*row, when) for row in rows[start : start + batch_size]])


def matches_rebuild_request(*, actor) -> None:
    """Ask the worker for a full matching run once this transaction commits."""
    from volunteers.tasks import matches_rebuild as task

    actor_id = actor.pk if actor else None

    def publish() -> None:
        try:
            task.delay(actor_id=actor_id)
        except Exception:  # the broker is down: the nightly run (config/celery.py) catches up
            logger.warning("Could not queue a matching run", exc_info=True)

    with transaction.atomic():
        audit_log(actor=actor, action="volunteers.matches.requested")
        transaction.on_commit(publish)


# --- Referrals -----------------------------------------------------------------------------


def _locked_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("volunteer__user", "opportunity__organisation")
        .get(pk=referral.pk)
    )


def _volunteer_follows(volunteer_id: int, *, now: datetime, back_of_queue: bool = False) -> None:
    """The volunteer's status follows their referrals: volunteering, referred, or waiting again.

    A volunteer who paused or closed their profile keeps that status. Someone whose
    referral was declined or went unanswered keeps their place in the queue; someone
    who has finished volunteering joins its end (`back_of_queue`).
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.status in (
        Volunteer.Status.PAUSED,
        Volunteer.Status.CLOSED,
        Volunteer.Status.INCOMPLETE,
    ):
        return
    statuses = set(
        volunteer.referrals.filter(status__in=selectors.PLACE_TAKING).values_list(
            "status", flat=True
        )
    )
    fields = ["status"]
    if Referral.Status.ACTIVE in statuses:
        volunteer.status = Volunteer.Status.ACTIVE
        if volunteer.first_active_at is None:
            volunteer.first_active_at = now
            fields.append("first_active_at")
    elif statuses:
        volunteer.status = Volunteer.Status.REFERRED
    else:
        volunteer.status = Volunteer.Status.AVAILABLE
        if back_of_queue or volunteer.waiting_since is None:
            volunteer.waiting_since = now
            fields.append("waiting_since")
    volunteer.save(update_fields=fields)


def referral_create(
    *, volunteer: Volunteer, opportunity: Opportunity, actor, now: datetime | None = None
) -> Referral:
    """Refer a waiting volunteer to a role; the organisation and the volunteer are emailed.

    The hard rules are checked again here, with the role locked, so two coordinators
    cannot fill the same last place. The score and its explanation are kept as the
    coordinator saw them, and the time limits are set in working days.
    """
    now = _now(now)
    council = CouncilSettings.load()
    with transaction.atomic():
        volunteer = (
            Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
        )
        opportunity = (
            Opportunity.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=opportunity.pk)
        )
        if volunteer.status != Volunteer.Status.AVAILABLE:
            raise PlacementError(
                "volunteer_not_available",
                volunteer=volunteer,
                status=volunteer.get_status_display().lower(),
            )
        facts = selectors.role_facts(selectors.matchable_roles().filter(pk=opportunity.pk))
        if not facts:
            raise PlacementError("role_not_open", role=opportunity.title)
        person = selectors.volunteer_facts(Volunteer.objects.filter(pk=volunteer.pk))[0]
        found = assess(person, facts[0], now=now, names=selectors.match_names())
        if not found.offered:
            raise PlacementError(
                "not_eligible", volunteer=volunteer, role=opportunity.title, reason=found.reason
            )
        referral = Referral.objects.create(
            volunteer=volunteer,
            opportunity=opportunity,
            score=found.as_dict(),
            referred_by=actor,
            referred_at=now,
            acknowledge_by=workdays.end_of_working_days(now, council.referral_acknowledge_days),
            first_contact_by=workdays.end_of_working_days(now, council.referral_first_contact_days),
            check_stage=(
                Referral.CheckStage.NOT_NEEDED
                if opportunity.check_level == Opportunity.CheckLevel.NONE
                else Referral.CheckStage.NOT_STARTED
            ),
        )
        volunteer.status = Volunteer.Status.REFERRED
        update = ["status"]
        if volunteer.first_referred_at is None:
            volunteer.first_referred_at = now
            update.append("first_referred_at")
        volunteer.save(update_fields=update)
        Opportunity.objects.filter(pk=opportunity.pk).update(last_referred_at=now)
        Organisation.objects.filter(pk=opportunity.organisation_id).update(last_referred_at=now)
        # They are no longer waiting, so their matches leave the queue.
        Match.objects.filter(volunteer=volunteer).delete()
        audit_log(
            actor=actor,
            action="volunteers.referral.referred",
            obj=referral,
            data={"score": round(found.score, 1), "role": opportunity.pk},
        )
        _roles_changed()
        context = {
            "referral": referral,
            "volunteer": volunteer,
            "role": opportunity,
            "organisation": opportunity.organisation,
            "council": council,
        }
        _email(
            _organisation_addresses(opportunity.organisation),
            "referral_to_organisation",
            f"New volunteer referral: {volunteer} for {opportunity.title}",
            ["referral"],
            url=_site(reverse("org:referral", args=[referral.pk])),
            **context,
        )
        _email(
            [volunteer.user.email],
            "referral_to_volunteer",
            f"We have put you in touch with {opportunity.organisation.name}",
            ["referral"],
            **context,
        )
    return referral


# What each step needs the referral to be in, and the words for a refusal.
_STEP_FROM = {
    "acknowledge": ((Referral.Status.REFERRED,), "acknowledged"),
    "contacted": (selectors.IN_HAND, "marked as contacted"),
    "decline": (selectors.IN_HAND, "declined"),
    "checks": (
        (Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED, Referral.Status.CHECKS),
        "given a check stage",
    ),
    "activate": (selectors.IN_HAND, "marked as volunteering"),
    "end": ((Referral.Status.ACTIVE,), "ended"),
    "no_response": (
        (Referral.Status.REFERRED, Referral.Status.ACKNOWLEDGED),
        "closed as no response",
    ),
}


def _allow(referral: Referral, step: str) -> None:
    allowed, words = _STEP_FROM[step]
    if referral.status not in allowed:
        raise PlacementError(
            "wrong_state", status=referral.get_status_display().lower(), action=words
        )


def referral_steps(referral: Referral) -> list[str]:
    """The steps that can be taken now, for the buttons on a referral's page."""
    return [step for step, (allowed, _words) in _STEP_FROM.items() if referral.status in allowed]


def _acknowledged(referral: Referral, now: datetime, fields: list[str]) -> None:
    """Any later step also acknowledges the referral, if nobody had yet."""
    if referral.acknowledged_at is None:
        referral.acknowledged_at = now
        fields.append("acknowledged_at")
    if referral.status == Referral.Status.REFERRED:
        referral.status = Referral.Status.ACKNOWLEDGED
        # The next hand-off (first contact) gets its own reminder and alert.
        referral.reminded_at = None
        referral.escalated_at = None
        fields += ["status", "reminded_at", "escalated_at"]


def _save_step(referral: Referral, fields: list[str], *, actor, action: str, data=None) -> None:
    referral.save(update_fields=sorted(set(fields)))
    audit_log(actor=actor, action=f"volunteers.referral.{action}", obj=referral, data=data or {})
    _roles_changed()  # places and stages are part of what matching sees


def referral_acknowledge(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    """The organisation has seen the referral and will contact the volunteer."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "acknowledge")
        fields: list[str] = []
        _acknowledged(referral, now, fields)
        _save_step(referral, fields, actor=actor, action="acknowledged")
    return referral


def referral_contacted(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    """The organisation has made first contact with the volunteer."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "contacted")
        fields: list[str] = []
        _acknowledged(referral, now, fields)
        if referral.first_contact_at is None:
            referral.first_contact_at = now
            fields.append("first_contact_at")
        _save_step(referral, fields, actor=actor, action="contacted")
    return referral


def referral_decline(
    *, referral: Referral, actor, reason: str, now: datetime | None = None
) -> Referral:
    """The organisation cannot take the volunteer; they go back to the queue in their old place."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise PlacementError("reason_needed")
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "decline")
        referral.status = Referral.Status.DECLINED
        referral.declined_at = now
        referral.decline_reason = reason
        _save_step(
            referral,
            ["status", "declined_at", "decline_reason"],
            actor=actor,
            action="declined",
        )
        _volunteer_follows(referral.volunteer_id, now=now)
        _email(
            [referral.volunteer.user.email],
            "referral_declined_volunteer",
            f"About your referral to {referral.opportunity.organisation.name}",
            ["referral"],
            referral=referral,
            council=CouncilSettings.load(),
        )
    return referral


def referral_check_stage(
    *, referral: Referral, actor, stage: str, now: datetime | None = None
) -> Referral:
    """Record how far the organisation's own checks have got: the stage, never a result."""
    now = _now(now)
    if stage not in Referral.CheckStage.values:
        raise ValueError(f"Unknown check stage {stage!r}")
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "checks")
        fields = ["check_stage"]
        _acknowledged(referral, now, fields)
        referral.check_stage = stage
        if stage == Referral.CheckStage.NOT_NEEDED:
            if referral.status == Referral.Status.CHECKS:
                referral.status = Referral.Status.ACKNOWLEDGED
                fields.append("status")
        else:
            referral.status = Referral.Status.CHECKS
            fields.append("status")
            if referral.checks_started_at is None:
                referral.checks_started_at = now
                fields.append("checks_started_at")
        _save_step(referral, fields, actor=actor, action="check_stage", data={"stage": stage})
    return referral


def referral_activate(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    """The volunteer has started; check-ins follow at 3, 6 and 12 months."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "activate")
        fields = ["status", "active_at"]
        _acknowledged(referral, now, fields)
        if referral.first_contact_at is None:
            referral.first_contact_at = now
            fields.append("first_contact_at")
        referral.status = Referral.Status.ACTIVE
        referral.active_at = now
        _save_step(referral, fields, actor=actor, action="active")
        _volunteer_follows(referral.volunteer_id, now=now)
    return referral


def referral_end(
    *, referral: Referral, actor, reason: str, now: datetime | None = None
) -> Referral:
    """The volunteer has stopped; they join the end of the queue for another role."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise PlacementError("reason_needed")
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "end")
        referral.status = Referral.Status.ENDED
        referral.ended_at = now
        referral.end_reason = reason
        _save_step(referral, ["status", "ended_at", "end_reason"], actor=actor, action="ended")
        _volunteer_follows(referral.volunteer_id, now=now, back_of_queue=True)
    return referral


def referral_no_response(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    """Close a referral the organisation never answered; the volunteer keeps their place and
    the coordinator refers them again."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked_referral(referral)
        _allow(referral, "no_response")
        referral.status = Referral.Status.NO_RESPONSE
        referral.ended_at = now
        _save_step(referral, ["status", "ended_at"], actor=actor, action="no_response")
        _volunteer_follows(referral.volunteer_id, now=now)
    return referral


def referrals_end_for_volunteer(
    *,
    volunteer: Volunteer,
    reason: str,
    actor,
    keep_active: bool = False,
    now: datetime | None = None,
) -> list[Referral]:
    """The volunteer has left (closed or paused their profile): end their open referrals, or
    with `keep_active` only those not yet started, and email each organisation.

    The place each held on its role is free at once. The volunteer's own status is the
    caller's to set: this runs inside the caller's transaction, after the volunteer is locked.
    """
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise PlacementError("reason_needed")
    statuses = selectors.IN_HAND if keep_active else selectors.PLACE_TAKING
    with transaction.atomic():
        referrals = list(
            Referral.objects.select_for_update(of=("self",))
            .select_related("volunteer__user", "opportunity__organisation")
            .filter(volunteer_id=volunteer.pk, status__in=statuses)
            .order_by("pk")
        )
        if not referrals:
            return []
        council = CouncilSettings.load()
        for referral in referrals:
            before = referral.status
            referral.status = Referral.Status.ENDED
            referral.ended_at = now
            referral.end_reason = reason
            _save_step(
                referral,
                ["status", "ended_at", "end_reason"],
                actor=actor,
                action="ended",
                data={"was": before, "by_volunteer": True},
            )
            organisation = referral.opportunity.organisation
            _email(
                _organisation_addresses(organisation),
                "referral_ended_organisation",
                f"Referral ended: {referral.volunteer} for {referral.opportunity.title}",
                ["referral", "ended"],
                referral=referral,
                volunteer=referral.volunteer,
                role=referral.opportunity,
                organisation=organisation,
                was_active=before == Referral.Status.ACTIVE,
                council=council,
                url=_site(reverse("org:referral", args=[referral.pk])),
            )
    return referrals


# --- Time limits: remind the organisation, then alert the coordinator ------------------------


def _hand_off(referral: Referral, now: datetime) -> tuple[str, datetime]:
    """Which overdue hand-off the referral waits on, and its time limit."""
    if referral.status == Referral.Status.REFERRED and referral.acknowledge_by < now:
        return "acknowledge", referral.acknowledge_by
    return "contact", referral.first_contact_by


def referrals_chase(*, now: datetime | None = None) -> dict[str, int]:
    """Past a time limit: remind the organisation once; a working day later, alert the
    coordinator once. Safe to run as often as wanted (beat runs it hourly)."""
    now = _now(now)
    done = {"reminded": 0, "escalated": 0}
    due = (
        selectors.referrals_overdue(now=now)
        .filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            referral = (
                selectors.referrals_overdue(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("volunteer__user", "opportunity__organisation")
                .filter(pk=pk)
                .first()
            )
            if referral is None:
                continue  # answered meanwhile, or another worker has it
            hand_off, deadline = _hand_off(referral, now)
            context = {
                "referral": referral,
                "hand_off": hand_off,
                "deadline": deadline,
                "organisation": referral.opportunity.organisation,
                "role": referral.opportunity,
                "volunteer": referral.volunteer,
            }
            if referral.reminded_at is None:
                referral.reminded_at = now
                referral.save(update_fields=["reminded_at"])
                audit_log(
                    actor=None,
                    action="volunteers.referral.reminded",
                    obj=referral,
                    data={"hand_off": hand_off},
                )
                _email(
                    _organisation_addresses(referral.opportunity.organisation),
                    "referral_reminder",
                    f"Reminder: volunteer referral for {referral.opportunity.title}",
                    ["referral", "reminder"],
                    url=_site(reverse("org:referral", args=[referral.pk])),
                    **context,
                )
                done["reminded"] += 1
            elif referral.escalated_at is None and now > workdays.one_working_day_later(deadline):
                referral.escalated_at = now
                referral.save(update_fields=["escalated_at"])
                audit_log(
                    actor=None,
                    action="volunteers.referral.escalated",
                    obj=referral,
                    data={"hand_off": hand_off},
                )
                _email(
                    _coordinator_addresses(),
                    "referral_escalated",
                    f"No answer from {referral.opportunity.organisation.name} about {referral.volunteer}",
                    ["referral", "escalation"],
                    url=_site(reverse("volunteers_staff:referral", args=[referral.pk])),
                    **context,
                )
                done["escalated"] += 1
    return done


# --- Check-ins at 3, 6 and 12 months -------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and local time `months` later, or the month's last day when it has no such day."""
    moment = timezone.localtime(moment)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    wall_clock = moment.replace(tzinfo=None, year=year, month=month, day=min(moment.day, last_day))
    return timezone.make_aware(wall_clock)


def check_in_token(check_in: CheckIn) -> str:
    return signing.dumps(
        {"c": check_in.pk, "x": str(check_in.nonce)}, salt="volunteers.check_in", compress=True
    )


def check_in_from_token(token: str) -> CheckIn:
    """The check-in a signed link points at; the row's nonce must match, so links can't be made up."""
    try:
        payload = signing.loads(token, salt="volunteers.check_in")
    except signing.BadSignature:
        raise PlacementError("link_invalid") from None
    check_in = (
        CheckIn.objects.select_related(
            "referral__volunteer__user", "referral__opportunity__organisation"
        )
        .filter(pk=payload.get("c"))
        .first()
    )
    if check_in is None or str(check_in.nonce) != payload.get("x"):
        raise PlacementError("link_invalid")
    return check_in


def _ask(check_in: CheckIn, now: datetime) -> None:
    """Email the question and mark it asked, in the caller's transaction: asked exactly once."""
    referral = check_in.referral
    organisation = referral.opportunity.organisation
    base = _site(reverse("check_in:answer", args=[check_in_token(check_in)]))
    context = {
        "check_in": check_in,
        "referral": referral,
        "volunteer": referral.volunteer,
        "role": referral.opportunity,
        "organisation": organisation,
        "yes_url": f"{base}?answer=yes",
        "no_url": f"{base}?answer=no",
    }
    if check_in.respondent == CheckIn.Respondent.VOLUNTEER:
        to = [referral.volunteer.user.email]
        subject = f"Are you still volunteering with {organisation.name}?"
    else:
        to = _organisation_addresses(organisation)
        subject = f"Is {referral.volunteer} still volunteering with you?"
    _email(to, f"check_in_{check_in.respondent}", subject, ["check-in"], **context)
    check_in.asked_at = now
    check_in.save(update_fields=["asked_at"])
    audit_log(
        actor=None,
        action="volunteers.check_in.asked",
        obj=referral,
        data={"months": check_in.months, "respondent": check_in.respondent},
    )


def check_ins_send_due(*, now: datetime | None = None) -> int:
    """Ask the organisation and the volunteer at 3, 6 and 12 months of volunteering.

    Each question is a CheckIn row made and asked in one transaction with its email,
    so however often this runs (beat runs it daily), each is asked once.
    """
    now = _now(now)
    asked = 0
    earliest = add_months(now, -min(CHECK_IN_MONTHS))
    candidates = Referral.objects.filter(
        status=Referral.Status.ACTIVE, active_at__lte=earliest
    ).values_list("pk", "active_at")
    for pk, active_at in list(candidates):
        for months in CHECK_IN_MONTHS:
            due_at = add_months(active_at, months)
            if due_at > now:
                break
            for respondent in CheckIn.Respondent.values:
                with transaction.atomic():
                    referral = (
                        Referral.objects.select_for_update(of=("self",))
                        .select_related("volunteer__user", "opportunity__organisation")
                        .filter(pk=pk, status=Referral.Status.ACTIVE)
                        .first()
                    )
                    if referral is None:
                        break
                    check_in, _created = CheckIn.objects.get_or_create(
                        referral=referral,
                        months=months,
                        respondent=respondent,
                        defaults={"due_at": due_at},
                    )
                    if check_in.asked_at is None:
                        check_in.referral = referral
                        _ask(check_in, now)
                        asked += 1
    return asked


def check_in_answer(
    *,
    check_in: CheckIn,
    still_volunteering: bool,
    wants_another_role: bool | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Keep one answer, once. A volunteer who has stopped has their referral ended, and
    goes back to the coordinator's queue if they would like another role."""
    now = _now(now)
    with transaction.atomic():
        check_in = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("referral__volunteer")
            .get(pk=check_in.pk)
        )
        if check_in.answered_at is not None:
            raise PlacementError("check_in_answered")
        check_in.answered_at = now
        check_in.still_volunteering = still_volunteering
        by_volunteer = check_in.respondent == CheckIn.Respondent.VOLUNTEER
        check_in.wants_another_role = (
            wants_another_role if by_volunteer and not still_volunteering else None
        )
        check_in.save(update_fields=["answered_at", "still_volunteering", "wants_another_role"])
        referral = Referral.objects.select_for_update(of=("self",)).get(pk=check_in.referral_id)
        audit_log(
            actor=None,
            action="volunteers.check_in.answered",
            obj=referral,
            data={
                "months": check_in.months,
                "respondent": check_in.respondent,
                "still_volunteering": still_volunteering,
                "wants_another_role": check_in.wants_another_role,
            },
        )
        if by_volunteer and not still_volunteering and referral.status == Referral.Status.ACTIVE:
            referral.status = Referral.Status.ENDED
            referral.ended_at = now
            referral.end_reason = f"The volunteer told us at the {check_in.months}-month check-in that they have stopped."
            referral.save(update_fields=["status", "ended_at", "end_reason"])
            audit_log(actor=None, action="volunteers.referral.ended", obj=referral)
            _roles_changed()
            if check_in.wants_another_role:
                _volunteer_follows(referral.volunteer_id, now=now, back_of_queue=True)
            else:
                _volunteer_rests(referral.volunteer_id)
    return check_in


def _volunteer_rests(volunteer_id: int) -> None:
    """A volunteer who stopped and wants no other role for now: paused, so they can resume."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.status != Volunteer.Status.ACTIVE:
        return
    if volunteer.referrals.filter(status__in=selectors.PLACE_TAKING).exists():
        return
    volunteer.status = Volunteer.Status.PAUSED
    volunteer.save(update_fields=["status"])


# --- Postcode centroids --------------------------------------------------------------------

# Great Britain, Northern Ireland and the Channel Islands with a margin.
LATITUDES = (49.0, 61.0)
LONGITUDES = (-9.0, 2.0)


def _number(text: str | None) -> float | None:
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def _clean_postcode_row(row: dict, seen: dict[str, int], number: int) -> tuple[list[str], tuple]:
    errors = []
    postcode = normalise_postcode(row.get("postcode") or "")
    latitude, longitude = _number(row.get("latitude")), _number(row.get("longitude"))
    if not postcode:
        errors.append("Enter the postcode")
    elif not UK_POSTCODE.match(postcode):
        errors.append(f"{postcode} is not a UK postcode")
    elif postcode in seen:
        errors.append(f"{postcode} is also on row {seen[postcode]}")
    if latitude is None:
        errors.append("Enter the latitude as a number, like 54.9966")
    elif not LATITUDES[0] <= latitude <= LATITUDES[1]:
        errors.append(f"The latitude must be between {LATITUDES[0]:g} and {LATITUDES[1]:g}")
    if longitude is None:
        errors.append("Enter the longitude as a number, like -1.4300")
    elif not LONGITUDES[0] <= longitude <= LONGITUDES[1]:
        errors.append(f"The longitude must be between {LONGITUDES[0]:g} and {LONGITUDES[1]:g}")
    return errors, (postcode, latitude, longitude)


def postcodes_import(
    *,
    rows: Iterable[dict],
    actor=None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 2000,
) -> dict[str, int]:
    """Add or update postcode centroids from CSV rows (postcode, latitude, longitude); all or nothing.

    Every row is checked before anything is saved. Afterwards the volunteers and roles
    at the imported postcodes get their place, so distances work at once.
    """
    problems: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    cleaned: list[tuple[str, float, float]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        errors, values = _clean_postcode_row(row, seen, number)
        if errors:
            problems[number] = errors
        else:
            seen[values[0]] = number
            cleaned.append(values)
    if not cleaned and not problems:
        raise PlacementError("no_postcodes")
    if problems:
        raise PlacementError("postcode_rows", count=len(problems), rows=problems)

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    total = len(cleaned)
    with transaction.atomic():
        for start in range(0, total, batch_size):
            batch = cleaned[start : start + batch_size]
            existing = {
                centroid.postcode: centroid
                for centroid in PostcodeCentroid.objects.select_for_update().filter(
                    postcode__in=[postcode for postcode, _lat, _lon in batch]
                )
            }
            new, changed = [], []
            for postcode, latitude, longitude in batch:
                centroid = existing.get(postcode)
                if centroid is None:
                    new.append(
                        PostcodeCentroid(postcode=postcode, latitude=latitude, longitude=longitude)
                    )
                elif (centroid.latitude, centroid.longitude) != (latitude, longitude):
                    centroid.latitude, centroid.longitude = latitude, longitude
                    changed.append(centroid)
                else:
                    counts["unchanged"] += 1
            PostcodeCentroid.objects.bulk_create(new)
            PostcodeCentroid.objects.bulk_update(changed, ["latitude", "longitude"])
            counts["created"] += len(new)
            counts["updated"] += len(changed)
            if progress:
                progress(min(start + batch_size, total), total)
        counts["places_updated"] = _places_refresh()
        audit_log(actor=actor, action="volunteers.postcodes.imported", data=counts)
        _roles_changed()
    return counts


def _places_refresh() -> int:
    """Give volunteers and roles at an imported postcode its coordinates, one statement each."""
    centroid = PostcodeCentroid.objects.filter(postcode=OuterRef("postcode"))
    updated = 0
    for model in (Volunteer, Opportunity):
        updated += model.objects.filter(Exists(centroid)).update(
            latitude=Subquery(centroid.values("latitude")[:1]),
            longitude=Subquery(centroid.values("longitude")[:1]),
        )
    return updated
