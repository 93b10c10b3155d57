"""Shared steps for the channel tests: a story with a scheduled post, sent by the beat job."""

from django.utils import timezone

from recognition.social import services
from recognition.social.models import SocialPost


def scheduled_post(story, comms, *, text: str | None = None) -> SocialPost:
    (post,) = services.posts_draft_for_story(story=story, actor=comms)
    if text is not None:
        services.post_edit(
            post=post,
            actor=comms,
            text=text,
            image_alt=post.image_alt,
            image_shows_nominee=post.image_shows_nominee,
        )
    services.post_approve(post=post, actor=comms)
    return services.post_schedule(post=post, actor=comms, when=timezone.now())


def beat(now=None) -> SocialPost | None:
    """One run of the beat job, as Celery beat runs it every minute."""
    services.posts_send_due(now=now)
