"""Reads that carry the rules of social posts: what consent allows, and what goes out when.

Consent is read only through recognition/stories/consent.py and
nominations.selectors, so a withdrawal counts here the moment it is recorded.
A post about a nominee needs their social media consent; there is never a post
about a nominee who has died, and a post about an under-18 needs a parent or
guardian to agree as well (nominee_consent already asks both).
"""

import re
from collections import defaultdict
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from council.outgoing import OutgoingWork
from recognition.social.models import Channel, SocialPost
from recognition.social.text import alt_text_problems, limits_for, text_problems
from recognition.stories.consent import people_in, publication_problems
from recognition.stories.models import Story
from recognition.stories.selectors import absolute_url, story_path

Status = OutgoingWork.Status


def story_link(story: Story) -> str:
    """The story's address on the public site, as a post links to it."""
    return absolute_url(story_path(story))


def _mentions(text: str, word: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE))


def _name_problem(person, text: str) -> str | None:
    """A name the person did not agree to show, if the post's words use it."""
    parts = [part for part in person.name.split() if len(part) > 1]
    if not parts or person.shown_as == person.name:
        return None
    # Not named at all: no part of the name. First name and initial: not the rest of it.
    hidden = parts if person.shown_as is None else parts[1:]
    named = next((part for part in hidden if _mentions(text, part)), None)
    if named is None:
        return None
    if person.shown_as is None:
        return f"{person.label} asked not to be named, but the post says \u201c{named}\u201d."
    return (
        f"{person.label} asked to be shown as \u201c{person.shown_as}\u201d, but the post says "
        f"\u201c{named}\u201d."
    )


def consent_problems(
    story: Story, *, text: str = "", has_image: bool = False, image_shows_nominee: bool = True
) -> list[str]:
    """Every reason consent (or the story itself) rules out a post. Empty means it may go."""
    if story.status != Story.Status.PUBLISHED:
        return ["The story is not published, so there is nothing to link to. Publish it first."]
    people = people_in(story)
    problems = list(publication_problems(story, people=people))
    nominees = {
        nomination.nominee_id: nomination.nominee
        for nomination in story.nominations.select_related("nominee")
    }
    for person in people:
        nominee = nominees.get(person.nominee_id)
        if nominee is not None and nominee.has_died:
            problems.append(
                f"{person.label} has died. The council never posts about a nominee who has "
                "died on social media."
            )
            continue
        if nominee is not None and nominee.is_under_18 and not person.consent.social_media:
            problems.append(
                f"{person.label} is under 18: both they and a parent or guardian must agree to "
                "social media posts."
            )
            continue
        if not person.consent.answered:
            continue  # publication_problems says so
        if not person.consent.social_media:
            problems.append(f"{person.label} has not agreed to social media posts.")
            continue
        if has_image and image_shows_nominee and not person.consent.photo_allowed:
            problems.append(
                f"{person.label} did not agree to a photo being used. Remove the picture, "
                "or say it does not show them."
            )
        named = _name_problem(person, text)
        if named:
            problems.append(named)
    return list(dict.fromkeys(problems))


def post_problems(post: SocialPost) -> list[str]:
    """Every reason the post may not be approved or sent as it is."""
    limits = limits_for(post.channel)
    problems = text_problems(post.text, limits)
    if post.image:
        problems += alt_text_problems(post.image_alt, limits)
    problems += consent_problems(
        post.story,
        text=post.text,
        has_image=bool(post.image),
        image_shows_nominee=post.image_shows_nominee,
    )
    return problems


def stories_to_post() -> QuerySet[Story]:
    """Published stories, newest first, with how many posts each has already."""
    from django.db.models import Count

    return (
        Story.objects.filter(status=Story.Status.PUBLISHED)
        .annotate(post_count=Count("social_posts"))
        .order_by("-published_at", "-pk")
    )


def active_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(active=True).order_by("name")


# What each state means as a filter on the database.
STATE_FILTERS = {
    SocialPost.State.DRAFT: Q(status=Status.HELD, held_by_pause=False, approved_at__isnull=True),
    SocialPost.State.APPROVED: Q(
        status=Status.HELD, held_by_pause=False, approved_at__isnull=False
    ),
    SocialPost.State.HELD: Q(status=Status.HELD, held_by_pause=True),
    SocialPost.State.SCHEDULED: Q(status=Status.QUEUED),
    SocialPost.State.SENDING: Q(status=Status.SENDING),
    SocialPost.State.SENT: Q(status=Status.SENT),
    SocialPost.State.FAILED: Q(status=Status.FAILED),
    SocialPost.State.UNKNOWN: Q(status=Status.UNKNOWN),
}


def posts_list(*, channel: Channel | None = None, state: str = "") -> QuerySet[SocialPost]:
    """Posts not yet sent (or needing a person), soonest first, for the list and calendar."""
    posts = SocialPost.objects.select_related("story", "channel").exclude(status=Status.SENT)
    if channel is not None:
        posts = posts.filter(channel=channel)
    if state:
        posts = posts.filter(STATE_FILTERS[state])
    return posts.order_by("scheduled_for", "created_at", "pk")


def calendar(posts) -> list[tuple[date | None, list[SocialPost]]]:
    """Posts grouped by the day they go out (local time); unscheduled ones last."""
    days: dict[date | None, list[SocialPost]] = defaultdict(list)
    for post in posts:
        when = post.next_attempt_at or post.scheduled_for
        day = timezone.localtime(when).date() if when else None
        days[day].append(post)
    dated = sorted(day for day in days if day is not None)
    return [(day, days[day]) for day in dated] + ([(None, days[None])] if None in days else [])


def posts_history(*, channel: Channel | None = None) -> QuerySet[SocialPost]:
    """What was sent, newest first, with where it is now."""
    posts = SocialPost.objects.select_related("story", "channel").filter(status=Status.SENT)
    if channel is not None:
        posts = posts.filter(channel=channel)
    return posts.order_by("-sent_at", "-pk")


def when_due(post: SocialPost) -> datetime | None:
    return post.next_attempt_at or post.scheduled_for
