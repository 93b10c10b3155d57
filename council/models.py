from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.outgoing import OutgoingWork

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits, like #1d70b8")
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class CouncilSettings(models.Model):
    """The deploying council: one row, edited by an administrator."""

    name = models.CharField(max_length=150, default="Your Council")
    short_name = models.CharField(
        max_length=60,
        default="Your Council",
        help_text=_("Used where space is short, such as the browser tab."),
    )
    campaign_name = models.CharField(max_length=100, default="Proud to Support")
    campaign_hashtag = models.CharField(max_length=60, default="#ProudtoSupport", blank=True)
    website_url = models.URLField(blank=True)
    contact_email = models.EmailField(default="proud@example.org")
    contact_phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    data_protection_officer_email = models.EmailField(blank=True)
    logo = models.ImageField(
        upload_to="council/",
        blank=True,
        help_text=_(
            "Shown in the header on the brand colour; an SVG or PNG with a transparent background works best."
        ),
    )
    logo_alt_text = models.CharField(max_length=150, blank=True)
    brand_colour = models.CharField(
        max_length=7,
        default="#00703c",
        validators=[hex_colour],
        help_text=_(
            "Header background. White text must be readable on it (contrast of at least 4.5 to 1)."
        ),
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#1d3c34",
        validators=[hex_colour],
        help_text=_("The stripe under the header."),
    )
    stories_self_approval = models.BooleanField(
        default=False,
        help_text=_(
            "Let the author of a story approve it themselves. Off by default: a colleague approves."
        ),
    )
    # The pre-election pause: while set, no story or social post goes out on a schedule.
    publishing_paused_at = models.DateTimeField(null=True, blank=True)
    publishing_paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publishing_pause_reason = models.CharField(max_length=200, blank=True)
    # Time limits for each hand-off of a volunteer referral, in working days.
    referral_acknowledge_days = models.PositiveSmallIntegerField(
        default=2, help_text=_("Working days an organisation has to acknowledge a referral.")
    )
    referral_first_contact_days = models.PositiveSmallIntegerField(
        default=5,
        help_text=_("Working days an organisation has to make first contact with the volunteer."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("council settings")
        verbose_name_plural = _("council settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="council_settings_single_row")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            hex_colour.regex.match(self.brand_colour or "")
            and contrast_ratio(self.brand_colour, "#ffffff") < 4.5
        ):
            raise ValidationError(
                {
                    "brand_colour": _(
                        "Choose a darker colour: white text on %(colour)s has a contrast of %(ratio).1f to 1, and it must be at least 4.5 to 1."
                    )
                    % {
                        "colour": self.brand_colour,
                        "ratio": contrast_ratio(self.brand_colour, "#ffffff"),
                    }
                }
            )

    @classmethod
    def load(cls) -> "CouncilSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class CivicYearQuerySet(models.QuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day).first()


class CivicYear(models.Model):
    """The Mayor for one civic year; the Mayor changes every May."""

    starts_on = models.DateField()
    ends_on = models.DateField()
    mayor_name = models.CharField(
        max_length=150, help_text=_("As it is signed, for example Councillor Pat Smith.")
    )
    mayor_title = models.CharField(
        max_length=150, help_text=_("For example, Mayor of South Tyneside.")
    )
    consort_name = models.CharField(max_length=150, blank=True)

    objects = CivicYearQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="civic_year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y}–{self.ends_on:%Y}: {self.mayor_name}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on <= self.starts_on:
                raise ValidationError({"ends_on": _("The civic year must end after it starts.")})
            overlapping = CivicYear.objects.filter(
                starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("This civic year overlaps %(other)s.") % {"other": overlapping.first()}
                )


class Area(models.Model):
    """A ward (or other area) of the council, for filters and the impact report."""

    name = models.CharField(max_length=120)
    code = models.CharField(
        max_length=20,
        unique=True,
        help_text=_("The ONS ward code, such as E05001234, or the council's own code."),
    )
    active = models.BooleanField(
        default=True,
        help_text=_("Wards that no longer exist stay for old records but are not offered."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(active=True), name="area_active_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AuditLogEntry(models.Model):
    """Who did what to which object, and when. Written by every service."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account is later deleted, and for actions nobody signed in took.
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_object_idx"
            )
        ]
        verbose_name_plural = _("audit log entries")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action} {self.object_repr}"
        )


class OutboundEmail(OutgoingWork):
    """One email, kept from the moment it is asked for until the provider has it."""

    task_name: ClassVar[str] = "council.tasks.email_send"
    batch_task_name: ClassVar[str] = "council.tasks.emails_send"

    to = models.JSONField(help_text=_("Addresses the email goes to."))
    from_email = models.CharField(max_length=254)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Carried to the provider (anymail metadata) so delivery events find their row.
    metadata = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # What the provider last said: delivered, bounced, rejected, complained.
    delivery = models.CharField(max_length=20, blank=True)
    # Files in the default storage sent with the email: [{"path", "filename", "mimetype"}].
    attachments = models.JSONField(default=list, blank=True)

    class Meta(OutgoingWork.Meta):
        verbose_name = _("outbound email")

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class DeliveryEvent(OutgoingWork):
    """What the email provider told us about a message, kept once however often it is sent.

    The webhook stores the event and answers at once; the worker applies it
    (council.services.delivery_event_apply) and each app reacts in its
    `delivery.py`, so a slow reaction never keeps the provider waiting.
    """

    task_name: ClassVar[str] = "council.tasks.delivery_event_apply"

    key = models.CharField(
        max_length=255,
        unique=True,
        help_text=_("The provider's event id, so a repeated webhook changes nothing."),
    )
    provider = models.CharField(max_length=40)
    event_type = models.CharField(max_length=40)
    reject_reason = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    recipient = models.EmailField(blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    metadata = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutgoingWork.Meta):
        verbose_name = _("delivery event")

    def __str__(self) -> str:
        return f"{self.event_type} for {self.recipient}"


class EmailSuppression(models.Model):
    """An address we no longer email: it complained, or it does not exist."""

    address = models.EmailField(unique=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.address}: {self.reason}"


class SourceCode(models.Model):
    """One leaflet run, poster, vehicle panel, story or post, with its own /v/<code> address.

    Kept by the council app because both volunteer sign-ups and nominations are
    attributed to it.
    """

    class Medium(models.TextChoices):
        LEAFLET = "leaflet", _("Leaflet")
        POSTER = "poster", _("Poster")
        VEHICLE = "vehicle", _("Vehicle panel")
        STORY = "story", _("Story")
        SOCIAL = "social", _("Social media post")
        EVENT = "event", _("Event or stall")
        OTHER = "other", _("Other")

    class Destination(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer sign-up")
        NOMINATE = "nominate", _("Nominate someone")

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150, help_text=_("For example: Leaflet drop, Westoe, May"))
    medium = models.CharField(max_length=20, choices=Medium.choices)
    destination = models.CharField(
        max_length=20, choices=Destination.choices, default=Destination.VOLUNTEER
    )
    active = models.BooleanField(default=True)
    visits = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"
