"""Stories written by comms staff from nominations, and every revision of them.

A story's public words are its own: the nominations it was written from stay
untouched, and consent decides at publication and at every page view what it may
show of the people in it (recognition/stories/consent.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.models import Area


class Tag(models.Model):
    """A subject stories are filed under on /stories/ (for example "Young people")."""

    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StoryQuerySet(models.QuerySet):
    def live(self):
        """Stories the public can open: published, or withdrawn with a notice."""
        return self.filter(status=Story.Status.PUBLISHED) | self.filter(
            status=Story.Status.TAKEN_DOWN, takedown_kind=Story.Takedown.WITHDRAWN
        )


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        TAKEN_DOWN = "taken_down", _("Taken down")

    class Takedown(models.TextChoices):
        # The page answers 410 Gone: it should never have been public.
        ERROR = "error", _("Published in error")
        # The page answers 301 to the page that replaces it.
        SUPERSEDED = "superseded", _("Replaced by another page")
        # The page stays, with a dated notice and a public explanation.
        WITHDRAWN = "withdrawn", _("Withdrawn, with a public explanation")

    # The Atom feed's entry id: never changes, whatever happens to the title or slug.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    summary = models.CharField(
        max_length=300, help_text=_("One or two sentences: shown in lists, the feed and previews.")
    )
    # What comms staff type: plain paragraphs with a little Markdown (headings, lists, links, bold).
    body_source = models.TextField()
    # The public text as sanitised HTML (nh3), made from body_source by the services only.
    body = models.TextField()
    hero_image = models.ImageField(upload_to="stories/", blank=True)
    hero_image_alt = models.CharField(max_length=250, blank=True)
    image_credit = models.CharField(max_length=150, blank=True)
    # Whether the hero image shows a person from the nominations: then their photo consent counts.
    image_shows_nominee = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="stories")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The nominations the story was written from; their words are never changed.
    nominations = models.ManyToManyField(
        "nominations.Nomination", blank=True, related_name="stories"
    )

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stories_written"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stories_approved",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # When a scheduled story goes out (Celery beat publishes it).
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set when publishing was paused as this story came due: it waits for staff to confirm.
    held_by_pause = models.BooleanField(default=False)
    # First publication: the "published" time on the page and in the feed.
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The last change the public can see: the feed's "updated".
    public_updated_at = models.DateTimeField(null=True, blank=True)

    takedown_kind = models.CharField(max_length=20, choices=Takedown.choices, blank=True)
    # For staff: why it was taken down.
    takedown_reason = models.TextField(blank=True)
    # For the public, on a withdrawn story's page.
    takedown_notice = models.TextField(blank=True)
    # Where a superseded story now points: a path on this site.
    superseded_by = models.CharField(max_length=300, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "stories"
        permissions = [
            ("approve_story", "Can approve a story for publication"),
            ("publish_story", "Can publish, schedule and take down stories"),
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="story_public_idx")]

    def __str__(self) -> str:
        return self.title


class StorySlug(models.Model):
    """An earlier address of a story, so old links keep working after a title change."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=140, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.slug


class StoryRevision(models.Model):
    """Every saved version of a story's public words, with who saved it and when."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    body_source = models.TextField()
    body = models.TextField()
    hero_image = models.CharField(max_length=200, blank=True)
    hero_image_alt = models.CharField(max_length=250, blank=True)
    image_credit = models.CharField(max_length=150, blank=True)
    tags = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)
    # What happened, in a few words: "Saved", "Restored revision 3".
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["story", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="story_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.story} — revision {self.number}"
