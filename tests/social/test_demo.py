"""The demo: console and in-memory channels, and posts in several states about the demo stories."""

import pytest

from council.roles import Role
from recognition.social import demo
from recognition.social.models import Channel, SocialPost
from tests.council.factories import StaffFactory
from tests.social.factories import approved_nomination, published_story

pytestmark = pytest.mark.django_db


def test_without_stories_only_the_channels_are_made():
    demo.load()
    demo.load()
    assert sorted(Channel.objects.values_list("kind", flat=True)) == ["console", "memory"]
    assert not SocialPost.objects.exists()


def test_with_published_stories_there_are_posts_in_several_states():
    StaffFactory(email="comms@example.org", roles=[Role.COMMS])
    nomination = approved_nomination()
    for title in ("First story", "Second story"):
        published_story(nominations=[nomination], title=title)
    demo.load()
    states = sorted(post.state for post in SocialPost.objects.all())
    assert states == ["draft", "draft", "scheduled", "sent"]
    demo.load()  # again: nothing doubled
    assert SocialPost.objects.count() == 4
