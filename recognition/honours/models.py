"""The roll of honour: one row per approved nominee, kept ready for the public page.

A row holds what the public may see (the display name their consent chose,
the staff-approved citation, category, campaign and ward) and whether it is
listed, with the reason when it is not. `honours.services` keeps it in step
with nominations and consent; the public page reads nothing else, so it stays
fast with 100,000 names.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.models import Area

CITATION_MAX_LENGTH = 300
# Shown in place of the name of someone who asked for it not to be shown.
NAME_WITHHELD = _("Name withheld at their request")


class ListingStatus(models.TextChoices):
    """Why a nominee is, or is not yet, on the public roll of honour (first reason that applies)."""

    LISTED = "listed", _("Listed")
    NOT_APPROVED = "not_approved", _("No approved nomination")
    MERGED = "merged", _("Merged into another nominee")
    NO_CONSENT = "no_consent", _("No consent yet, or consent withdrawn")
    DECLINED = "declined", _("Said no to the roll of honour")
    NEEDS_CITATION = "needs_citation", _("Needs a citation")
    AWAITING_APPROVAL = "awaiting_approval", _("Citation waiting for approval")
    CITATION_NAMES_THEM = (
        "citation_names_them",
        _("The citation uses a name they asked us not to show"),
    )


class HonourEntry(models.Model):
    nominee = models.OneToOneField(
        "nominations.Nominee", on_delete=models.CASCADE, related_name="honour_entry"
    )
    citation = models.CharField(
        max_length=CITATION_MAX_LENGTH,
        blank=True,
        help_text=_("A short thank-you written by staff. Never the nomination as written."),
    )
    citation_updated_at = models.DateTimeField(null=True, blank=True)
    citation_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    citation_approved_at = models.DateTimeField(null=True, blank=True)
    citation_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Goes up with every saved change to the citation, so two people editing at once
    # cannot overwrite each other without seeing it.
    revision = models.PositiveIntegerField(default=0)

    status = models.CharField(
        max_length=30, choices=ListingStatus.choices, default=ListingStatus.NOT_APPROVED
    )
    listed = models.BooleanField(default=False)
    listed_at = models.DateTimeField(null=True, blank=True)

    # What the public page shows: copied here when the entry is refreshed.
    display_name = models.CharField(max_length=150, blank=True)
    anonymous = models.BooleanField(default=False)
    # Orders the roll A to Z by the name as shown, names withheld last.
    sort_key = models.CharField(max_length=160, blank=True)
    # The display name and citation as plain lower-case words, for the search index.
    # Empty unless listed, so nothing unpublished can be found.
    search_text = models.TextField(blank=True)
    campaign = models.ForeignKey(
        "nominations.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "nominations.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("roll of honour entry")
        verbose_name_plural = _("roll of honour entries")
        ordering = ["sort_key", "pk"]
        indexes = [
            # The public page: listed names A to Z, on their own or within one filter.
            models.Index(
                fields=["sort_key", "id"], condition=Q(listed=True), name="honours_listed_sort"
            ),
            models.Index(
                fields=["campaign", "sort_key", "id"],
                condition=Q(listed=True),
                name="honours_listed_campaign",
            ),
            models.Index(
                fields=["category", "sort_key", "id"],
                condition=Q(listed=True),
                name="honours_listed_category",
            ),
            models.Index(
                fields=["area", "sort_key", "id"],
                condition=Q(listed=True),
                name="honours_listed_area",
            ),
            models.Index(fields=["status"], name="honours_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(listed=False) | Q(status="listed"), name="honours_listed_means_status"
            )
        ]

    def __str__(self) -> str:
        return f"Roll of honour: {self.nominee}"

    @property
    def citation_approved(self) -> bool:
        return bool(self.citation) and self.citation_approved_at is not None


class RollVersion(models.Model):
    """One row whose number goes up with every change to what the public roll shows.

    Every request reads it, and cached pages are kept under it, so a cached
    page is never served after a change, whichever process cached it.
    """

    number = models.BigIntegerField(default=0)
    # How many entries are listed, kept with the version so the whole roll needs no count.
    listed_count = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Roll of honour version {self.number}"
