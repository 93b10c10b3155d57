"""Listens to nominations.signals.nominee_changed (sent inside the nominations services'
transactions), and to saves of what a public story page shows, so that no cached page
outlives a change (see selectors.stories_changed)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from council.models import Area, CouncilSettings
from nominations.models import ConsentRecord, Nominee
from nominations.signals import nominee_changed
from recognition.stories.models import Story, StorySlug, Tag
from recognition.stories.selectors import stories_changed
from recognition.stories.services.withdrawal import stories_withdraw_for_consent


@receiver(nominee_changed, dispatch_uid="stories.withdraw_for_consent")
def withdraw_stories_consent_no_longer_allows(sender, *, nominee_ids, **kwargs):
    # Same transaction as the change: the story is down before the response is sent.
    stories_withdraw_for_consent(nominee_ids=nominee_ids)
    stories_changed()


@receiver(post_save, sender=Story, dispatch_uid="stories.changed_on_story_save")
@receiver(post_delete, sender=Story, dispatch_uid="stories.changed_on_story_delete")
@receiver(post_save, sender=StorySlug, dispatch_uid="stories.changed_on_slug_save")
@receiver(post_delete, sender=StorySlug, dispatch_uid="stories.changed_on_slug_delete")
@receiver(post_save, sender=Tag, dispatch_uid="stories.changed_on_tag_save")
@receiver(m2m_changed, sender=Story.tags.through, dispatch_uid="stories.changed_on_tags")
@receiver(
    m2m_changed, sender=Story.nominations.through, dispatch_uid="stories.changed_on_nominations"
)
@receiver(post_save, sender=Area, dispatch_uid="stories.changed_on_area_save")
@receiver(post_save, sender=CouncilSettings, dispatch_uid="stories.changed_on_council_save")
@receiver(post_delete, sender=Nominee, dispatch_uid="stories.changed_on_nominee_delete")
@receiver(post_save, sender=ConsentRecord, dispatch_uid="stories.changed_on_consent_save")
@receiver(post_delete, sender=ConsentRecord, dispatch_uid="stories.changed_on_consent_delete")
def forget_cached_story_pages(sender, **kwargs):
    # Only the cache: the change itself was made (and audited) by a service.
    stories_changed()


@receiver(post_save, sender=Nominee, dispatch_uid="stories.changed_on_nominee_save")
def forget_cached_story_pages_for_nominee(sender, created, **kwargs):
    # A nominee just made (a new nomination) is in no story yet: nothing public changed,
    # and every nomination from the public form would otherwise empty the cache.
    if not created:
        stories_changed()
