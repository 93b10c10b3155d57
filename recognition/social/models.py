"""Social media channels and the posts made on them about published stories.

A post is outgoing work (council/outgoing.py) with an editorial life in front of it:

    draft → approved → scheduled → sending → sent
                                          → failed   (the channel said no; staff may try again)
                                          → unknown  (it may have gone: a person checks)

`status` holds where the row is for the worker: `held` while it is a draft or
approved (and while the pre-election pause holds it), `queued` once scheduled,
with `next_attempt_at` the moment it is due. `state` below names all of it in
the words staff see.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.outgoing import OutgoingWork


class Channel(models.Model):
    """One account the council posts from, set up by an administrator."""

    class Kind(models.TextChoices):
        MASTODON = "mastodon", _("Mastodon")
        BLUESKY = "bluesky", _("Bluesky")
        FACEBOOK = "facebook", _("Facebook Page")
        # Development and tests: nothing leaves the machine.
        CONSOLE = "console", _("Console (writes the post to the log and a file)")
        MEMORY = "memory", _("In memory (for automated tests)")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=80, unique=True)
    active = models.BooleanField(
        default=True, help_text=_("New posts are drafted only for active channels.")
    )
    # Mastodon: the instance (https://mastodon.social). Bluesky: the account's server
    # (https://bsky.social unless the account is hosted elsewhere).
    server_url = models.URLField(blank=True)
    # Bluesky: the handle (council.bsky.social). Facebook: the Page's id.
    account = models.CharField(max_length=200, blank=True)
    # The credentials, encrypted (recognition/social/secrets.py). Never shown back.
    secret = models.TextField(blank=True)
    # Bluesky's session, encrypted and kept between sends: its login is rate-limited.
    session = models.TextField(blank=True)
    # The longest post, when the channel says (Mastodon) or the administrator sets it
    # (console and in-memory channels). Empty: the kind's own limit.
    max_characters = models.PositiveIntegerField(null=True, blank=True)
    # How many characters a link counts as (Mastodon: the instance says; usually 23).
    url_length = models.PositiveIntegerField(null=True, blank=True)
    # The longest description of a picture (Mastodon says, from version 4.4).
    alt_text_limit = models.PositiveIntegerField(null=True, blank=True)
    # Who the channel posts as, from the last successful check ("@council@mastodon.social").
    posts_as = models.CharField(max_length=200, blank=True)

    # Set when the channel refused the credentials; cleared when they work again.
    needs_reconnecting_since = models.DateTimeField(null=True, blank=True)
    # The last problem, in the channel's own words with ours around them.
    problem = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_real(self) -> bool:
        """Whether posts leave the machine (not the console or in-memory channel)."""
        return self.kind in (self.Kind.MASTODON, self.Kind.BLUESKY, self.Kind.FACEBOOK)


class SocialPost(OutgoingWork):
    """One post on one channel about one published story."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held by the publishing pause")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Check: it may have been posted")

    class Removal(models.TextChoices):
        NONE = "", _("Not removed")
        DELETING = "deleting", _("Being deleted")
        DELETED = "deleted", _("Deleted from the channel")
        BY_HAND = "by_hand", _("Must be removed by hand")
        REMOVED_BY_HAND = "removed_by_hand", _("Removed by hand")

    # Sent by this app's own beat job (services.posts_send_due), not the generic
    # sweeper: it also holds posts back during the pre-election pause.
    task_name: ClassVar[str] = ""
    # A worker that died mid-send may have posted: a person checks, nothing resends.
    stale_sending: ClassVar[str] = OutgoingWork.Status.UNKNOWN

    # Stable and private: the Mastodon Idempotency-Key and the Bluesky record key come from it.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    story = models.ForeignKey(
        "stories.Story", on_delete=models.PROTECT, related_name="social_posts"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="posts")
    text = models.TextField()
    # A cleaned copy of the picture (council/images.py), private until it is posted.
    image = models.ImageField(upload_to="social/", blank=True)
    # Bluesky takes pictures up to 1,000,000 bytes: a smaller copy, shown before approval.
    image_for_channel = models.ImageField(upload_to="social/", blank=True)
    image_alt = models.TextField(blank=True)
    # Whether the picture shows a nominee: then their photo consent counts.
    image_shows_nominee = models.BooleanField(default=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # When staff asked for it to go out; `next_attempt_at` moves on with retries, this stays.
    scheduled_for = models.DateTimeField(null=True, blank=True, db_index=True)
    # Came due while publishing was paused: waits until staff confirm it.
    held_by_pause = models.BooleanField(default=False)

    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)

    removal = models.CharField(max_length=20, choices=Removal.choices, blank=True, default="")
    removal_note = models.TextField(blank=True)

    class Meta(OutgoingWork.Meta):
        verbose_name = _("social post")
        ordering = ["scheduled_for", "created_at", "pk"]
        permissions = [("approve_post", "Can approve a social post")]
        constraints = [
            models.UniqueConstraint(fields=["story", "channel"], name="social_post_story_channel")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="social_post_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.story}"

    @property
    def state(self) -> str:
        """Where the post is, in one word staff see (State)."""
        Status = OutgoingWork.Status
        if self.status == Status.HELD:
            if self.held_by_pause:
                return self.State.HELD
            return self.State.APPROVED if self.approved_at else self.State.DRAFT
        if self.status == Status.QUEUED:
            return self.State.SCHEDULED
        return self.State(self.status)

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def editable(self) -> bool:
        """Whether the words may still change: not once it is on its way or out."""
        return self.state not in (self.State.SENDING, self.State.SENT, self.State.UNKNOWN)


class PostRemoval(OutgoingWork):
    """Deleting a sent post from its channel after consent was withdrawn.

    Deleting is safe to repeat (a post already gone counts as deleted), so a
    worker that died mid-way simply tries again.
    """

    task_name: ClassVar[str] = "recognition.social.tasks.removal_run"
    stale_sending: ClassVar[str] = OutgoingWork.Status.QUEUED

    post = models.OneToOneField(SocialPost, on_delete=models.CASCADE, related_name="removal_work")
    reason = models.TextField()

    class Meta(OutgoingWork.Meta):
        verbose_name = _("social post removal")

    def __str__(self) -> str:
        return f"Removal of {self.post}"
