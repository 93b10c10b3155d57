import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.models import Area
from council.outgoing import OutgoingWork


class CampaignQuerySet(models.QuerySet):
    def open_now(self):
        now = timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class Campaign(models.Model):
    """A round of nominations with its own dates, categories and words."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    intro = models.TextField(help_text=_("Shown on the start page of the nomination form."))
    thank_you_text = models.TextField(
        help_text=_("Shown to the nominator once the nomination is confirmed.")
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    is_award = models.BooleanField(
        default=False, help_text=_("An annual award with a shortlist and judges.")
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def has_closed(self) -> bool:
        return timezone.now() >= self.closes_at


class Category(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="category_name_unique_in_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.name


class NomineeKind(models.TextChoices):
    PERSON = "person", _("A person")
    YOUNG_PERSON = "young_person", _("A young person under 18")
    BUSINESS = "business", _("A business")
    GROUP = "group", _("A group or organisation")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("By email")
    POST = "post", _("By post")
    EMPLOYER = "employer", _("Through their employer or organisation")


class Nominee(models.Model):
    """The person, business or group being thanked: one letter however many nominations."""

    kind = models.CharField(max_length=20, choices=NomineeKind.choices)
    name = models.CharField(max_length=150)
    # Lower-case, accents and titles removed, for matching duplicates.
    normalised_name = models.CharField(max_length=150, db_index=True)
    # A phonetic key of each name part, space-separated, for matching names written differently.
    name_key = models.CharField(max_length=200, blank=True)
    # The phonetic key of the last name part: the indexed way into possible duplicates.
    surname_key = models.CharField(max_length=40, blank=True, db_index=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=30, blank=True, db_index=True)
    address_line_1 = models.CharField(max_length=100, blank=True)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    employer = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("Where we can reach them if we have no other contact details."),
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    guardian_name = models.CharField(max_length=150, blank=True)
    guardian_email = models.EmailField(blank=True)
    has_died = models.BooleanField(
        default=False, help_text=_("Letters go to the family; never a social media post.")
    )
    # For a nominee who has died: the family, whom the consent link and the
    # Mayor's letter go to instead of the nominee's own address.
    family_name = models.CharField(
        max_length=150,
        blank=True,
        help_text=_(
            "Who the letter is addressed to, such as Mrs Jean Clarke or The Clarke family."
        ),
    )
    family_email = models.EmailField(blank=True)
    family_address_line_1 = models.CharField(max_length=100, blank=True)
    family_address_line_2 = models.CharField(max_length=100, blank=True)
    family_town = models.CharField(max_length=60, blank=True)
    family_postcode = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when this nominee was merged into another; kept so the merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_under_18(self) -> bool:
        return self.kind == NomineeKind.YOUNG_PERSON

    @property
    def postal_address(self) -> list[str]:
        return [
            line
            for line in (self.address_line_1, self.address_line_2, self.town, self.postcode)
            if line
        ]

    @property
    def family_postal_address(self) -> list[str]:
        return [
            line
            for line in (
                self.family_address_line_1,
                self.family_address_line_2,
                self.family_town,
                self.family_postcode,
            )
            if line
        ]


class NominationQuerySet(models.QuerySet):
    def in_review_queue(self):
        return self.exclude(status=Nomination.Status.UNCONFIRMED)


class Nomination(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the nominator to confirm")
        SUBMITTED = "submitted", _("To review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        PUBLIC = "public", _("Online form")
        STAFF = "staff", _("Entered by staff (phone or paper)")
        UPLOAD = "upload", _("Uploaded by a partner organisation")

    reference = models.CharField(max_length=12, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="nominations")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="nominations")
    nominee = models.ForeignKey(Nominee, on_delete=models.PROTECT, related_name="nominations")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.UNCONFIRMED, db_index=True
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PUBLIC)

    # The nominee as the nominator described them, kept as written.
    nominee_kind = models.CharField(max_length=20, choices=NomineeKind.choices)
    nominee_name = models.CharField(max_length=150)
    contact_methods = models.JSONField(default=list, blank=True)
    nominee_email = models.EmailField(blank=True)
    nominee_phone = models.CharField(max_length=30, blank=True)
    address_line_1 = models.CharField(max_length=100, blank=True)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    employer = models.CharField(max_length=150, blank=True)
    guardian_name = models.CharField(max_length=150, blank=True)
    guardian_email = models.EmailField(blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    photo = models.ImageField(upload_to="nominations/", blank=True)
    photo_alt = models.CharField(max_length=250, blank=True)

    nominator_name = models.CharField(max_length=150)
    # Empty only for a nomination staff took by phone or on paper from someone with no email.
    nominator_email = models.EmailField(db_index=True, blank=True)
    nominator_relationship = models.CharField(max_length=100)
    nominator_organisation = models.CharField(max_length=150, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_nominations",
    )
    # The leaflet, poster or story the nominator came through (/v/<code>), if any.
    source_code = models.ForeignKey(
        "council.SourceCode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A random value in the nominator's confirmation link; a new link replaces it.
    confirmation_nonce = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="nomination_queue_idx")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.nominee_name}"

    @property
    def is_under_18(self) -> bool:
        return self.nominee_kind == NomineeKind.YOUNG_PERSON


class NominationReceipt(models.Model):
    """A nomination as the public form received it, kept until the worker files it.

    Sending the form saves this one row, with the answers exactly as the
    journey kept them, and nothing else: the reply to the resident waits for a
    single insert. Within seconds the worker files it (see
    `nominations.services.nomination_file`): the Nominee, the Nomination under
    the same reference, its audit row and the confirmation email are made in
    one transaction, the photo moves out of the pending folder, and the answers
    are cleared from this row, whose reference and times stay as the record of
    when it came in. A receipt the worker could not file keeps its answers and
    says why in `last_error`; it is tried again on every run.
    """

    reference = models.CharField(max_length=12, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    # The journey's answers: ids for the category and the ward, text for the rest.
    answers = models.JSONField(default=dict, blank=True)
    # The re-encoded photo waiting in the pending folder of the default storage.
    photo_name = models.CharField(max_length=255, blank=True)
    source_code = models.ForeignKey(
        "council.SourceCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    filed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipt"
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reference} (received {self.received_at:%d %b %Y %H:%M})"

    # Who it is about and who sent it, as the nomination will have them (empty once filed).
    @property
    def nominee_name(self) -> str:
        return " ".join(str(self.answers.get("nominee_name", "")).split())

    @property
    def nominator_email(self) -> str:
        return str(self.answers.get("nominator_email") or "").strip().lower()


class NominationNote(models.Model):
    """A comment between staff about a nomination; never shown to the public."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class PossibleDuplicate(models.Model):
    """Two nominees that may be the same, with the reasons, for staff to decide."""

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", _("Not decided")
        MERGED = "merged", _("Same person: merged")
        DIFFERENT = "different", _("Different people")

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.UNDECIDED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominee", "candidate"], name="possible_duplicate_pair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominee} may be {self.candidate} ({self.score:.0%})"


class NomineeMerge(models.Model):
    """A merge of one nominee into another, kept so that it can be undone."""

    merged = models.ForeignKey(Nominee, on_delete=models.PROTECT, related_name="+")
    into = models.ForeignKey(Nominee, on_delete=models.PROTECT, related_name="+")
    nomination_ids = models.JSONField(help_text=_("The nominations moved by this merge."))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged} merged into {self.into}"


class NameDisplay(models.TextChoices):
    FULL = "full", _("My full name")
    FIRST_AND_INITIAL = "first_initial", _("My first name and the first letter of my last name")
    ANONYMOUS = "anonymous", _("Do not show my name")


class ConsentLink(models.Model):
    """A signed link to the consent page, backed by this row so a new one retires the old."""

    class Role(models.TextChoices):
        NOMINEE = "nominee", _("The nominee")
        GUARDIAN = "guardian", _("A parent or guardian")

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="consent_links")
    role = models.CharField(max_length=10, choices=Role.choices)
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # For consent forms sent by post: typed in at /consent/.
    short_code = models.CharField(max_length=10, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Consent link for {self.nominee} ({self.get_role_display()})"

    def is_current(self, now=None) -> bool:
        return self.superseded_at is None and (now or timezone.now()) < self.expires_at


class ConsentRecord(models.Model):
    """One answer on the consent page, kept with the wording it answered. The newest counts."""

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="consent_records")
    given_by = models.CharField(max_length=10, choices=ConsentLink.Role.choices)
    link = models.ForeignKey(
        ConsentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wording_version = models.CharField(max_length=20)
    roll_of_honour = models.BooleanField(default=False)
    website_story = models.BooleanField(default=False)
    social_media = models.BooleanField(default=False)
    press = models.BooleanField(default=False)
    name_display = models.CharField(
        max_length=20, choices=NameDisplay.choices, default=NameDisplay.ANONYMOUS
    )
    photo_allowed = models.BooleanField(default=False)
    withdrawn = models.BooleanField(default=False, help_text=_("Everything was withdrawn at once."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["nominee", "given_by", "-created_at"], name="consent_latest_idx")
        ]

    def __str__(self) -> str:
        return f"Consent from {self.get_given_by_display().lower()} for {self.nominee}, {self.created_at:%Y-%m-%d}"


class NominationImport(OutgoingWork):
    """A CSV of nominations from a partner organisation, checked and saved by the worker.

    Every row is checked before anything is saved; one bad row means nothing
    is imported, and each problem is listed by row for the person to fix.
    """

    task_name: ClassVar[str] = "nominations.tasks.import_run"
    # Checking a file again is harmless, so a dead worker's import is simply run again.
    stale_sending: ClassVar[str] = OutgoingWork.Status.QUEUED

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content = models.TextField()
    total_rows = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    row_errors = models.JSONField(default=dict, blank=True)
    created_references = models.JSONField(default=list, blank=True)

    class Meta(OutgoingWork.Meta):
        verbose_name = _("nomination upload")

    def __str__(self) -> str:
        # No status here: the audit log keeps this text, and a status would soon be out of date.
        return self.filename
