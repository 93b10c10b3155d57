"""Every change a volunteer makes to their own profile, a guardian's consent for a 16 or
17 year old, and the source codes printed on leaflets, posters and vehicle panels.

Views, the admin and the demo call these and never save these rows themselves.
Each runs in one transaction with its audit row; emails go through the outbox.
The audit rows name the questions and fields that changed, never the answers:
the log is read by staff and should not become a second copy of people's details.
"""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from council.models import CouncilSettings, SourceCode
from council.services import audit_log, email_queue
from volunteers.models import (
    GuardianConsentLink,
    Interest,
    PostcodeCentroid,
    Skill,
    Volunteer,
)

MINIMUM_AGE = 16
ADULT_AGE = 18
GUARDIAN_LINK_LIFETIME = timedelta(days=14)

# The profile questions in the order they are asked, and the fields each one
# fills. The date of birth comes first, so nothing at all is kept about someone
# too young to sign up. volunteers/journey.py gives each its page and form.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "date-of-birth": ("date_of_birth",),
    "guardian": ("guardian_name", "guardian_email"),
    "name": ("full_name", "phone"),
    "postcode": ("postcode",),
    "travel": ("travel_km", "remote_only"),
    "skills": ("skills",),
    "interests": ("interests",),
    "availability": ("availability",),
    "heard": ("heard_from",),
    "anything-else": ("about",),
}
_MANY_TO_MANY = {"skills": Skill, "interests": Interest}


class VolunteerError(Exception):
    """A rule of volunteering was broken; the message is for the person who tried."""

    messages = {
        "too_young": "You need to be 16 or older to volunteer through the campaign.",
        "unknown_question": "There is no such question.",
        "not_finished": "Answer every question before you finish your profile.",
        "no_profile": "Start your profile first.",
        "cannot_pause": "You can pause your profile only while you are waiting for a role.",
        "not_paused": "Your profile is not paused.",
        "already_closed": "Your profile is already closed.",
        "not_closed": "Your profile is not closed.",
        "guardian_not_needed": "Only volunteers aged 16 or 17 need a parent or guardian's consent.",
        "guardian_missing": "Tell us your parent or guardian's name and email address first.",
        "guardian_already_agreed": "Your parent or guardian has already agreed.",
        "link_invalid": "This link is not valid. It may have been copied wrongly.",
        "link_expired": "This link has expired.",
        "link_replaced": "A newer link has been sent, so this one no longer works.",
        "link_used": "This link has already been used to answer.",
        "code_taken": "That code is already in use. Choose another",
        "code_invalid": "Codes can only contain lower case letters, numbers and hyphens",
    }

    def __init__(self, code: str, **params):
        self.code = code
        super().__init__(self.messages[code].format(**params))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def steps_for(volunteer: Volunteer | None) -> list[str]:
    """The questions this volunteer is asked: the guardian's only for 16 and 17 year olds."""
    needs_guardian = volunteer is not None and volunteer.needs_guardian
    return [step for step in STEP_FIELDS if step != "guardian" or needs_guardian]


def profile_missing_steps(volunteer: Volunteer | None) -> list[str]:
    """The questions still to answer, in order."""
    answered = set(volunteer.profile_steps) if volunteer else set()
    if volunteer is not None and volunteer.profile_completed_at is not None:
        # A finished profile answered everything it was asked. Only a question that has
        # become due since can be missing: a guardian, after a corrected date of birth.
        answered |= set(STEP_FIELDS) - {"guardian"}
        if volunteer.guardian_email:
            answered.add("guardian")
    return [step for step in steps_for(volunteer) if step not in answered]


# --- Answering the profile questions -------------------------------------------------------


def volunteer_refuse_under_16(*, user) -> None:
    """Someone under 16 tried to sign up: keep nothing about them but the account itself."""
    with transaction.atomic():
        existing = Volunteer.objects.select_for_update().filter(user=user).first()
        if existing is not None:
            existing.delete()
        # No date of birth and no age: only that a sign-up was refused.
        audit_log(actor=user, action="volunteers.volunteer.refused_too_young", obj=user)


def volunteer_answer_save(*, user, step: str, values: dict, source: SourceCode | None = None):
    """Keep the answer to one profile question at once, so nothing typed is lost.

    The first answer makes the profile, attributed to the source code the person
    arrived through. A date of birth under 16 keeps nothing and raises `too_young`.
    """
    if step not in STEP_FIELDS:
        raise VolunteerError("unknown_question")
    if step == "date-of-birth":
        born = values["date_of_birth"]
        if age_on(born, timezone.localdate()) < MINIMUM_AGE:
            volunteer_refuse_under_16(user=user)
            raise VolunteerError("too_young")
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().filter(user=user).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(user=user, source=source)
            audit_log(
                actor=user,
                action="volunteers.volunteer.started",
                obj=volunteer,
                data={"source": source.code if source else ""},
            )
        changed = _apply(volunteer, step, values)
        update_fields = [name for name in changed if name not in _MANY_TO_MANY]
        if step == "postcode" and "postcode" in changed:
            update_fields += _place(volunteer)
        if step == "guardian" and "guardian_email" in changed and volunteer.guardian_consent_at:
            # Consent came from the person at the old address; the new one is asked afresh.
            volunteer.guardian_consent_at = None
            update_fields.append("guardian_consent_at")
        if step == "date-of-birth" and not volunteer.needs_guardian:
            update_fields += _forget_guardian(volunteer)
        if step not in volunteer.profile_steps:
            volunteer.profile_steps = [*volunteer.profile_steps, step]
            update_fields.append("profile_steps")
        if update_fields:
            volunteer.save(update_fields=sorted(set(update_fields)))
        completed = volunteer.profile_completed_at is not None
        audit_log(
            actor=user,
            action="volunteers.profile.changed" if completed else "volunteers.profile.answered",
            obj=volunteer,
            data={"question": step, "changed": sorted(changed)},
        )
        if completed:
            _ask_guardian_if_needed(volunteer, actor=user)
    return volunteer


def _apply(volunteer: Volunteer, step: str, values: dict) -> list[str]:
    """Set the step's fields from `values`; returns the names of those that changed."""
    changed = []
    for name in STEP_FIELDS[step]:
        if name not in values:
            continue
        if name in _MANY_TO_MANY:
            wanted = {int(getattr(item, "pk", item)) for item in values[name]}
            related = getattr(volunteer, name)
            if set(related.values_list("pk", flat=True)) != wanted:
                related.set(_MANY_TO_MANY[name].objects.filter(pk__in=wanted))
                changed.append(name)
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        if getattr(volunteer, name) != value:
            setattr(volunteer, name, value)
            changed.append(name)
    return changed


def _place(volunteer: Volunteer) -> list[str]:
    """Where the volunteer lives, from the council's postcode centroids; unknown stays empty."""
    centroid = PostcodeCentroid.objects.filter(postcode=volunteer.postcode).first()
    volunteer.latitude = centroid.latitude if centroid else None
    volunteer.longitude = centroid.longitude if centroid else None
    return ["latitude", "longitude"]


def _forget_guardian(volunteer: Volunteer) -> list[str]:
    """An adult needs no guardian: what we held about one is removed."""
    if not (volunteer.guardian_name or volunteer.guardian_email or volunteer.guardian_consent_at):
        return []
    volunteer.guardian_name = ""
    volunteer.guardian_email = ""
    volunteer.guardian_consent_at = None
    volunteer.profile_steps = [step for step in volunteer.profile_steps if step != "guardian"]
    volunteer.guardian_links.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
    return ["guardian_name", "guardian_email", "guardian_consent_at", "profile_steps"]


def volunteer_profile_complete(*, volunteer: Volunteer, actor) -> Volunteer:
    """Every question answered: the volunteer joins the coordinator's queue and is emailed."""
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.profile_completed_at is not None:
            return volunteer  # finishing twice (a double click) changes nothing
        if profile_missing_steps(volunteer):
            raise VolunteerError("not_finished")
        now = timezone.now()
        volunteer.status = Volunteer.Status.AVAILABLE
        volunteer.profile_completed_at = now
        volunteer.waiting_since = now
        volunteer.save(update_fields=["status", "profile_completed_at", "waiting_since"])
        audit_log(
            actor=actor,
            action="volunteers.volunteer.signed_up",
            obj=volunteer,
            data={"source": volunteer.source.code if volunteer.source_id else ""},
        )
        _email_volunteer(volunteer, "signed_up", "Thank you for signing up to volunteer")
        _ask_guardian_if_needed(volunteer, actor=actor)
    return volunteer


# --- Pausing, resuming and closing ----------------------------------------------------------


# What each organisation is told, and keeps on the referral, when the volunteer leaves.
CLOSED_REASON = "The volunteer closed their profile."
PAUSED_REASON = "The volunteer paused their profile."


def _locked(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().get(pk=volunteer.pk)


def _referrals_end(volunteer: Volunteer, reason: str, *, actor, **options):
    """End the volunteer's open referrals through placement, in the caller's transaction."""
    # Imported here: placement imports this module for VolunteerError.
    from volunteers.services.placement import referrals_end_for_volunteer

    return referrals_end_for_volunteer(volunteer=volunteer, reason=reason, actor=actor, **options)


def volunteer_pause(*, volunteer: Volunteer, actor) -> Volunteer:
    """Take the volunteer out of the coordinator's queue until they resume."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status != Volunteer.Status.AVAILABLE:
            raise VolunteerError("cannot_pause")
        volunteer.status = Volunteer.Status.PAUSED
        volunteer.save(update_fields=["status"])
        audit_log(actor=actor, action="volunteers.volunteer.paused", obj=volunteer)
        # A role they have started goes on; organisations still waiting to take them on are told.
        _referrals_end(volunteer, PAUSED_REASON, actor=actor, keep_active=True)
    return volunteer


def volunteer_resume(*, volunteer: Volunteer, actor) -> Volunteer:
    """Back in the coordinator's queue, from today."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status != Volunteer.Status.PAUSED:
            raise VolunteerError("not_paused")
        volunteer.status = Volunteer.Status.AVAILABLE
        volunteer.waiting_since = timezone.now()
        volunteer.save(update_fields=["status", "waiting_since"])
        audit_log(actor=actor, action="volunteers.volunteer.resumed", obj=volunteer)
    return volunteer


def volunteer_close(*, volunteer: Volunteer, actor) -> Volunteer:
    """The volunteer no longer wants to be matched; their answers are kept until they reopen or ask for erasure."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status == Volunteer.Status.CLOSED:
            raise VolunteerError("already_closed")
        before = volunteer.status
        volunteer.status = Volunteer.Status.CLOSED
        volunteer.closed_at = timezone.now()
        volunteer.save(update_fields=["status", "closed_at"])
        volunteer.guardian_links.filter(superseded_at__isnull=True).update(
            superseded_at=volunteer.closed_at
        )
        audit_log(
            actor=actor, action="volunteers.volunteer.closed", obj=volunteer, data={"was": before}
        )
        ended = _referrals_end(volunteer, CLOSED_REASON, actor=actor, now=volunteer.closed_at)
        _email_volunteer(
            volunteer, "closed", "You have closed your volunteering profile", ended=ended
        )
    return volunteer


def volunteer_reopen(*, volunteer: Volunteer, actor) -> Volunteer:
    """A closed profile opened again: back in the queue, or back to its questions if unfinished."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status != Volunteer.Status.CLOSED:
            raise VolunteerError("not_closed")
        finished = volunteer.profile_completed_at is not None
        volunteer.status = Volunteer.Status.AVAILABLE if finished else Volunteer.Status.INCOMPLETE
        volunteer.closed_at = None
        volunteer.waiting_since = timezone.now() if finished else None
        volunteer.save(update_fields=["status", "closed_at", "waiting_since"])
        audit_log(actor=actor, action="volunteers.volunteer.reopened", obj=volunteer)
        if finished:
            _ask_guardian_if_needed(volunteer, actor=actor)
    return volunteer


def _email_volunteer(volunteer: Volunteer, template: str, subject: str, **context) -> None:
    email_queue(
        to=[volunteer.user.email],
        subject=subject,
        body_text=render_to_string(
            f"volunteers/email/{template}.txt",
            {
                "volunteer": volunteer,
                "council": CouncilSettings.load(),
                "profile_url": settings.SITE_URL + reverse("volunteers:profile"),
                **context,
            },
        ),
        tags=[f"volunteer-{template.replace('_', '-')}"],
    )


# --- A parent or guardian's consent for 16 and 17 year olds ------------------------------------


def guardian_token(link: GuardianConsentLink) -> str:
    return signing.dumps(
        {"l": link.pk, "x": str(link.nonce)}, salt="volunteers.guardian", compress=True
    )


def guardian_open_link(volunteer: Volunteer) -> GuardianConsentLink | None:
    """The link waiting for the guardian's answer now, if there is one."""
    return (
        volunteer.guardian_links.filter(
            superseded_at__isnull=True, answered_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


def _ask_guardian_if_needed(volunteer: Volunteer, *, actor) -> None:
    """After a change, a 16 or 17 year old without consent has a link out to their guardian."""
    if not (volunteer.needs_guardian and volunteer.guardian_email):
        return
    if volunteer.guardian_consent_at is not None or volunteer.status == Volunteer.Status.CLOSED:
        return
    waiting = guardian_open_link(volunteer)
    if waiting is not None and waiting.email == volunteer.guardian_email:
        return
    answered = volunteer.guardian_links.filter(
        answered_at__isnull=False, superseded_at__isnull=True, email=volunteer.guardian_email
    ).exists()
    if answered:
        return  # the guardian said no; the volunteer may send the link again themselves
    guardian_consent_request(volunteer=volunteer, actor=actor)


def guardian_consent_request(*, volunteer: Volunteer, actor) -> GuardianConsentLink:
    """Email the guardian a fresh single-use link; any earlier link stops working."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if not volunteer.needs_guardian:
            raise VolunteerError("guardian_not_needed")
        if not (volunteer.guardian_name and volunteer.guardian_email):
            raise VolunteerError("guardian_missing")
        if volunteer.guardian_consent_at is not None:
            raise VolunteerError("guardian_already_agreed")
        now = timezone.now()
        volunteer.guardian_links.filter(superseded_at__isnull=True).update(superseded_at=now)
        link = GuardianConsentLink.objects.create(
            volunteer=volunteer,
            email=volunteer.guardian_email,
            created_at=now,
            expires_at=now + GUARDIAN_LINK_LIFETIME,
        )
        audit_log(actor=actor, action="volunteers.guardian.asked", obj=volunteer)
        email_queue(
            to=[link.email],
            subject=f"{volunteer.full_name or 'Your child'} would like to volunteer: do you agree?",
            body_text=render_to_string(
                "volunteers/email/guardian_request.txt",
                {
                    "volunteer": volunteer,
                    "council": CouncilSettings.load(),
                    "url": settings.SITE_URL
                    + reverse("volunteers:guardian", args=[guardian_token(link)]),
                    "days": GUARDIAN_LINK_LIFETIME.days,
                },
            ),
            tags=["volunteer-guardian"],
        )
    return link


def _usable(link: GuardianConsentLink) -> GuardianConsentLink:
    if link.superseded_at is not None:
        raise VolunteerError("link_replaced")
    if link.answered_at is not None:
        raise VolunteerError("link_used")
    if timezone.now() >= link.expires_at:
        raise VolunteerError("link_expired")
    return link


def guardian_link_from_token(token: str) -> GuardianConsentLink:
    """The link behind a token from the guardian's email, if it can still be answered."""
    try:
        payload = signing.loads(token, salt="volunteers.guardian")
    except signing.BadSignature:
        raise VolunteerError("link_invalid") from None
    link = (
        GuardianConsentLink.objects.select_related("volunteer__user")
        .filter(pk=payload.get("l"))
        .first()
    )
    if link is None or str(link.nonce) != payload.get("x"):
        raise VolunteerError("link_invalid")
    return _usable(link)


def guardian_consent_answer(*, link: GuardianConsentLink, agreed: bool) -> GuardianConsentLink:
    """The guardian's yes or no, once per link; the volunteer is told either way."""
    with transaction.atomic():
        link = _usable(GuardianConsentLink.objects.select_for_update().get(pk=link.pk))
        volunteer = _locked(link.volunteer)
        now = timezone.now()
        link.answered_at = now
        link.agreed = agreed
        link.save(update_fields=["answered_at", "agreed"])
        if agreed:
            volunteer.guardian_consent_at = now
            volunteer.save(update_fields=["guardian_consent_at"])
        audit_log(
            actor=None,
            action="volunteers.guardian.agreed" if agreed else "volunteers.guardian.refused",
            obj=volunteer,
        )
        _email_volunteer(
            volunteer,
            "guardian_answered",
            "Your parent or guardian has agreed"
            if agreed
            else "Your parent or guardian did not agree",
            agreed=agreed,
        )
    return link


# --- Source codes ---------------------------------------------------------------------------

_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if not SourceCode.objects.filter(code=code).exists():
            return code


def source_code_create(
    *, actor, label: str, medium: str, destination: str, code: str = ""
) -> SourceCode:
    """A new code for one leaflet run, poster, vehicle panel or story; made up when none is given."""
    code = code.strip().lower()
    with transaction.atomic():
        if code and SourceCode.objects.filter(code=code).exists():
            raise VolunteerError("code_taken")
        try:
            with transaction.atomic():
                source = SourceCode.objects.create(
                    code=code or _new_code(),
                    label=" ".join(label.split()),
                    medium=medium,
                    destination=destination,
                    created_by=actor,
                )
        except IntegrityError:
            raise VolunteerError("code_taken") from None
        audit_log(
            actor=actor,
            action="volunteers.source.created",
            obj=source,
            data={"code": source.code, "medium": medium, "destination": destination},
        )
    return source


def source_code_set_active(*, source: SourceCode, active: bool, actor) -> SourceCode:
    """Stop counting a code (its leaflets are out of date), or start again."""
    with transaction.atomic():
        source = SourceCode.objects.select_for_update().get(pk=source.pk)
        if source.active != active:
            source.active = active
            source.save(update_fields=["active"])
            audit_log(
                actor=actor,
                action="volunteers.source.activated" if active else "volunteers.source.deactivated",
                obj=source,
            )
    return source


def source_code_visit(*, source: SourceCode) -> None:
    """Count one visit through the code, in the database so no visit is lost between workers."""
    SourceCode.objects.filter(pk=source.pk).update(visits=F("visits") + 1)
