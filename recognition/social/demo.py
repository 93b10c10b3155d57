"""Demo social channels (console and in-memory) and a few posts about the demo stories.

Loaded by `load_demo`, after the stories' own demo data. Safe to run again: a
channel or a post that exists is left as it is. Without published stories (the
stories demo not loaded) only the channels are made.
"""

from datetime import timedelta

from django.utils import timezone

from recognition.social import services
from recognition.social.models import Channel, SocialPost
from recognition.stories.models import Story

CHANNELS = [
    ("Console", Channel.Kind.CONSOLE),
    ("In-memory (tests)", Channel.Kind.MEMORY),
]


def load(stdout=None) -> None:
    for name, kind in CHANNELS:
        if not Channel.objects.filter(name=name).exists():
            services.channel_save(channel=Channel(name=name, kind=kind), actor=None)
    stories = list(Story.objects.filter(status=Story.Status.PUBLISHED).order_by("published_at")[:3])
    if not stories or SocialPost.objects.exists():
        return
    # The first story: one post sent on the console, one approved for tomorrow.
    # The second: drafts waiting for approval. The third: left for people to try.
    drafts = services.posts_draft_for_story(story=stories[0], actor=None)
    for post in drafts:
        if not _approve(post):
            continue
        if post.channel.kind == Channel.Kind.CONSOLE:
            services.post_schedule(post=post, actor=None, when=timezone.now())
            services.post_send(post_id=post.pk)
        else:
            services.post_schedule(post=post, actor=None, when=timezone.now() + timedelta(days=1))
    if len(stories) > 1:
        services.posts_draft_for_story(story=stories[1], actor=None)
    if stdout is not None:
        stdout.write(f"Social posts: {SocialPost.objects.count()} about the demo stories.")


def _approve(post: SocialPost) -> bool:
    """Approve as the demo comms account; False when consent (or anything else) does not allow it."""
    from django.contrib.auth import get_user_model

    comms = get_user_model().objects.filter(email="comms@example.org").first()
    if comms is None:
        return False
    try:
        services.post_approve(post=post, actor=comms)
    except services.SocialError:
        return False
    return True
