"""Every save of a story is kept with who and when; any two can be compared, and any one restored."""

import re

import pytest

from recognition.stories.diff import word_diff
from recognition.stories.models import Story, StoryRevision
from recognition.stories.services import workflow
from tests.stories.staff_setup import BODY, story_in, write

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def story(writer, colleague, nomination):
    return story_in("draft", writer=writer, colleague=colleague, nominations=[nomination])


def test_every_save_is_a_revision_with_who_and_when(client, story, writer, colleague):
    write(story, colleague, title="Maureen's round")
    revisions = list(StoryRevision.objects.filter(story=story).order_by("number"))
    assert [(r.number, r.created_by.email, r.note) for r in revisions] == [
        (1, "writer@example.org", f"Started from {story.nominations.get().reference}"),
        (2, "writer@example.org", "Saved"),
        (3, "colleague@example.org", "Saved"),
    ]
    client.force_login(writer)
    page = page_text(client.get(f"/staff/stories/{story.pk}/revisions/"))
    assert "colleague@example.org" in page and "Maureen&#x27;s round" in page
    assert page.count('Restore<span class="govuk-visually-hidden"> revision') == 2


def test_two_revisions_are_compared_word_by_word(client, story, writer):
    write(story, writer, body_source=BODY.replace("six neighbours", "six housebound neighbours"))
    client.force_login(writer)
    page = page_text(client.get(f"/staff/stories/{story.pk}/revisions/compare/", {"a": 3, "b": 2}))
    assert re.search(
        r'<ins class="app-diff__ins"><span class="govuk-visually-hidden">\[added: </span> ?housebound',
        page,
    )
    assert "(unchanged)" in page  # the title did not change


def test_the_comparison_escapes_what_was_typed_and_says_what_was_removed():
    marked = word_diff("Hello <b>old</b> friend", "Hello new friend")
    assert "<b>" not in marked and "&lt;b&gt;old&lt;/b&gt;" in marked
    assert '<span class="govuk-visually-hidden">[removed: </span>' in marked
    assert '<span class="govuk-visually-hidden">[added: </span>new' in marked


def test_an_unknown_revision_to_compare_is_explained(client, story, writer):
    client.force_login(writer)
    page = page_text(client.get(f"/staff/stories/{story.pk}/revisions/compare/", {"a": 1, "b": 9}))
    assert "Select a revision from the list" in page


def test_restoring_a_revision_makes_a_new_one(client, story, writer, colleague):
    write(story, writer, title="A worse title", summary="A worse summary")
    client.force_login(colleague)
    response = client.post(f"/staff/stories/{story.pk}/revisions/2/restore/", follow=True)
    assert "Revision 2 restored as revision 4." in page_text(response)
    story.refresh_from_db()
    assert story.title == "Maureen's shopping round"
    assert story.summary == "Maureen Clarke shops for six housebound neighbours."
    latest = story.revisions.order_by("-number").first()
    assert latest.number == 4 and latest.note == "Restored revision 2"
    assert latest.created_by == colleague


def test_restoring_into_an_approved_story_sends_it_back_for_review(writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    result = workflow.story_restore_revision(story=story, number=1, actor=writer)
    assert result.needs_approval_again
    assert Story.objects.get(pk=story.pk).status == Story.Status.IN_REVIEW


def test_restoring_a_revision_brings_its_picture_back(writer, colleague, nomination):
    import io

    from council.images import image_clean
    from tests.nominations.images import jpeg_bytes

    story = story_in("draft", writer=writer, colleague=colleague, nominations=[nomination])
    story = write(
        story,
        writer,
        image=image_clean(io.BytesIO(jpeg_bytes())),
        hero_image_alt="Maureen with her shopping",
    )
    with_picture = story.hero_image.name
    number = story.revisions.order_by("-number").first().number
    story = write(story, writer, remove_image=True, hero_image_alt="")
    assert not story.hero_image
    workflow.story_restore_revision(story=story, number=number, actor=writer)
    story.refresh_from_db()
    assert story.hero_image.name == with_picture
    assert story.hero_image_alt == "Maureen with her shopping"
