"""Set-up shared by the staff-side story tests: two comms colleagues and stories made
through the workflow services, in any state."""

import pytest

from council.roles import Role
from recognition.stories.models import Story
from recognition.stories.services import workflow
from tests.council.factories import StaffFactory
from tests.stories.factories import approved_nomination

BODY = "Maureen does the shopping for six neighbours.\n\nShe knocks on every door each morning."


@pytest.fixture
def writer(db):
    return StaffFactory(email="writer@example.org", roles=[Role.COMMS], authenticator=True)


@pytest.fixture
def colleague(db):
    return StaffFactory(email="colleague@example.org", roles=[Role.COMMS], authenticator=True)


@pytest.fixture
def nomination(db):
    return approved_nomination(name="Maureen Clarke")


def write(story: Story, actor, **changes) -> Story:
    """Save the story's words through the service, changing only what is given."""
    fields = {
        "title": story.title,
        "summary": story.summary,
        "body_source": story.body_source,
        "slug": story.slug,
        "hero_image_alt": story.hero_image_alt,
        "image_credit": story.image_credit,
        "image_shows_nominee": story.image_shows_nominee,
        "tags": [tag.name for tag in story.tags.all()],
        "area": story.area,
    }
    return workflow.story_save(story=story, actor=actor, **(fields | changes)).story


def story_in(state: str, *, writer, colleague, nominations) -> Story:
    """A story taken to `state` the way staff would: written, sent, approved, published."""
    story = workflow.story_create(
        actor=writer, nominations=nominations, title="Maureen's shopping round"
    )
    story = write(
        story,
        writer,
        summary="Maureen Clarke shops for six housebound neighbours.",
        body_source=BODY,
        slug="",
    )
    if state == "draft":
        return story
    workflow.story_submit(story=story, actor=writer)
    if state == "in_review":
        return Story.objects.get(pk=story.pk)
    workflow.story_approve(story=story, actor=colleague)
    if state == "approved":
        return Story.objects.get(pk=story.pk)
    workflow.story_publish(story=story, actor=colleague)
    return Story.objects.get(pk=story.pk)
