"""Writing a story, reviewing it, publishing it (now or on a schedule) and taking it down.

Who may do which step is a permission ("stories.approve_story",
"stories.publish_story"), checked here as well as in the views, so the rules hold
whatever calls them: a page, the admin, a task or a test. Every change keeps an
audit row; every change to the public words keeps a revision.

The pre-election pause (council.selectors.publishing_paused) stops what the
schedule would send: a story that comes due while publishing is paused is marked
`held_by_pause` and waits, still scheduled, until staff confirm it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from council.images import CleanImage
from council.models import CouncilSettings
from council.selectors import publishing_paused
from council.services import audit_log
from recognition.stories import consent, html
from recognition.stories.models import Story, StoryRevision, StorySlug, Tag
from recognition.stories.signals import story_taken_down

Status = Story.Status

APPROVE = "stories.approve_story"
PUBLISH = "stories.publish_story"

# What saving the public words may change.
EDITED_FIELDS = [
    "title",
    "slug",
    "summary",
    "body_source",
    "body",
    "hero_image",
    "hero_image_alt",
    "image_credit",
    "image_shows_nominee",
    "area",
    "updated_at",
]
# What sending a story back for review clears.
REVIEW_FIELDS = ["status", "approved_by", "approved_at", "publish_at", "held_by_pause"]


class StoryError(Exception):
    """A rule of the story workflow was broken.

    `problems` lists every reason, in words for comms staff; `field` names the form
    field the first one belongs beside, when it belongs to one.
    """

    messages = {
        "wrong_status": "This story is {status}, so it cannot be {action}.",
        "taken_down": "This story has been taken down, so it can no longer be changed.",
        "no_nominations": "Select at least one approved nomination to write the story from",
        "nomination_not_approved": "Nomination {reference} has not been approved, so a story cannot be written from it",
        "title_required": "Enter a title",
        "slug_taken": "Another story already uses the web address “{slug}”. Choose a different one",
        "slug_invalid": "Enter a web address made of lower-case letters, numbers and hyphens",
        "alt_required": "Describe the image for people who cannot see it",
        "incomplete": "The story is not ready for review yet.",
        "cannot_approve": "You do not have permission to approve stories.",
        "own_story": "You wrote this story, so a colleague must approve it.",
        "cannot_publish": "You do not have permission to publish stories.",
        "consent": "The story cannot be public yet:",
        "publish_at_past": "The date and time to publish must be in the future",
        "paused": "Publishing is paused, so nothing can be published until an administrator resumes it.",
        "not_paused": "Publishing is not paused.",
        "comment_required": "Enter a comment saying what needs to change",
        "reason_required": "Enter the reason for taking the story down",
        "notice_required": "Enter the explanation the public will see on the page",
        "target_required": "Choose the story that replaces this one, or enter the address of a page on this site",
        "target_both": "Choose a story or enter an address, not both",
        "target_invalid": "Enter the address of a page on this site, starting with /, like /stories/another-story/",
        "target_self": "Choose a page other than this story",
        "target_not_live": "Choose a story that is published",
        "revision_missing": "That revision does not exist.",
    }

    def __init__(self, code: str, *, problems: Iterable[str] = (), field: str = "", **params):
        self.code = code
        self.field = field
        self.message = self.messages[code].format(**params)
        self.problems = list(problems)
        super().__init__(" ".join([self.message, *self.problems]))


# --- Helpers ----------------------------------------------------------------------


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


def _require(user, permission: str, code: str) -> None:
    if not (user and user.has_perm(permission)):
        raise StoryError(code)


def _require_status(story: Story, allowed: Iterable[str], action: str) -> None:
    if story.status == Status.TAKEN_DOWN:
        raise StoryError("taken_down")
    if story.status not in allowed:
        raise StoryError("wrong_status", status=story.get_status_display().lower(), action=action)


def public_path(story: Story) -> str:
    """Where the public reads the story: the stable /stories/<slug>/ address."""
    return f"/stories/{story.slug}/"


def _unique_slug(base: str, *, story: Story | None) -> str:
    base = (slugify(base) or "story")[:120].strip("-") or "story"
    candidate, number = base, 2
    while _slug_used(candidate, story=story):
        candidate = f"{base}-{number}"
        number += 1
    return candidate


# Addresses under /stories/ that belong to pages other than stories.
RESERVED_SLUGS = {"feed"}


def _slug_used(slug: str, *, story: Story | None) -> bool:
    if slug in RESERVED_SLUGS:
        return True
    others = Story.objects.filter(slug=slug)
    old = StorySlug.objects.filter(slug=slug)
    if story is not None and story.pk:
        others = others.exclude(pk=story.pk)
        old = old.exclude(story=story)
    return others.exists() or old.exists()


def _tags(names: Iterable[str]) -> list[Tag]:
    """The tags with these names, made on the fly for names not used before."""
    tags = []
    for name in dict.fromkeys(" ".join(name.split()) for name in names):
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name[:50], slug=_tag_slug(name))
        tags.append(tag)
    return tags


def _tag_slug(name: str) -> str:
    base = slugify(name)[:50] or "tag"
    candidate, number = base, 2
    while Tag.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _keep_revision(story: Story, *, actor, note: str) -> StoryRevision:
    number = (story.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    return StoryRevision.objects.create(
        story=story,
        number=number,
        title=story.title,
        summary=story.summary,
        body_source=story.body_source,
        body=story.body,
        hero_image=story.hero_image.name or "",
        hero_image_alt=story.hero_image_alt,
        image_credit=story.image_credit,
        tags=", ".join(tag.name for tag in story.tags.all()),
        created_by=actor,
        note=note[:120],
    )


def _consent_check(story: Story) -> None:
    problems = consent.publication_problems(story)
    if problems:
        raise StoryError("consent", problems=problems)


def _clear_approval(story: Story) -> None:
    story.approved_by = None
    story.approved_at = None
    story.publish_at = None
    story.held_by_pause = False


# --- Writing ----------------------------------------------------------------------


def story_create(*, actor, nominations: Iterable, title: str) -> Story:
    """Start a draft story from one or more approved nominations; their words stay as written."""
    from nominations.models import Nomination

    nominations = list(nominations)
    if not nominations:
        raise StoryError("no_nominations", field="nominations")
    for nomination in nominations:
        if nomination.status != Nomination.Status.APPROVED:
            raise StoryError(
                "nomination_not_approved", field="nominations", reference=nomination.reference
            )
    title = " ".join((title or "").split())
    if not title:
        raise StoryError("title_required", field="title")
    with transaction.atomic():
        now = timezone.now()
        story = Story.objects.create(
            title=title,
            slug=_unique_slug(title, story=None),
            summary="",
            body_source="",
            body="",
            author=actor,
            area=nominations[0].area,
            created_at=now,
            updated_at=now,
        )
        story.nominations.set(nominations)
        references = [nomination.reference for nomination in nominations]
        _keep_revision(story, actor=actor, note=f"Started from {', '.join(references)}")
        audit_log(
            actor=actor,
            action="stories.story.created",
            obj=story,
            data={"nominations": references},
        )
    return story


@dataclass
class SaveResult:
    story: Story
    revision: StoryRevision
    # Set when saving sent an approved or scheduled story back for review.
    needs_approval_again: bool = False
    changed: list[str] = field(default_factory=list)


def story_save(
    *,
    story: Story,
    actor,
    title: str,
    summary: str,
    body_source: str,
    slug: str = "",
    hero_image_alt: str = "",
    image_credit: str = "",
    image_shows_nominee: bool = True,
    tags: Iterable[str] = (),
    area=None,
    image: CleanImage | None = None,
    remove_image: bool = False,
    keep_image_name: str | None = None,
    note: str = "Saved",
) -> SaveResult:
    """Save the public words of a story and keep the new version as a revision.

    An approved or scheduled story that changes goes back for review, since what
    was approved is no longer what would be published. A published story's
    corrections go live at once, so only someone who may publish can make them,
    and only while consent allows what it then says.
    """
    title = " ".join((title or "").split())
    if not title:
        raise StoryError("title_required", field="title")
    slug = (slug or "").strip().lower()
    if slug and slug != slugify(slug):
        raise StoryError("slug_invalid", field="slug")
    with transaction.atomic():
        story = _locked(story)
        _require_status(
            story,
            [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED],
            "changed",
        )
        if story.status == Status.PUBLISHED:
            _require(actor, PUBLISH, "cannot_publish")
        before = _snapshot(story)

        new_slug = slug or (story.slug if story.published_at else _unique_slug(title, story=story))
        if new_slug != story.slug:
            if _slug_used(new_slug, story=story):
                raise StoryError("slug_taken", field="slug", slug=new_slug)
            if story.published_at:
                # People and the newspaper have the old address: keep it leading here.
                StorySlug.objects.get_or_create(story=story, slug=story.slug)
            StorySlug.objects.filter(story=story, slug=new_slug).delete()
            story.slug = new_slug

        story.title = title
        story.summary = " ".join((summary or "").split())
        story.body_source = (body_source or "").replace("\r\n", "\n").strip()
        story.body = html.render(story.body_source)
        story.hero_image_alt = " ".join((hero_image_alt or "").split())
        story.image_credit = " ".join((image_credit or "").split())
        story.image_shows_nominee = bool(image_shows_nominee)
        story.area = area
        has_image = image is not None or (
            not remove_image and bool(keep_image_name or story.hero_image)
        )
        if has_image and not story.hero_image_alt:
            raise StoryError("alt_required", field="hero_image_alt")
        if image is not None:
            # Earlier images stay in storage: revisions point at them.
            story.hero_image.save(image.file.name, image.file, save=False)
        elif remove_image:
            story.hero_image = ""
        elif keep_image_name is not None:
            story.hero_image.name = keep_image_name

        needs_approval_again = story.status in (Status.APPROVED, Status.SCHEDULED)
        if needs_approval_again:
            story.status = Status.IN_REVIEW
            _clear_approval(story)
        now = timezone.now()
        story.updated_at = now
        if story.status == Status.PUBLISHED:
            story.public_updated_at = now
        story.save(update_fields=[*EDITED_FIELDS, *REVIEW_FIELDS, "public_updated_at"])
        story.tags.set(_tags(tags))
        if story.status == Status.PUBLISHED:
            # Checked after the change, inside the transaction: refused, nothing is kept.
            _consent_check(story)
        after = _snapshot(story)
        changed = [name for name in after if before.get(name) != after.get(name)]
        revision = _keep_revision(story, actor=actor, note=note)
        audit_log(
            actor=actor,
            action="stories.story.saved",
            obj=story,
            data={
                "revision": revision.number,
                "changed": changed,
                **({"back_to_review": True} if needs_approval_again else {}),
            },
        )
    return SaveResult(
        story=story,
        revision=revision,
        needs_approval_again=needs_approval_again,
        changed=changed,
    )


def _snapshot(story: Story) -> dict:
    return {
        "title": story.title,
        "slug": story.slug,
        "summary": story.summary,
        "body": story.body_source,
        "hero_image": story.hero_image.name or "",
        "hero_image_alt": story.hero_image_alt,
        "image_credit": story.image_credit,
        "image_shows_nominee": story.image_shows_nominee,
        "area": story.area_id,
        "tags": sorted(story.tags.values_list("name", flat=True)) if story.pk else [],
    }


def story_restore_revision(*, story: Story, number: int, actor) -> SaveResult:
    """Put an earlier revision's words back; the restore is itself a new revision."""
    revision = StoryRevision.objects.filter(story=story, number=number).first()
    if revision is None:
        raise StoryError("revision_missing")
    return story_save(
        story=story,
        actor=actor,
        title=revision.title,
        summary=revision.summary,
        body_source=revision.body_source,
        slug=story.slug,
        hero_image_alt=revision.hero_image_alt,
        image_credit=revision.image_credit,
        image_shows_nominee=story.image_shows_nominee,
        tags=[name.strip() for name in revision.tags.split(",")],
        area=story.area,
        remove_image=not revision.hero_image,
        keep_image_name=revision.hero_image or None,
        note=f"Restored revision {revision.number}",
    )


# --- Review -----------------------------------------------------------------------


def story_submit(*, story: Story, actor) -> Story:
    """Send a draft for review by a colleague; it must be complete first."""
    with transaction.atomic():
        story = _locked(story)
        _require_status(story, [Status.DRAFT], "sent for review")
        problems = []
        if not story.summary.strip():
            problems.append("Enter a summary")
        if not story.body_source.strip():
            problems.append("Write the story")
        if story.hero_image and not story.hero_image_alt.strip():
            problems.append("Describe the image for people who cannot see it")
        if problems:
            raise StoryError("incomplete", problems=problems)
        story.status = Status.IN_REVIEW
        story.submitted_at = timezone.now()
        story.save(update_fields=["status", "submitted_at"])
        audit_log(actor=actor, action="stories.story.submitted", obj=story)
    return story


def may_approve(user, story: Story, *, council: CouncilSettings | None = None) -> bool:
    """Whether this person may approve this story (the author only if the council allows it)."""
    if not user.has_perm(APPROVE):
        return False
    if story.author_id == user.pk:
        council = council or CouncilSettings.load()
        return council.stories_self_approval
    return True


def story_approve(*, story: Story, actor) -> Story:
    """Approve a story in review, so it can be published or scheduled."""
    with transaction.atomic():
        story = _locked(story)
        _require(actor, APPROVE, "cannot_approve")
        _require_status(story, [Status.IN_REVIEW], "approved")
        if story.author_id == actor.pk and not CouncilSettings.load().stories_self_approval:
            raise StoryError("own_story")
        story.status = Status.APPROVED
        story.approved_by, story.approved_at = actor, timezone.now()
        story.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log(actor=actor, action="stories.story.approved", obj=story)
    return story


def story_return_to_draft(*, story: Story, actor, comment: str) -> Story:
    """Send a story back to its writer with a comment saying what needs to change."""
    comment = (comment or "").strip()
    if not comment:
        raise StoryError("comment_required", field="comment")
    with transaction.atomic():
        story = _locked(story)
        _require_status(
            story, [Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED], "returned to draft"
        )
        was = story.status
        story.status = Status.DRAFT
        _clear_approval(story)
        story.save(update_fields=REVIEW_FIELDS)
        audit_log(
            actor=actor,
            action="stories.story.returned",
            obj=story,
            data={"comment": comment, "was": was},
        )
    return story


# --- Publishing -------------------------------------------------------------------


def _go_live(story: Story, *, actor, now: datetime, how: str) -> None:
    """Publish a locked story now, if consent allows everything in it."""
    _consent_check(story)
    story.status = Status.PUBLISHED
    story.published_at = story.published_at or now
    story.public_updated_at = now
    story.publish_at = None
    story.held_by_pause = False
    story.save(
        update_fields=["status", "published_at", "public_updated_at", "publish_at", "held_by_pause"]
    )
    audit_log(actor=actor, action="stories.story.published", obj=story, data={"how": how})


def story_publish(*, story: Story, actor, publish_at: datetime | None = None) -> Story:
    """Publish an approved story now, or schedule it for a date and time.

    Refused, with every reason listed, while consent does not allow what the story
    says or shows; and publishing now is refused while publishing is paused.
    """
    with transaction.atomic():
        story = _locked(story)
        _require(actor, PUBLISH, "cannot_publish")
        _require_status(story, [Status.APPROVED, Status.SCHEDULED], "published")
        now = timezone.now()
        if publish_at is not None:
            if publish_at <= now:
                raise StoryError("publish_at_past", field="publish_at")
            _consent_check(story)
            story.status = Status.SCHEDULED
            story.publish_at = publish_at
            story.held_by_pause = False
            story.save(update_fields=["status", "publish_at", "held_by_pause"])
            audit_log(
                actor=actor,
                action="stories.story.scheduled",
                obj=story,
                data={"publish_at": publish_at.isoformat()},
            )
            return story
        if _paused_now():
            raise StoryError("paused")
        _go_live(story, actor=actor, now=now, how="now")
    return story


def story_unschedule(*, story: Story, actor) -> Story:
    """Take a story off the schedule; it stays approved."""
    with transaction.atomic():
        story = _locked(story)
        _require(actor, PUBLISH, "cannot_publish")
        _require_status(story, [Status.SCHEDULED], "taken off the schedule")
        story.status = Status.APPROVED
        story.publish_at = None
        story.held_by_pause = False
        story.save(update_fields=["status", "publish_at", "held_by_pause"])
        audit_log(actor=actor, action="stories.story.unscheduled", obj=story)
    return story


def _paused_now() -> bool:
    """Whether publishing is paused, holding the council's row so a pause cannot slip in between."""
    CouncilSettings.load()
    CouncilSettings.objects.select_for_update().filter(pk=1).first()
    return publishing_paused() is not None


@dataclass
class DueResult:
    published: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    refused: dict[int, list[str]] = field(default_factory=dict)


def stories_publish_due(*, now: datetime | None = None) -> DueResult:
    """Publish every scheduled story whose time has come (Celery beat runs this every minute).

    While publishing is paused, a story that comes due is marked as held and stays
    scheduled: it goes out only when staff confirm it after the pause. A story that
    consent no longer allows goes back to approved, with the reasons in its history.
    """
    now = now or timezone.now()
    result = DueResult()
    due = Story.objects.filter(
        status=Status.SCHEDULED, publish_at__lte=now, held_by_pause=False
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            story = (
                Story.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.SCHEDULED, publish_at__lte=now, held_by_pause=False)
                .first()
            )
            if story is None:
                continue  # published, changed or being handled by another worker meanwhile
            if _paused_now():
                story.held_by_pause = True
                story.save(update_fields=["held_by_pause"])
                audit_log(actor=None, action="stories.story.held", obj=story)
                result.held.append(story.pk)
                continue
            try:
                with transaction.atomic():
                    _go_live(story, actor=None, now=now, how="schedule")
            except StoryError as error:
                story.status = Status.APPROVED
                story.publish_at = None
                story.save(update_fields=["status", "publish_at"])
                audit_log(
                    actor=None,
                    action="stories.story.schedule_refused",
                    obj=story,
                    data={"problems": error.problems},
                )
                result.refused[story.pk] = error.problems
            else:
                result.published.append(story.pk)
    return result


def story_release_held(*, story: Story, actor) -> Story:
    """Publish a story that the pause held back, now that staff confirm it."""
    with transaction.atomic():
        story = _locked(story)
        _require(actor, PUBLISH, "cannot_publish")
        if not (story.status == Status.SCHEDULED and story.held_by_pause):
            raise StoryError(
                "wrong_status", status=story.get_status_display().lower(), action="released"
            )
        if _paused_now():
            raise StoryError("paused")
        _go_live(story, actor=actor, now=timezone.now(), how="confirmed after the pause")
    return story


def stories_release_held(*, actor) -> tuple[list[Story], dict[Story, StoryError]]:
    """Publish every held story; each is checked on its own, so one refusal stops none of the others."""
    _require(actor, PUBLISH, "cannot_publish")
    if publishing_paused() is not None:
        raise StoryError("paused")
    published, refused = [], {}
    for story in Story.objects.filter(status=Status.SCHEDULED, held_by_pause=True).order_by(
        "publish_at", "pk"
    ):
        try:
            published.append(story_release_held(story=story, actor=actor))
        except StoryError as error:
            refused[story] = error
    return published, refused


# --- Taking down ------------------------------------------------------------------


def _local_path(value: str, *, story: Story) -> str:
    """A path on this site that resolves to a page: never another site (no open redirect)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or parts.scheme
        or parts.netloc
        or any(ord(char) < 33 for char in value)
    ):
        raise StoryError("target_invalid", field="superseded_path")
    try:
        resolve(parts.path)
    except Resolver404:
        raise StoryError("target_invalid", field="superseded_path") from None
    if parts.path in {
        public_path(story),
        *(f"/stories/{old.slug}/" for old in story.old_slugs.all()),
    }:
        raise StoryError("target_self", field="superseded_path")
    return value


def story_take_down(
    *,
    story: Story,
    actor,
    kind: str,
    reason: str,
    notice: str = "",
    superseded_by_story: Story | None = None,
    superseded_path: str = "",
) -> Story:
    """Take a published story down in one of three ways, saying why.

    In error: the page answers 410 Gone. Superseded: it answers 301 to a chosen page
    on this site. Withdrawn: the page stays with a dated notice and an explanation.
    """
    reason = (reason or "").strip()
    notice = (notice or "").strip()
    with transaction.atomic():
        story = _locked(story)
        _require(actor, PUBLISH, "cannot_publish")
        _require_status(story, [Status.PUBLISHED], "taken down")
        if kind not in Story.Takedown.values:
            raise StoryError("reason_required", field="kind")
        if not reason:
            raise StoryError("reason_required", field="reason")
        target = ""
        if kind == Story.Takedown.SUPERSEDED:
            if superseded_by_story is not None and superseded_path.strip():
                raise StoryError("target_both", field="superseded_story")
            if superseded_by_story is not None:
                if superseded_by_story.pk == story.pk:
                    raise StoryError("target_self", field="superseded_story")
                if superseded_by_story.status != Status.PUBLISHED:
                    raise StoryError("target_not_live", field="superseded_story")
                target = public_path(superseded_by_story)
            elif superseded_path.strip():
                target = _local_path(superseded_path, story=story)
            else:
                raise StoryError("target_required", field="superseded_story")
        if kind == Story.Takedown.WITHDRAWN and not notice:
            raise StoryError("notice_required", field="notice")
        now = timezone.now()
        story.status = Status.TAKEN_DOWN
        story.takedown_kind = kind
        story.takedown_reason = reason
        story.takedown_notice = notice if kind == Story.Takedown.WITHDRAWN else ""
        story.superseded_by = target
        story.taken_down_at, story.taken_down_by = now, actor
        story.public_updated_at = now
        story.save(
            update_fields=[
                "status",
                "takedown_kind",
                "takedown_reason",
                "takedown_notice",
                "superseded_by",
                "taken_down_at",
                "taken_down_by",
                "public_updated_at",
            ]
        )
        audit_log(
            actor=actor,
            action="stories.story.taken_down",
            obj=story,
            data={"kind": kind, "reason": reason, **({"to": target} if target else {})},
        )
        story_taken_down.send(sender=Story, story_id=story.pk)
    return story
