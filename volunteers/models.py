"""Volunteers, the organisations and roles they are matched to, referrals and check-ins.

The platform never holds the result of a safety check: organisations run their
own checks, and a referral records only which stage they have reached.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.models import Area, SourceCode

# Availability is a set of (day, part of day) slots kept as bits, so overlap is one AND.
DAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
PARTS_OF_DAY = [("morning", _("Morning")), ("afternoon", _("Afternoon")), ("evening", _("Evening"))]
SLOTS = [f"{day}_{part}" for day, _label in DAYS for part, _part_label in PARTS_OF_DAY]


def slot_bit(slot: str) -> int:
    return 1 << SLOTS.index(slot)


def availability_mask(slots) -> int:
    mask = 0
    for slot in slots:
        mask |= slot_bit(slot)
    return mask


def availability_slots(mask: int) -> list[str]:
    return [slot for index, slot in enumerate(SLOTS) if mask & (1 << index)]


class Skill(models.Model):
    """A skill or former career a volunteer brings and a role may want (teacher, police, NHS…)."""

    class Kind(models.TextChoices):
        CAREER = "career", _("Former career or background")
        SKILL = "skill", _("Skill")

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SKILL)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Interest(models.Model):
    """A cause or kind of activity (older people, sport, the environment…)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeCentroid(models.Model):
    """The middle of a postcode, imported by the council, for distances between people and places."""

    # Upper case with one space, as nominations' postcode checks leave it: "NE33 2RL".
    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.postcode


class Volunteer(models.Model):
    """A person who signed up to volunteer: their profile, which they can see and change."""

    class Status(models.TextChoices):
        # Signed up; the profile questions are not all answered yet.
        INCOMPLETE = "incomplete", _("Profile not finished")
        # Waiting for the coordinator to refer them (or for a new role after one ended).
        AVAILABLE = "available", _("Waiting for a role")
        REFERRED = "referred", _("Referred to a role")
        ACTIVE = "active", _("Volunteering")
        PAUSED = "paused", _("Paused by the volunteer")
        CLOSED = "closed", _("Closed by the volunteer")

    class HeardFrom(models.TextChoices):
        LEAFLET = "leaflet", _("A leaflet through the door")
        POSTER = "poster", _("A poster")
        VEHICLE = "vehicle", _("A council vehicle")
        STORY = "story", _("A story on the council's website")
        SOCIAL = "social", _("A social media post")
        NEWSPAPER = "newspaper", _("The local paper")
        FRIEND = "friend", _("A friend, neighbour or family member")
        ORGANISATION = "organisation", _("A charity or community group")
        OTHER = "other", _("Somewhere else")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.INCOMPLETE, db_index=True
    )
    full_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # From the postcode's centroid when it is known; null otherwise.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    travel_km = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("How far they will travel; empty when remote only.")
    )
    remote_only = models.BooleanField(default=False)
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers")
    interests = models.ManyToManyField(Interest, blank=True, related_name="volunteers")
    availability = models.PositiveIntegerField(
        default=0, help_text=_("Days and parts of the day, as bits (see SLOTS).")
    )
    about = models.TextField(
        blank=True, help_text=_("Anything else they want the coordinator to know.")
    )
    heard_from = models.CharField(max_length=20, choices=HeardFrom.choices, blank=True)
    # The leaflet, poster or story they came from, when they arrived through /v/<code>.
    source = models.ForeignKey(
        SourceCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteers"
    )
    # For 16 and 17 year olds: a parent or guardian agrees by a signed email link.
    guardian_name = models.CharField(max_length=150, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_consent_at = models.DateTimeField(null=True, blank=True)

    # The profile questions answered so far (volunteers/journey.py), so a question
    # that may be left blank still counts as answered and nobody is asked twice.
    profile_steps = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    profile_completed_at = models.DateTimeField(null=True, blank=True)
    # When they became available for the coordinator's queue (again): the queue is oldest first.
    waiting_since = models.DateTimeField(null=True, blank=True, db_index=True)
    first_referred_at = models.DateTimeField(null=True, blank=True)
    first_active_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["waiting_since", "pk"]

    def __str__(self) -> str:
        return self.full_name or self.user.email

    def age_on(self, day) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def needs_guardian(self) -> bool:
        age = self.age
        return age is not None and age < 18


class GuardianConsentLink(models.Model):
    """A signed link to a parent or guardian of a 16 or 17 year old; a new one retires the old."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="guardian_links"
    )
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    agreed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Guardian consent link for {self.volunteer}"


class Organisation(models.Model):
    """A charity or community group the coordinator has approved to take referrals."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(help_text=_("Where referrals are sent."))
    phone = models.CharField(max_length=30, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The people who manage its roles and referrals at /org/.
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organisations"
    )
    # For fair ranking: organisations that have had no referral lately are lifted.
    last_referred_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Opportunity(models.Model):
    """A volunteering role an organisation offers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Not taking referrals")
        CLOSED = "closed", _("Closed")

    class CheckLevel(models.TextChoices):
        NONE = "none", _("No check")
        BASIC = "basic", _("Basic DBS check")
        STANDARD = "standard", _("Standard DBS check")
        ENHANCED = "enhanced", _("Enhanced DBS check")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(max_length=120)
    description = models.TextField()
    skills = models.ManyToManyField(Skill, blank=True, related_name="opportunities")
    interests = models.ManyToManyField(Interest, blank=True, related_name="opportunities")
    availability = models.PositiveIntegerField(
        default=0, help_text=_("When the role needs people, as bits (see SLOTS).")
    )
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    remote = models.BooleanField(default=False, help_text=_("Can be done from home."))
    minimum_age = models.PositiveSmallIntegerField(default=18)
    youth_friendly = models.BooleanField(
        default=False, help_text=_("Suitable for 16 and 17 year olds, with a guardian's consent.")
    )
    capacity = models.PositiveSmallIntegerField(
        default=1, help_text=_("How many volunteers the role can take at once.")
    )
    # The check the organisation itself runs. The platform never holds the result.
    check_level = models.CharField(
        max_length=10, choices=CheckLevel.choices, default=CheckLevel.NONE
    )
    open_to_convictions = models.BooleanField(
        default=True, help_text=_("Open to people with convictions (the organisation decides).")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    last_referred_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "title"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"


class Referral(models.Model):
    """A volunteer referred to a role, through each hand-off to volunteering or an end."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DECLINED = "declined", _("Declined")
        CHECKS = "checks", _("Checks in progress")
        ACTIVE = "active", _("Volunteering")
        ENDED = "ended", _("Ended")
        NO_RESPONSE = "no_response", _("No response")

    class CheckStage(models.TextChoices):
        # Stages only: never the result of a check.
        NOT_NEEDED = "not_needed", _("No check needed")
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETE = "complete", _("Complete")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="referrals")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REFERRED, db_index=True
    )
    check_stage = models.CharField(
        max_length=20, choices=CheckStage.choices, default=CheckStage.NOT_STARTED
    )
    # The score and its parts when the coordinator referred, as they saw it.
    score = models.JSONField(default=dict, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The hand-off time limits, worked out in working days when the referral was made.
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    first_contact_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    checks_started_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # Escalation: the organisation is reminded once, then the coordinator is alerted once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-referred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "opportunity"],
                condition=models.Q(status__in=["referred", "acknowledged", "checks", "active"]),
                name="one_open_referral_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.opportunity}"


class CheckIn(models.Model):
    """At 3, 6 and 12 months of volunteering: "are they still volunteering?", asked once each."""

    class Respondent(models.TextChoices):
        ORGANISATION = "organisation", _("The organisation")
        VOLUNTEER = "volunteer", _("The volunteer")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="check_ins")
    months = models.PositiveSmallIntegerField()
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    due_at = models.DateTimeField(db_index=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    still_volunteering = models.BooleanField(null=True)
    wants_another_role = models.BooleanField(null=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "months", "respondent"], name="one_check_in_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.months}-month check-in for {self.referral} ({self.respondent})"


class Match(models.Model):
    """A volunteer's score for one open role, as the last match worked it out, with its parts.

    The coordinator's list of ranked roles reads these; a full rematch (a Celery
    task) replaces them all, and a profile or role change recomputes its own.
    """

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="matches")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    # Each part of the score with its weight and the reason in words, for the explanation.
    parts = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["volunteer", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "opportunity"], name="one_match_each")
        ]
        indexes = [models.Index(fields=["volunteer", "-score"], name="match_rank_idx")]

    def __str__(self) -> str:
        return f"{self.volunteer} ↔ {self.opportunity}: {self.score:.2f}"
