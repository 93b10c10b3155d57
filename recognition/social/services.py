"""Every change to social channels and posts, and sending them exactly once.

Sending (posts_send_due, run by Celery beat every minute) follows the outgoing-work
pattern of council/outgoing.py with one rule on top: a post is never sent twice.
The row is locked and marked `sending`, and that is committed, before anything
leaves; the remote id is saved with `sent`; Mastodon gets an Idempotency-Key and
Bluesky a fixed record key made from the post; and an answer that never came
after the request left makes the post `unknown`, for a person to check, never a
blind resend.

The pre-election pause (council.selectors.publishing_paused, read from the
database each time) holds every send: a post that comes due while it is on is
`held` and waits, still approved, until staff confirm it after the pause.
"""

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from council.images import CleanImage
from council.outgoing import OutgoingWork, enqueue, fail, finish, retry_later
from council.roles import Role
from council.selectors import publishing_paused
from council.services import audit_log, email_queue
from recognition.social import images
from recognition.social.channels import client_for
from recognition.social.channels.base import ChannelError, PostContent, Problem
from recognition.social.models import Channel, PostRemoval, SocialPost
from recognition.social.secrets import SecretUnreadable, seal
from recognition.social.selectors import consent_problems, post_problems, story_link
from recognition.social.text import alt_text_problems, draft_text, limits_for, text_problems
from recognition.stories.models import Story
from recognition.stories.selectors import absolute_url

logger = logging.getLogger(__name__)

Status = OutgoingWork.Status
State = SocialPost.State

APPROVE = "social.approve_post"
# The longest wait a channel's reset time may ask for before we try again anyway.
LONGEST_WAIT = timedelta(days=1)
# How many due posts one run of the beat job sends; the rest go in the next minute.
BATCH = 50


class SocialError(Exception):
    """A rule of social posts was broken. `problems` lists every reason; `field` is where it belongs."""

    def __init__(self, message: str, *, problems=(), field: str | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.field = field


MESSAGES = {
    "not_editable": "This post has been sent (or may have been), so it can no longer be changed.",
    "no_channels": "There are no active channels. An administrator adds them under Channels.",
    "not_published": "Only a published story can be posted about. Publish the story first.",
    "cannot_approve": "You do not have permission to approve social posts.",
    "not_draft": "Only a draft can be approved.",
    "not_approved": "Approve the post before scheduling it.",
    "not_scheduled": "The post is not scheduled.",
    "not_failed": "Only a post that failed can be tried again.",
    "not_held": "The post is not held by the publishing pause.",
    "still_paused": "Publishing is still paused. Held posts can go out once it ends.",
    "not_unknown": "Only a post whose outcome is unknown can be recorded this way.",
    "needs_url": "Enter the address of the post on the channel, starting with https://",
    "not_by_hand": "This post is not waiting to be removed by hand.",
    "in_past": "The time must be now or later",
    "problems": "The post cannot be approved yet.",
}


def _move(post: OutgoingWork, status: str, **fields) -> None:
    """Put a post in a status (with the other fields given), saving only those fields."""
    post.status = status
    post.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(post, name, value)
    post.save(update_fields=["status", "status_changed_at", *fields])


def _post_link(post: SocialPost) -> str:
    return absolute_url(reverse("social_staff:post", args=[post.pk]))


def _comms_addresses() -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name=Role.COMMS.value
    )
    return sorted(set(users.values_list("email", flat=True)) - {""})


def _email_comms(*, subject: str, template: str, context: dict) -> None:
    """One email to comms staff, sent by the worker once the transaction commits."""
    to = _comms_addresses()
    if not to:
        logger.warning("No comms staff to tell: %s", subject)
        return
    email_queue(to=to, subject=subject, body_text=render_to_string(template, context))


# --- Channels ---------------------------------------------------------------------------


def channel_save(
    *, channel: Channel, actor, changed=(), credentials: dict | None = None
) -> Channel:
    """Add a channel or change one. New credentials replace the old and end any stored session."""
    with transaction.atomic():
        created = channel.pk is None
        fields = list(changed)
        if {"account", "server_url"} & set(changed) and channel.session:
            # A session belongs to one account on one server.
            channel.session = ""
            fields.append("session")
        if credentials:
            channel.secret = seal(credentials)
            channel.session = ""
            channel.needs_reconnecting_since = None
            channel.problem = ""
            fields += ["secret", "session", "needs_reconnecting_since", "problem"]
        channel.updated_at = timezone.now()
        if created:
            channel.save()
        else:
            channel.save(update_fields=sorted(set(fields) | {"updated_at"}))
        audit_log(
            actor=actor,
            action="social.channel.created" if created else "social.channel.updated",
            obj=channel,
            # Which fields changed, never what the credentials are.
            data={"changed": sorted(set(changed)), "credentials_replaced": bool(credentials)},
        )
    return channel


def _session_saver(channel_id: int):
    def save(session_string: str) -> None:
        Channel.objects.filter(pk=channel_id).update(session=seal({"session": session_string}))

    return save


def _client(channel: Channel):
    return client_for(channel, save_session=_session_saver(channel.pk))


def channel_mark_needs_reconnecting(
    *, channel_id: int, reason: str, post: SocialPost | None = None, notify: bool = True
) -> bool:
    """The channel refused its credentials: say so once per incident. Returns whether it is new.

    The credentials are kept: a Page token that was refused for a passing reason,
    or an instance that was misconfigured for an hour, may work again.
    """
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        if channel.needs_reconnecting_since is not None:
            return False
        channel.needs_reconnecting_since = timezone.now()
        channel.problem = reason
        channel.save(update_fields=["needs_reconnecting_since", "problem"])
        audit_log(
            actor=None,
            action="social.channel.needs_reconnecting",
            obj=channel,
            data={"reason": reason, "post": post.pk if post else None},
        )
        if notify:
            scheduled = channel.posts.filter(status=Status.QUEUED).count()
            _email_comms(
                subject=f"{channel.name} needs reconnecting",
                template="social/email/needs_reconnecting.txt",
                context={
                    "channel": channel,
                    "reason": reason,
                    "post": post,
                    "post_link": _post_link(post) if post else "",
                    "scheduled": scheduled,
                    "posts_link": absolute_url(reverse("social_staff:index"))
                    + f"?channel={channel.pk}",
                    "channel_link": absolute_url(
                        reverse("social_staff:channel", args=[channel.pk])
                    ),
                },
            )
    return True


def _record_check(channel: Channel, checked) -> None:
    fields = {
        "posts_as": checked.posts_as[:200],
        "last_checked_at": timezone.now(),
        "needs_reconnecting_since": None,
        "problem": "",
    }
    # Only what the channel reports; the console's and test channel's own limits stay.
    for name in ("max_characters", "url_length", "alt_text_limit"):
        value = getattr(checked, name)
        if value:
            fields[name] = value
    Channel.objects.filter(pk=channel.pk).update(**fields)
    for name, value in fields.items():
        setattr(channel, name, value)


def channel_test(*, channel: Channel, actor) -> str:
    """The "test connection" button: what works, or in plain words what is wrong."""
    try:
        checked = _client(channel).check()
    except SecretUnreadable as error:
        raise SocialError(str(error)) from None
    except ChannelError as error:
        reason = error.explain(channel.name)
        Channel.objects.filter(pk=channel.pk).update(last_checked_at=timezone.now(), problem=reason)
        if error.is_auth:
            # A person is looking at it: no email, but sends wait for new credentials.
            channel_mark_needs_reconnecting(channel_id=channel.pk, reason=reason, notify=False)
        audit_log(
            actor=actor,
            action="social.channel.test_failed",
            obj=channel,
            data={"problem": error.problem},
        )
        raise SocialError(reason) from None
    _record_check(channel, checked)
    audit_log(actor=actor, action="social.channel.tested", obj=channel, data={})
    words = f"{channel.name} works: it posts as {checked.posts_as}."
    limits = limits_for(channel)
    return f"{words} Posts can be up to {limits.characters:,} characters."


def channels_check() -> dict[str, str]:
    """The daily check: a dead token is found, and comms staff told, before a scheduled post fails."""
    results = {}
    for channel in Channel.objects.filter(active=True):
        try:
            checked = _client(channel).check()
        except SecretUnreadable as error:
            channel_mark_needs_reconnecting(channel_id=channel.pk, reason=str(error))
            results[channel.name] = "needs reconnecting"
        except ChannelError as error:
            reason = error.explain(channel.name)
            if error.is_auth:
                channel_mark_needs_reconnecting(channel_id=channel.pk, reason=reason)
                results[channel.name] = "needs reconnecting"
            else:
                # Passing faults are not worth an email: the next send tries again.
                Channel.objects.filter(pk=channel.pk).update(
                    last_checked_at=timezone.now(), problem=reason
                )
                results[channel.name] = "unreachable"
        else:
            _record_check(channel, checked)
            results[channel.name] = "ok"
    return results


# --- Drafts and editing --------------------------------------------------------------------


def _channel_copy(post: SocialPost) -> None:
    """Bluesky's smaller copy of the picture, when the picture is too big for it."""
    limit = limits_for(post.channel).image_bytes
    if post.image_for_channel:
        post.image_for_channel.delete(save=False)
    if not post.image or not limit:
        return
    with post.image.open("rb") as handle:
        data = handle.read()
    if len(data) <= limit:
        return
    smaller = images.fit_bytes(data, limit)
    post.image_for_channel.save(f"{post.public_id.hex}-small.jpg", ContentFile(smaller), save=False)


def _copy_story_image(post: SocialPost, story: Story) -> None:
    if not story.hero_image:
        return
    with story.hero_image.open("rb") as handle:
        data = handle.read()
    extension = story.hero_image.name.rsplit(".", 1)[-1].lower()
    post.image.save(f"{post.public_id.hex}.{extension}", ContentFile(data), save=False)
    post.image_alt = story.hero_image_alt
    post.image_shows_nominee = story.image_shows_nominee


def posts_draft_for_story(*, story: Story, actor) -> list[SocialPost]:
    """One draft per active channel that has none for this story yet, with the link and hashtag."""
    from council.selectors import council_settings

    if story.status != Story.Status.PUBLISHED:
        raise SocialError(MESSAGES["not_published"])
    channels = list(Channel.objects.filter(active=True).exclude(posts__story=story))
    if not channels and not Channel.objects.filter(active=True).exists():
        raise SocialError(MESSAGES["no_channels"])
    hashtag = council_settings().campaign_hashtag
    link = story_link(story)
    made = []
    with transaction.atomic():
        for channel in channels:
            post = SocialPost(
                story=story,
                channel=channel,
                status=Status.HELD,
                created_by=actor,
                text=draft_text(
                    title=story.title,
                    summary=story.summary,
                    link=link,
                    hashtag=hashtag,
                    limits=limits_for(channel),
                ),
            )
            _copy_story_image(post, story)
            _channel_copy(post)
            post.save()
            audit_log(
                actor=actor,
                action="social.post.drafted",
                obj=post,
                data={"story": story.pk, "channel": channel.name},
            )
            made.append(post)
    return made


def post_edit(
    *,
    post: SocialPost,
    actor,
    text: str,
    image_alt: str,
    image_shows_nominee: bool,
    new_image: CleanImage | None = None,
    remove_image: bool = False,
) -> SocialPost:
    """Change a post's words or picture. An approved post goes back to draft for approval again."""
    limits = limits_for(post.channel)
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if not post.editable:
            raise SocialError(MESSAGES["not_editable"])
        problems = text_problems(text, limits)
        if problems:
            raise SocialError(problems[0], problems=problems[1:], field="text")
        has_image = bool(new_image) or (bool(post.image) and not remove_image)
        if has_image:
            problems = alt_text_problems(image_alt, limits)
            if problems:
                raise SocialError(problems[0], field="image_alt")
        was = post.state
        fields = ["text", "image_alt", "image_shows_nominee", "updated_at"]
        post.text, post.image_alt = text, image_alt if has_image else ""
        post.image_shows_nominee = image_shows_nominee
        post.updated_at = timezone.now()
        if remove_image or new_image:
            if post.image:
                post.image.delete(save=False)
            fields += ["image", "image_for_channel"]
        if new_image:
            post.image.save(new_image.file.name, new_image.file, save=False)
        if "image" in fields:
            _channel_copy(post)
        unapproved = was in (State.APPROVED, State.SCHEDULED, State.HELD, State.FAILED)
        if unapproved or was == State.DRAFT:
            post.approved_by, post.approved_at = None, None
            post.scheduled_for, post.next_attempt_at = None, None
            post.held_by_pause = False
            fields += ["approved_by", "approved_at", "scheduled_for", "next_attempt_at"]
            fields += ["held_by_pause", "last_error", "attempts"]
            post.last_error, post.attempts = "", 0
            post.status = Status.HELD
            post.status_changed_at = timezone.now()
            fields += ["status", "status_changed_at"]
        post.save(update_fields=sorted(set(fields)))
        audit_log(
            actor=actor,
            action="social.post.edited",
            obj=post,
            data={"approval_withdrawn": unapproved, "was": was},
        )
    return post


# --- Approval and schedule ---------------------------------------------------------------------


def post_approve(*, post: SocialPost, actor) -> SocialPost:
    """Approve a draft: the words, picture and consent are checked now and again when it is sent."""
    if not actor.has_perm(APPROVE):
        raise SocialError(MESSAGES["cannot_approve"])
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state != State.DRAFT:
            raise SocialError(MESSAGES["not_draft"])
        problems = post_problems(post)
        if problems:
            raise SocialError(MESSAGES["problems"], problems=problems)
        post.approved_by, post.approved_at = actor, timezone.now()
        post.last_error = ""
        post.save(update_fields=["approved_by", "approved_at", "last_error"])
        audit_log(actor=actor, action="social.post.approved", obj=post, data={})
    return post


def _queue_at(post: SocialPost, when: datetime, **fields) -> None:
    _move(
        post,
        Status.QUEUED,
        next_attempt_at=when,
        held_by_pause=False,
        attempts=0,
        last_error="",
        **fields,
    )


def post_schedule(*, post: SocialPost, actor, when: datetime) -> SocialPost:
    """Put an approved post on the schedule; beat sends it in the minute it comes due."""
    now = timezone.now()
    if when < now - timedelta(minutes=1):
        raise SocialError(MESSAGES["in_past"], field="when")
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state not in (State.APPROVED, State.SCHEDULED):
            raise SocialError(MESSAGES["not_approved"])
        problems = post_problems(post)
        if problems:
            raise SocialError(problems[0], problems=problems[1:])
        _queue_at(post, max(when, now), scheduled_for=max(when, now))
        audit_log(
            actor=actor,
            action="social.post.scheduled",
            obj=post,
            data={"at": post.scheduled_for.isoformat()},
        )
    return post


def post_unschedule(*, post: SocialPost, actor) -> SocialPost:
    """Take a post off the schedule: it stays approved."""
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state != State.SCHEDULED:
            raise SocialError(MESSAGES["not_scheduled"])
        _move(post, Status.HELD, next_attempt_at=None, scheduled_for=None)
        audit_log(actor=actor, action="social.post.unscheduled", obj=post, data={})
    return post


def post_retry(*, post: SocialPost, actor) -> SocialPost:
    """Try a failed post again, in the next minute."""
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state != State.FAILED:
            raise SocialError(MESSAGES["not_failed"])
        problems = post_problems(post)
        if problems:
            raise SocialError(problems[0], problems=problems[1:])
        channel = post.channel
        if channel.needs_reconnecting_since:
            raise SocialError(
                f"{channel.name} needs reconnecting first: ask an administrator to enter new "
                "credentials and test the connection."
            )
        _queue_at(post, timezone.now())
        audit_log(actor=actor, action="social.post.retried", obj=post, data={})
    return post


def post_release(*, post: SocialPost, actor) -> SocialPost:
    """Staff confirm a post the pause held back: it goes out in the next minute."""
    if publishing_paused():
        raise SocialError(MESSAGES["still_paused"])
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state != State.HELD:
            raise SocialError(MESSAGES["not_held"])
        problems = post_problems(post)
        if problems:
            raise SocialError(problems[0], problems=problems[1:])
        _queue_at(post, timezone.now())
        audit_log(actor=actor, action="social.post.released", obj=post, data={})
    return post


def post_reconcile(*, post: SocialPost, actor, posted: bool, url: str = "") -> SocialPost:
    """A person checked a post whose outcome was unknown, and says what happened."""
    url = url.strip()
    if posted and not url.startswith("https://"):
        raise SocialError(MESSAGES["needs_url"], field="url")
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.state != State.UNKNOWN:
            raise SocialError(MESSAGES["not_unknown"])
        if posted:
            # The address is enough to find it again; deleting it later may need a person.
            finish(post, remote_url=url[:500], remote_id=post.remote_id or "")
        else:
            # Back to approved: a person decides when it goes, nothing resends by itself.
            _move(post, Status.HELD, next_attempt_at=None, scheduled_for=None, last_error="")
        audit_log(
            actor=actor,
            action="social.post.reconciled_posted"
            if posted
            else "social.post.reconciled_not_posted",
            obj=post,
            data={"url": url} if posted else {},
        )
    return post


# --- Sending -----------------------------------------------------------------------------------


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _content(post: SocialPost) -> PostContent:
    story = post.story
    image = image_type = None
    size = None
    if post.image:
        image = _read(post.image_for_channel or post.image)
        size, image_type = images.size_and_type(image)
    card = card_type = None
    if not image and post.channel.kind == Channel.Kind.BLUESKY and story.hero_image:
        # The link card's picture: the story's own, already public on its page.
        card = images.fit_bytes(_read(story.hero_image), limits_for(post.channel).image_bytes)
        card_type = images.size_and_type(card)[1]
    return PostContent(
        key=str(post.public_id),
        text=post.text,
        link=story_link(story),
        link_title=story.title,
        link_description=story.summary,
        created_at=post.created_at,
        image=image,
        image_type=image_type or "",
        image_alt=post.image_alt if image else "",
        image_size=size,
        card_image=card,
        card_image_type=card_type or "",
    )


def _refusal(post: SocialPost, channel: Channel) -> str | None:
    """Why the post must not go now, though it is due; None when it may."""
    if not channel.active:
        return f"Not sent: {channel.name} is switched off."
    if channel.needs_reconnecting_since:
        return (
            f"Not sent: {channel.name} needs reconnecting. Once an administrator has entered "
            "new credentials, try again."
        )
    problems = post_problems(post)
    if problems:
        return "Not sent: " + " ".join(problems)
    return None


def post_send(*, post_id: int, now: datetime | None = None) -> SocialPost | None:
    """Send one due post, exactly once. Returns the post, or None when it was not due."""
    now = now or timezone.now()
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.status != Status.QUEUED:
            return None
        if post.next_attempt_at is not None and post.next_attempt_at > now:
            return None
        if publishing_paused():
            _move(post, Status.HELD, held_by_pause=True, next_attempt_at=None)
            audit_log(actor=None, action="social.post.held", obj=post, data={})
            return post
        channel = post.channel
        refusal = _refusal(post, channel)
        if refusal:
            fail(post, refusal)
            audit_log(actor=None, action="social.post.refused", obj=post, data={"why": refusal})
            return post
        _move(post, Status.SENDING, attempts=post.attempts + 1, next_attempt_at=None)
    # Committed: the post is `sending` before anything leaves, so no second worker takes it.
    try:
        published = _client(channel).publish(_content(post))
    except ChannelError as error:
        return _after_error(post, channel, error, now=now)
    except SecretUnreadable as error:
        return _after_error(post, channel, ChannelError(Problem.BAD_TOKEN, str(error)), now=now)
    except Exception as error:  # a fault of ours, or a time limit, mid-send: it may have gone
        logger.exception("Social post %s: unexpected error while sending", post.pk)
        return _after_error(post, channel, ChannelError(Problem.UNCERTAIN, repr(error)), now=now)
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        # Only an https address is ever shown to staff as a link.
        url = published.remote_url if published.remote_url.startswith("https://") else ""
        finish(post, remote_id=published.remote_id[:300], remote_url=url[:500])
        audit_log(
            actor=None,
            action="social.post.sent",
            obj=post,
            data={"remote_id": published.remote_id, "url": published.remote_url},
        )
        # Consent may have been withdrawn while it was on its way: take it down again.
        problems = consent_problems(
            post.story,
            text=post.text,
            has_image=bool(post.image),
            image_shows_nominee=post.image_shows_nominee,
        )
        if problems:
            _removal_start(post, "Consent changed while it was being sent. " + " ".join(problems))
    return post


def _after_error(post: SocialPost, channel: Channel, error: ChannelError, *, now) -> SocialPost:
    reason = error.explain(channel.name)
    logger.warning("Social post %s on %s not sent: %s", post.pk, channel.name, reason)
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.status != Status.SENDING:
            return post  # settled by someone else meanwhile
        if error.problem == Problem.UNCERTAIN:
            _move(
                post,
                Status.UNKNOWN,
                last_error=f"{reason} Check {channel.name}, then record whether it was posted.",
            )
            audit_log(actor=None, action="social.post.unknown", obj=post, data={"why": reason})
        elif error.is_passing:
            again = retry_later(post, reason)
            if again and error.retry_at:
                # The channel said when: come back then (not sooner, and not days later).
                wait_until = min(
                    max(error.retry_at, now + timedelta(seconds=5)), now + LONGEST_WAIT
                )
                post.next_attempt_at = wait_until
                post.save(update_fields=["next_attempt_at"])
            audit_log(
                actor=None,
                action="social.post.retry_scheduled" if again else "social.post.failed",
                obj=post,
                data={
                    "why": reason,
                    "at": post.next_attempt_at.isoformat() if post.next_attempt_at else None,
                },
            )
        else:
            fail(post, reason)
            audit_log(actor=None, action="social.post.failed", obj=post, data={"why": reason})
            if error.is_auth:
                channel_mark_needs_reconnecting(channel_id=channel.pk, reason=reason, post=post)
    return post


def posts_send_due(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """The beat job, every minute: settle sends a dead worker left, then send what is due."""
    now = now or timezone.now()
    counts = {"settled": 0, "sent": 0, "held": 0, "failed": 0, "waiting": 0, "unknown": 0}
    stale = list(
        SocialPost.objects.filter(
            status=Status.SENDING, status_changed_at__lt=now - SocialPost.stale_after
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        with transaction.atomic():
            post = SocialPost.objects.select_for_update().get(pk=pk)
            if post.status == Status.SENDING:
                _move(
                    post,
                    Status.UNKNOWN,
                    last_error="The worker stopped while this was being sent, so it may have "
                    "been posted. Check the channel, then record whether it was.",
                )
                audit_log(actor=None, action="social.post.unknown", obj=post, data={})
                counts["settled"] += 1
    counts["removing"] = posts_follow_taken_down_stories()
    due = list(
        SocialPost.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    outcome = {
        Status.SENT: "sent",
        Status.HELD: "held",
        Status.FAILED: "failed",
        Status.QUEUED: "waiting",
        Status.UNKNOWN: "unknown",
    }
    for pk in due:
        post = post_send(post_id=pk, now=now)
        if post is not None and post.status in outcome:
            counts[outcome[post.status]] += 1
    return counts


# --- Consent withdrawn: unapprove, delete, or ask a person ------------------------------------


def _removal_start(post: SocialPost, reason: str) -> None:
    """Inside a transaction with the post locked: delete it from the channel, or ask a person."""
    if post.removal:
        return
    if post.status == Status.SENT and post.remote_id:
        post.removal, post.removal_note = SocialPost.Removal.DELETING, reason
        post.save(update_fields=["removal", "removal_note"])
        removal = PostRemoval.objects.create(post=post, reason=reason)
        enqueue(removal)
        audit_log(actor=None, action="social.post.removal_started", obj=post, data={"why": reason})
        return
    # Sent but we hold only its address, or it may have been posted: a person removes it.
    _by_hand(post, reason)


def _by_hand(post: SocialPost, reason: str) -> None:
    post.removal, post.removal_note = SocialPost.Removal.BY_HAND, reason
    post.save(update_fields=["removal", "removal_note"])
    audit_log(actor=None, action="social.post.remove_by_hand", obj=post, data={"why": reason})
    _email_comms(
        subject=f"Remove a post from {post.channel.name} by hand",
        template="social/email/remove_by_hand.txt",
        context={"post": post, "reason": reason, "post_link": _post_link(post)},
    )


def posts_follow_consent(*, nominee_ids) -> dict[str, int]:
    """After a consent change: posts consent no longer allows are unapproved, or deleted if sent.

    Runs inside the nominations service's transaction (receivers.py). Deleting
    happens on the worker, after commit (PostRemoval).
    """
    counts = {"unapproved": 0, "removing": 0}
    ids = list(
        SocialPost.objects.filter(story__nominations__nominee_id__in=list(nominee_ids))
        .values_list("pk", flat=True)
        .distinct()
    )
    if not ids:
        return counts
    with transaction.atomic():
        # Locked in a second step: PostgreSQL takes no row locks on a DISTINCT query.
        posts = list(SocialPost.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        for post in posts:
            problems = consent_problems(
                post.story,
                text=post.text,
                has_image=bool(post.image),
                image_shows_nominee=post.image_shows_nominee,
            )
            if not problems:
                continue
            reason = "Consent changed. " + " ".join(problems)
            state = post.state
            if state in (State.APPROVED, State.SCHEDULED, State.HELD, State.FAILED):
                _move(
                    post,
                    Status.HELD,
                    approved_by=None,
                    approved_at=None,
                    scheduled_for=None,
                    next_attempt_at=None,
                    held_by_pause=False,
                    last_error=reason,
                )
                audit_log(
                    actor=None, action="social.post.unapproved_for_consent", obj=post, data={}
                )
                counts["unapproved"] += 1
            elif state in (State.SENT, State.UNKNOWN) and not post.removal:
                _removal_start(post, reason)
                counts["removing"] += 1
    return counts


def posts_follow_taken_down_stories(*, story_id: int | None = None) -> int:
    """Sent posts about a story that was taken down are deleted from their channels too.

    story_take_down calls this for its story in the same request (through the
    stories.signals.story_taken_down receiver); the beat job runs it for all
    stories every minute as well, so none is missed.
    """
    posts = SocialPost.objects.filter(status__in=(Status.SENT, Status.UNKNOWN), removal="")
    if story_id is not None:
        posts = posts.filter(story_id=story_id)
    ids = list(
        posts.exclude(story__status=Story.Status.PUBLISHED).values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            post = SocialPost.objects.select_for_update().get(pk=pk)
            if not post.removal:
                _removal_start(post, "The story it links to was taken down.")
    return len(ids)


def removal_run(*, removal_id: int) -> PostRemoval | None:
    """Delete one post from its channel (the worker); a person is asked where the API cannot."""
    from council.outgoing import claim

    removal = claim(PostRemoval, removal_id)
    if removal is None:
        return None
    post = removal.post
    channel = post.channel
    try:
        _client(channel).delete(post.remote_id)
    except (ChannelError, SecretUnreadable) as error:
        if not isinstance(error, ChannelError):
            error = ChannelError(Problem.BAD_TOKEN, str(error))
        reason = error.explain(channel.name)
        with transaction.atomic():
            if error.is_passing and retry_later(removal, reason):
                return removal
            if removal.status != Status.FAILED:
                fail(removal, reason)
            post = SocialPost.objects.select_for_update().get(pk=post.pk)
            _by_hand_after_failure(post, reason)
        return removal
    with transaction.atomic():
        finish(removal)
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        post.removal = SocialPost.Removal.DELETED
        post.save(update_fields=["removal"])
        audit_log(actor=None, action="social.post.deleted", obj=post, data={})
    return removal


def _by_hand_after_failure(post: SocialPost, reason: str) -> None:
    post.removal = ""  # _by_hand sets it again, with the reason the deletion failed
    _by_hand(post, f"{post.removal_note} We could not delete it: {reason}".strip())


def post_removed_by_hand(*, post: SocialPost, actor) -> SocialPost:
    """Staff removed a post from its channel themselves."""
    with transaction.atomic():
        post = SocialPost.objects.select_for_update().get(pk=post.pk)
        if post.removal != SocialPost.Removal.BY_HAND:
            raise SocialError(MESSAGES["not_by_hand"])
        post.removal = SocialPost.Removal.REMOVED_BY_HAND
        post.save(update_fields=["removal"])
        audit_log(actor=actor, action="social.post.removed_by_hand", obj=post, data={})
    return post
