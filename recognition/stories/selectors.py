"""What the public may read of the stories, and how to find them.

Every read here applies the consent rules of recognition/stories/consent.py to the
consent in force, so a story stops showing a person the moment their consent no
longer allows it, whatever state the story itself is in. The people behind a batch
of stories and their consent are fetched in two queries however many stories or
people there are (see `people_by_story`). A story's page and the feed are kept in
the cache only until anything they depend on changes (see `story_public`).
"""

import logging
import mimetypes
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from council.models import Area
from nominations.selectors import nominees_consent
from recognition.stories import html
from recognition.stories.consent import Person, press_problems, publication_problems
from recognition.stories.models import Story, StorySlug, Tag

PAGE_SIZE = 10
FEED_SIZE = 20

Status = Story.Status
Takedown = Story.Takedown


# --- Addresses ------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """The address on the public site (SITE_URL), whatever host the request came in on."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def story_path(story: Story) -> str:
    return reverse("stories:story", args=[story.slug])


def press_pack_path(story: Story) -> str:
    return reverse("stories:press_pack", args=[story.slug])


# --- Consent --------------------------------------------------------------------------


def people_by_story(stories) -> dict[int, list[Person]]:
    """The people behind each story and what they agreed to, in two queries for them all.

    The same people, in the same order, as consent.people_in gives for one story:
    each nominee once, in the order their nominations came in.
    """
    ids = [story.pk for story in stories]
    if not ids:
        return {}
    links = (
        Story.nominations.through.objects.filter(story_id__in=ids)
        .select_related("nomination__nominee")
        .order_by("nomination__created_at", "nomination__pk")
    )
    nominees_by_story: dict[int, dict] = {pk: {} for pk in ids}
    every_nominee = {}
    for link in links:
        nominee = link.nomination.nominee
        nominees_by_story[link.story_id].setdefault(nominee.pk, nominee)
        every_nominee[nominee.pk] = nominee
    return _with_consent(nominees_by_story, every_nominee)


def _with_consent(
    nominees_by_story: dict[int, dict], every_nominee: dict
) -> dict[int, list[Person]]:
    """Story id → its people, with the consent of all of them read in one query."""
    consents = nominees_consent(every_nominee.values()) if every_nominee else {}
    return {
        story_id: [
            Person(
                nominee_id=nominee.pk,
                name=nominee.name,
                consent=consents[nominee.pk],
                shown_as=consents[nominee.pk].display_name(nominee),
            )
            for nominee in nominees.values()
        ]
        for story_id, nominees in nominees_by_story.items()
    }


def _allowed(stories) -> list[Story]:
    """The stories whose words and image consent allows the public to see right now."""
    stories = list(stories)
    people = people_by_story(stories)
    return [story for story in stories if not publication_problems(story, people=people[story.pk])]


# --- The list and the feed --------------------------------------------------------------


def _published() -> QuerySet[Story]:
    return (
        Story.objects.filter(status=Status.PUBLISHED)
        .select_related("area")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class ListedStory:
    story: Story
    path: str
    image: "StoryImage | None"


def stories_page(*, area: Area | None = None, tag: Tag | None = None, page=None) -> Page:
    """A page of published stories, newest first, in a ward and under a tag if given.

    The page is counted before consent is checked: a story whose consent has just
    gone (the receiver takes it down in the same request, so this is a safety net)
    is left out of its page rather than moving every later story along.
    """
    stories = _published()
    if area is not None:
        stories = stories.filter(area=area)
    if tag is not None:
        stories = stories.filter(tags=tag)
    result = Paginator(stories, PAGE_SIZE).get_page(page)
    result.object_list = [
        ListedStory(story=story, path=story_path(story), image=story_image(story))
        for story in _allowed(result.object_list)
    ]
    return result


def stories_for_feed() -> list[Story]:
    """The newest published stories that consent allows, for the Atom feed."""
    return _allowed(_published()[:FEED_SIZE])


def filter_choices() -> tuple[QuerySet[Area], QuerySet[Tag]]:
    """The wards and the subjects offered as filters on /stories/."""
    return Area.objects.filter(active=True).order_by("name"), Tag.objects.order_by("name")


# --- One story ------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryLookup:
    """What an address under /stories/<slug>/ leads to: a story, and whether that was its old address."""

    story: Story | None = None
    # The slug was one the story had before: the page answers with a 301 to the current one.
    moved: bool = False


# States whose page the public can reach (answered with the page, 410 or 301).
PUBLIC_STATES = [Status.PUBLISHED, Status.TAKEN_DOWN]


def story_find(*, slug: str) -> StoryLookup:
    """The story at this address, or the story that had this address before."""
    story = (
        Story.objects.filter(slug=slug, status__in=PUBLIC_STATES)
        .select_related("area")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .first()
    )
    if story is not None:
        return StoryLookup(story=story)
    old = (
        StorySlug.objects.filter(slug=slug, story__status__in=PUBLIC_STATES)
        .select_related("story")
        .first()
    )
    if old is not None and old.story.slug != slug:
        return StoryLookup(story=old.story, moved=True)
    return StoryLookup()


def superseded_target(story: Story) -> str | None:
    """Where a superseded story now points, only ever a path on this site (never another site)."""
    target = (story.superseded_by or "").strip()
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or not url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return None
    return target


@dataclass(frozen=True)
class StoryImage:
    url: str
    absolute_url: str
    alt: str
    credit: str
    mime_type: str
    name: str


def story_image(story: Story) -> StoryImage | None:
    """The hero image with its description and credit, or None when the story has none."""
    if not story.hero_image:
        return None
    url = story.hero_image.url
    return StoryImage(
        url=url,
        absolute_url=absolute_url(url),
        alt=story.hero_image_alt,
        credit=story.image_credit,
        mime_type=mimetypes.guess_type(story.hero_image.name)[0] or "application/octet-stream",
        name=story.hero_image.name,
    )


def image_length(story: Story) -> int | None:
    """The image file's size in bytes, or None when the storage cannot say."""
    try:
        return story.hero_image.size
    except (OSError, ValueError):
        return None


def story_body(story: Story) -> SafeString:
    """The story's words as HTML, sanitised again here: whatever is stored, only safe HTML leaves."""
    return mark_safe(html.sanitise(story.body or ""))  # noqa: S308 (just sanitised by nh3)


def story_figure(image: StoryImage | None) -> SafeString:
    """The image and its credit as HTML, for the feed and the press pack (values escaped)."""
    if image is None:
        return mark_safe("")
    if image.credit:
        return format_html(
            '<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>',
            image.absolute_url,
            image.alt,
            image.credit,
        )
    return format_html('<figure><img src="{}" alt="{}"></figure>', image.absolute_url, image.alt)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


WITHDRAWN_TITLE = "This story has been withdrawn"
UNAVAILABLE_TITLE = "This story is no longer available"


def story_page_context(story: Story, *, request, preview: bool = False) -> dict:
    """Everything templates/stories/story.html needs, with consent checked now.

    `preview` is for staff: it shows a story in any state with a "Preview — not
    published" banner and the reasons, if any, the public could not see it; what
    consent allows is applied exactly as on the public page.
    """
    people = people_by_story([story])[story.pk]
    problems = publication_problems(story, people=people)
    available = not problems
    withdrawn = story.status == Status.TAKEN_DOWN and story.takedown_kind == Takedown.WITHDRAWN
    image = story_image(story) if available else None
    path = story_path(story)
    press_pack = (
        press_pack_path(story)
        if available
        and not preview
        and story.status == Status.PUBLISHED
        and not press_problems(story, people=people)
        else ""
    )
    return {
        "story": story if available else None,
        "preview": preview,
        # For staff in the preview only: in words for them, with the real names.
        "problems": problems if preview else [],
        "available": available,
        "withdrawn": withdrawn,
        "taken_down_at": story.taken_down_at if withdrawn else None,
        "notice": story.takedown_notice if withdrawn else "",
        "page_title": story.title
        if available
        else (WITHDRAWN_TITLE if withdrawn else UNAVAILABLE_TITLE),
        "body": story_body(story) if available else "",
        "image": image,
        "tags": [(tag, f"{reverse('stories:list')}?tag={tag.slug}") for tag in story.tags.all()]
        if available
        else [],
        "area": story.area if available else None,
        "published_at": story.published_at if available else None,
        "published_iso": _iso(story.published_at) if available else "",
        "modified_iso": _iso(story.public_updated_at) if available else "",
        "canonical_url": absolute_url(path),
        "press_pack_url": press_pack,
        # Search engines should drop a page whose story is hidden or not yet public.
        "noindex": preview or not available or withdrawn,
    }


# --- What the public gets, cached until anything changes ----------------------------------
#
# A story's public page and the feed are worked out once (the story, its people and
# their consent, its sanitised words) and kept under a version that changes with
# anything they depend on, so every view still answers from the consent in force.
# receivers.py calls stories_changed() whenever a nominee changes (consent, a merge,
# approval) or a story, its tags, its addresses, a ward, a nominee or a consent record
# is saved: at once, and again after the commit, so a page worked out from the old
# data in between is never kept under the new version. The version has two halves,
# so every web process sees a change at once:
# - a generation in the cache, shared by all machines when the cache is Redis;
# - a stamp file in PROUD_VAR_DIR, shared by every process on this machine, for the
#   per-process cache of a single-machine install (no Redis).
# Nothing is kept longer than PAGE_CACHE_SECONDS, in the shared cache or in a process's
# own copy (story_public).

PAGE_CACHE_SECONDS = 60
GENERATION_KEY = "stories:generation:v1"
STAMP_FILE = "stories-changed"

logger = logging.getLogger(__name__)


def _stamp_path() -> Path:
    return Path(settings.VAR_DIR) / "cache" / STAMP_FILE


def _renew() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    path = _stamp_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it and moved into place, so a reader never sees half a stamp.
        partial = path.with_name(f"{STAMP_FILE}.{uuid.uuid4().hex}")
        partial.write_text(uuid.uuid4().hex, encoding="ascii")
        os.replace(partial, path)
    except OSError:
        # Never fails the change itself; the shared cache and the time limit still hold.
        logger.warning("Could not renew %s: cached story pages wait for the cache", path)


def stories_changed() -> None:
    """Retire every cached public story page and feed: now, and again once the change is committed."""
    _renew()
    transaction.on_commit(_renew)


def public_version() -> str:
    """Changes whenever something a public story page or the feed shows may have changed."""
    try:
        stamp = _stamp_path().read_text(encoding="ascii")
    except OSError:
        stamp = "none"
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # The shared cache was emptied (or restarted): a new generation, so nothing
        # worked out before can be mistaken for current.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY, "none")
    return f"{stamp}.{generation}"


@dataclass(frozen=True)
class PublicAnswer:
    """What /stories/<slug>/ answers: "page" (with its context), "moved" (301), "gone" (410) or
    "missing" (404)."""

    kind: str
    location: str = ""
    context: dict | None = None


def _public_answer(slug: str) -> PublicAnswer:
    found = story_find(slug=slug)
    story = found.story
    if story is None:
        return PublicAnswer("missing")
    if found.moved:
        return PublicAnswer("moved", location=story_path(story))
    if story.status == Status.TAKEN_DOWN:
        if story.takedown_kind == Takedown.SUPERSEDED:
            target = superseded_target(story)
            return PublicAnswer("moved", location=target) if target else PublicAnswer("gone")
        if story.takedown_kind != Takedown.WITHDRAWN:
            return PublicAnswer("gone")
    context = story_page_context(story, request=None)
    # Kept as plain text: the page's own parts rendered now, so a cached view only lays them
    # into the site's layout (which depends on who is looking, so is rendered each time).
    return PublicAnswer(
        "page",
        context={
            "page_title": context["page_title"],
            "available": context["available"],
            "withdrawn": context["withdrawn"],
            "head_html": render_to_string("stories/_story_head.html", context),
            "content_html": render_to_string("stories/_story_content.html", context),
        },
    )


# Each process also keeps the answers it has read, under the same versioned keys, so a
# view reads only the version from the shared cache. A key names the version its answer
# was made under, so a change is seen at once; a copy is dropped after PAGE_CACHE_SECONDS.
_LOCAL_ANSWERS: dict[str, tuple[float, PublicAnswer]] = {}
_LOCAL_ANSWERS_MAX = 200


def _local_answer(key: str) -> PublicAnswer | None:
    kept = _LOCAL_ANSWERS.get(key)
    return kept[1] if kept is not None and kept[0] > time.monotonic() else None


def _keep_local_answer(key: str, answer: PublicAnswer) -> None:
    if len(_LOCAL_ANSWERS) >= _LOCAL_ANSWERS_MAX:
        _LOCAL_ANSWERS.clear()  # old versions' answers, mostly: start again
    _LOCAL_ANSWERS[key] = (time.monotonic() + PAGE_CACHE_SECONDS, answer)


def story_public(*, slug: str) -> PublicAnswer:
    """The public answer for /stories/<slug>/: from the cache while nothing has changed."""
    key = f"stories:public:v1:{public_version()}:{slug}"
    answer = _local_answer(key)
    if answer is not None:
        return answer
    answer = cache.get(key)
    if answer is None:
        answer = _public_answer(slug)
        if answer.kind != "missing":  # made-up addresses would only crowd the cache
            cache.set(key, answer, PAGE_CACHE_SECONDS)
    if answer.kind != "missing":
        _keep_local_answer(key, answer)
    return answer


def feed_cached(make):
    """The feed's bytes (from `make()`), kept under the same version as the story pages."""
    key = f"stories:feed:v1:{public_version()}"
    body = cache.get(key)
    if body is None:
        body = make()
        cache.set(key, body, PAGE_CACHE_SECONDS)
    return body


def story_press_pack(story: Story) -> dict | None:
    """What goes into the press pack, or None when not everyone in it agreed to the press."""
    if story.status != Status.PUBLISHED:
        return None
    people = people_by_story([story])[story.pk]
    if press_problems(story, people=people):
        return None
    image = story_image(story)
    return {
        "story": story,
        "body": story_body(story),
        "image": image,
        "figure": story_figure(image),
        "url": absolute_url(story_path(story)),
        "tags": [tag.name for tag in story.tags.all()],
    }


def story_links(nominee_ids) -> dict[int, tuple[str, str]]:
    """Nominee id → (title, address) of the newest live story about them that consent allows.

    Two queries whatever the number of ids: the stories about these nominees come
    with every person in them (a story about two people needs both to agree), then
    the consent of all those people at once.
    """
    nominee_ids = list(nominee_ids)
    if not nominee_ids:
        return {}
    about = Story.nominations.through.objects.filter(
        story__status=Status.PUBLISHED, nomination__nominee_id__in=nominee_ids
    ).values("story_id")
    links = (
        Story.nominations.through.objects.filter(story_id__in=about)
        .select_related("story", "nomination__nominee")
        .order_by("nomination__created_at", "nomination__pk")
    )
    stories: dict[int, Story] = {}
    nominees_by_story: dict[int, dict] = {}
    every_nominee = {}
    for link in links:
        nominee = link.nomination.nominee
        stories.setdefault(link.story_id, link.story)
        nominees_by_story.setdefault(link.story_id, {}).setdefault(nominee.pk, nominee)
        every_nominee[nominee.pk] = nominee
    if not stories:
        return {}
    people = _with_consent(nominees_by_story, every_nominee)
    wanted = set(nominee_ids)
    found: dict[int, tuple[str, str]] = {}
    newest_first = sorted(
        stories.values(),
        key=lambda s: (s.published_at.timestamp() if s.published_at else 0, s.pk),
        reverse=True,
    )
    for story in newest_first:
        if publication_problems(story, people=people[story.pk]):
            continue
        for person in people[story.pk]:
            if person.nominee_id in wanted and person.nominee_id not in found:
                found[person.nominee_id] = (story.title, story_path(story))
    return found
