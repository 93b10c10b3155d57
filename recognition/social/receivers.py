"""Listens to nominations.signals.nominee_changed and stories.signals.story_taken_down
(both sent inside the services' transactions)."""

from django.dispatch import receiver

from nominations.signals import nominee_changed
from recognition.social.services import posts_follow_consent, posts_follow_taken_down_stories
from recognition.stories.signals import story_taken_down


@receiver(nominee_changed, dispatch_uid="social.follow_consent")
def follow_consent(sender, *, nominee_ids, **kwargs):
    # Same transaction as the change: an approved post is unapproved before the
    # response is sent; a sent one is deleted by the worker once it commits.
    posts_follow_consent(nominee_ids=nominee_ids)


@receiver(story_taken_down, dispatch_uid="social.follow_story_take_down")
def follow_story_take_down(sender, *, story_id, **kwargs):
    # Same transaction as the take-down: removal jobs are rows before the worker deletes the posts.
    posts_follow_taken_down_stories(story_id=story_id)
