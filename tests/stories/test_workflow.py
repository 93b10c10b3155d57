"""Comms staff write a story from nominations, a colleague approves it, and it is published
or taken down: each step a permission, each refusal said in words staff can act on."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from council.models import AuditLogEntry, CouncilSettings
from council.roles import Role, role_group
from recognition.stories.models import Story, StoryRevision, StorySlug
from recognition.stories.services import workflow
from recognition.stories.services.workflow import StoryError
from tests.council.factories import StaffFactory
from tests.nominations.images import jpeg_bytes
from tests.stories.factories import approved_nomination
from tests.stories.staff_setup import BODY, story_in, write

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Writing ----------------------------------------------------------------------


def test_a_story_is_started_from_chosen_nominations(client, writer, nomination):
    other = approved_nomination(name="Amir Haddad")
    client.force_login(writer)
    page = page_text(client.get("/staff/stories/new/"))
    assert "Maureen Clarke" in page and "Amir Haddad" in page

    found = page_text(client.get("/staff/stories/new/", {"q": "Haddad"}))
    assert "Amir Haddad" in found and "Maureen Clarke" not in found

    response = client.post(
        "/staff/stories/new/",
        {"nominations": [nomination.pk, other.pk], "title": "Two neighbours"},
    )
    story = Story.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/staff/stories/{story.pk}/edit/"
    )
    assert story.status == Story.Status.DRAFT and story.author == writer
    assert set(story.nominations.all()) == {nomination, other}
    assert story.slug == "two-neighbours"
    assert story.revisions.get().note.startswith("Started from")


def test_starting_a_story_needs_a_nomination_and_keeps_the_title(client, writer, nomination):
    client.force_login(writer)
    page = page_text(client.post("/staff/stories/new/", {"title": "Kept title"}))
    assert "Select at least one approved nomination to write the story from" in page
    assert 'value="Kept title"' in page
    assert not Story.objects.exists()


def test_a_story_cannot_be_written_from_an_unapproved_nomination(writer, nomination):
    nomination.status = "submitted"
    with pytest.raises(StoryError) as caught:
        workflow.story_create(actor=writer, nominations=[nomination], title="Too soon")
    assert caught.value.message == StoryError.messages["nomination_not_approved"].format(
        reference=nomination.reference
    )


def test_the_editor_shows_the_nominations_words_untouched_beside_the_public_text(
    client, writer, nomination
):
    story = workflow.story_create(actor=writer, nominations=[nomination], title="A neighbour")
    client.force_login(writer)
    page = page_text(client.get(f"/staff/stories/{story.pk}/edit/"))
    assert "The nominations, as written" in page
    assert nomination.reason in page
    assert 'name="body_source"' in page and "Leave a blank line between paragraphs" in page

    response = client.post(
        f"/staff/stories/{story.pk}/edit/",
        {
            "title": "A good neighbour",
            "slug": "",
            "summary": "She shops for six neighbours.",
            "body_source": "She shops **every week** at 12 Demo Street.\n\n<script>alert(1)</script>",
            "image_shows_nominee": "no",
            "tags": "Good neighbour, Westoe",
        },
    )
    assert response.status_code == 302
    story.refresh_from_db()
    nomination.refresh_from_db()
    assert story.body.strip() == "<p>She shops <strong>every week</strong> at 12 Demo Street.</p>"
    assert story.slug == "a-good-neighbour"
    assert sorted(tag.name for tag in story.tags.all()) == ["Good neighbour", "Westoe"]
    # Redacting the public text never touches what the nominator wrote.
    assert (
        nomination.reason
        == "Maureen Clarke does the shopping for six housebound neighbours every week."
    )
    assert story.revisions.count() == 2


def test_a_picture_needs_a_description_and_bad_files_are_refused_beside_the_field(
    client, writer, nomination
):
    story = workflow.story_create(actor=writer, nominations=[nomination], title="A neighbour")
    client.force_login(writer)
    typed = {
        "title": "A neighbour",
        "summary": "Typed summary",
        "body_source": "Typed story",
        "image_shows_nominee": "yes",
    }
    page = page_text(
        client.post(
            f"/staff/stories/{story.pk}/edit/",
            {**typed, "hero_image": SimpleUploadedFile("x.jpg", b"not a picture")},
        )
    )
    assert "There is a problem" in page
    assert "The selected file must be a JPG, PNG or WEBP picture" in page
    assert "Typed summary" in page and "Typed story" in page

    page = page_text(
        client.post(
            f"/staff/stories/{story.pk}/edit/",
            {**typed, "hero_image": SimpleUploadedFile("p.jpg", jpeg_bytes(gps=True))},
        )
    )
    assert "Describe the picture for people who cannot see it" in page
    story.refresh_from_db()
    assert not story.hero_image

    client.post(
        f"/staff/stories/{story.pk}/edit/",
        {
            **typed,
            "hero_image": SimpleUploadedFile("p.jpg", jpeg_bytes(gps=True)),
            "hero_image_alt": "Maureen with her shopping",
        },
    )
    story.refresh_from_db()
    assert story.hero_image.name.startswith("stories/") and story.hero_image.name.endswith(".jpg")
    assert b"Test camera" not in story.hero_image.read()  # re-encoded: the camera's EXIF is gone
    image = client.get(f"/staff/stories/{story.pk}/image/")
    assert image.status_code == 200 and image["Cache-Control"] == "private, no-store"


def test_a_published_storys_old_address_is_kept_when_its_slug_changes(
    writer, colleague, nomination
):
    story = story_in("published", writer=writer, colleague=colleague, nominations=[nomination])
    old = story.slug
    story = write(story, colleague, slug="maureens-round")
    assert story.slug == "maureens-round" and story.status == Story.Status.PUBLISHED
    assert StorySlug.objects.get(story=story).slug == old
    assert story.public_updated_at > story.published_at
    # Going back to the old address frees it again.
    write(story, colleague, slug=old)
    assert not StorySlug.objects.filter(slug=old).exists()
    assert StorySlug.objects.filter(slug="maureens-round", story=story).exists()


def test_a_slug_used_by_another_story_is_refused(writer, colleague, nomination):
    first = story_in("published", writer=writer, colleague=colleague, nominations=[nomination])
    second = workflow.story_create(actor=writer, nominations=[nomination], title="Another")
    with pytest.raises(StoryError) as caught:
        write(second, writer, slug=first.slug)
    assert caught.value.field == "slug"
    assert caught.value.message == StoryError.messages["slug_taken"].format(slug=first.slug)


# --- Review -----------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_story(client, writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(writer)
    assert "You wrote this story, so a colleague must approve it." in page_text(
        client.get(f"/staff/stories/{story.pk}/")
    )
    page = page_text(client.post(f"/staff/stories/{story.pk}/approve/"))
    assert StoryError.messages["own_story"] in page
    assert Story.objects.get(pk=story.pk).status == Story.Status.IN_REVIEW

    client.force_login(colleague)
    response = client.post(f"/staff/stories/{story.pk}/approve/")
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED and story.approved_by == colleague


def test_the_council_can_let_authors_approve_their_own_stories(writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    CouncilSettings.load()
    CouncilSettings.objects.filter(pk=1).update(stories_self_approval=True)
    assert workflow.may_approve(writer, story)
    workflow.story_approve(story=story, actor=writer)
    assert Story.objects.get(pk=story.pk).status == Story.Status.APPROVED


def test_approving_and_publishing_are_permissions(writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    comms = role_group(Role.COMMS)
    comms.permissions.remove(*Permission.objects.filter(codename="approve_story"))
    colleague = type(colleague).objects.get(pk=colleague.pk)  # a fresh permission cache
    with pytest.raises(StoryError) as caught:
        workflow.story_approve(story=story, actor=colleague)
    assert caught.value.code == "cannot_approve"
    superuser = StaffFactory(is_superuser=True, authenticator=True)
    workflow.story_approve(story=story, actor=superuser)

    comms.permissions.remove(*Permission.objects.filter(codename="publish_story"))
    writer = type(writer).objects.get(pk=writer.pk)
    with pytest.raises(StoryError) as caught:
        workflow.story_publish(story=story, actor=writer)
    assert caught.value.code == "cannot_publish"


def test_the_publish_page_is_refused_without_the_permission(client, writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    role_group(Role.COMMS).permissions.remove(*Permission.objects.filter(codename="publish_story"))
    client.force_login(writer)
    assert client.get(f"/staff/stories/{story.pk}/publish/").status_code == 403
    assert client.get(f"/staff/stories/{story.pk}/take-down/").status_code == 403


def test_the_coordinator_cannot_open_the_story_pages(client, writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(StaffFactory(roles=[Role.COORDINATOR], authenticator=True))
    assert client.get("/staff/stories/").status_code == 403
    assert client.get(f"/staff/stories/{story.pk}/").status_code == 403
    assert client.post(f"/staff/stories/{story.pk}/approve/").status_code == 403


def test_a_draft_must_be_complete_before_review(client, writer, nomination):
    story = workflow.story_create(actor=writer, nominations=[nomination], title="Empty")
    client.force_login(writer)
    page = page_text(client.post(f"/staff/stories/{story.pk}/submit/"))
    assert StoryError.messages["incomplete"] in page
    assert "Enter a summary" in page and "Write the story" in page
    assert Story.objects.get(pk=story.pk).status == Story.Status.DRAFT


def test_editing_an_approved_story_sends_it_back_for_review(client, writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(writer)
    assert "Saving a change sends it back to review" in page_text(
        client.get(f"/staff/stories/{story.pk}/edit/")
    )
    response = client.post(
        f"/staff/stories/{story.pk}/edit/",
        {
            "title": story.title,
            "slug": story.slug,
            "summary": story.summary,
            "body_source": BODY + "\n\nOne more line.",
            "image_shows_nominee": "yes",
        },
        follow=True,
    )
    assert "it is back in review and needs approving again" in page_text(response)
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW and story.approved_by is None


def test_a_story_is_returned_to_draft_with_a_comment(client, writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(colleague)
    page = page_text(client.post(f"/staff/stories/{story.pk}/return/", {"comment": ""}))
    assert "Enter a comment saying what needs to change" in page
    client.post(f"/staff/stories/{story.pk}/return/", {"comment": "Take out the house number."})
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    client.force_login(writer)
    assert "Take out the house number." in page_text(client.get(f"/staff/stories/{story.pk}/"))


# --- Publishing -------------------------------------------------------------------


def test_publishing_is_refused_with_every_consent_problem_listed(
    client, writer, colleague, nomination
):
    silent = approved_nomination(name="Amir Haddad", consent=None)
    refused = approved_nomination(
        name="Priya Patel",
        consent={"channels": ["roll_of_honour"], "name_display": "full", "photo_allowed": "no"},
    )
    story = story_in(
        "approved", writer=writer, colleague=colleague, nominations=[nomination, silent, refused]
    )
    client.force_login(colleague)
    page = page_text(client.post(f"/staff/stories/{story.pk}/publish/", {"when": "now"}))
    assert "There is a problem" in page
    assert "Amir Haddad has not answered the consent request yet." in page
    assert "Priya Patel has not agreed to a story on the website." in page
    assert Story.objects.get(pk=story.pk).status == Story.Status.APPROVED


def test_a_name_the_nominee_asked_to_shorten_is_found_before_publishing(writer, colleague):
    shortened = approved_nomination(
        name="Maureen Clarke",
        consent={
            "channels": ["website_story"],
            "name_display": "first_initial",
            "photo_allowed": "no",
        },
    )
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[shortened])
    with pytest.raises(StoryError) as caught:
        workflow.story_publish(story=story, actor=colleague)
    assert caught.value.code == "consent"
    assert "Use \u201cMaureen C.\u201d instead." in caught.value.problems[0]


def test_a_story_is_published_now_and_its_history_says_who(client, writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(colleague)
    response = client.post(f"/staff/stories/{story.pk}/publish/", {"when": "now"}, follow=True)
    assert f"Published at /stories/{story.slug}/" in page_text(response)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.published_at is not None
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(story.pk), action__startswith="stories.")
        .order_by("pk")
        .values_list("action", "actor_label")
    )
    assert actions[-3:] == [
        ("stories.story.submitted", "writer@example.org"),
        ("stories.story.approved", "colleague@example.org"),
        ("stories.story.published", "colleague@example.org"),
    ]


def test_scheduling_needs_a_future_date_and_time(client, writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(colleague)
    page = page_text(client.post(f"/staff/stories/{story.pk}/publish/", {"when": "schedule"}))
    assert "Enter the date to publish the story" in page
    assert "Enter the time to publish the story" in page
    page = page_text(
        client.post(
            f"/staff/stories/{story.pk}/publish/",
            {"when": "schedule", "publish_on": "2020-01-01", "publish_time": "09:00"},
        )
    )
    assert "The date and time to publish must be in the future" in page
    client.post(
        f"/staff/stories/{story.pk}/publish/",
        {"when": "schedule", "publish_on": "2099-03-27", "publish_time": "09:30"},
    )
    story.refresh_from_db()
    assert story.status == Story.Status.SCHEDULED
    assert story.publish_at.isoformat() == "2099-03-27T09:30:00+00:00"


# --- Taking down ------------------------------------------------------------------


@pytest.fixture
def published(writer, colleague, nomination):
    return story_in("published", writer=writer, colleague=colleague, nominations=[nomination])


def test_taking_down_in_error_needs_a_reason(client, colleague, published):
    client.force_login(colleague)
    page = page_text(client.post(f"/staff/stories/{published.pk}/take-down/", {"kind": "error"}))
    assert "Enter the reason for taking the story down" in page
    client.post(
        f"/staff/stories/{published.pk}/take-down/",
        {"kind": "error", "reason": "Published before the family agreed."},
    )
    published.refresh_from_db()
    assert published.status == Story.Status.TAKEN_DOWN
    assert published.takedown_kind == "error" and published.taken_down_by == colleague


def test_a_withdrawn_story_needs_a_public_explanation(client, colleague, published):
    client.force_login(colleague)
    page = page_text(
        client.post(
            f"/staff/stories/{published.pk}/take-down/",
            {"kind": "withdrawn", "reason": "Asked by the family"},
        )
    )
    assert "Enter the explanation the public will see on the page" in page
    client.post(
        f"/staff/stories/{published.pk}/take-down/",
        {
            "kind": "withdrawn",
            "reason": "Asked by the family",
            "notice": "Withdrawn at the family's request.",
        },
    )
    published.refresh_from_db()
    assert published.takedown_notice == "Withdrawn at the family's request."
    assert published in Story.objects.live()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "/no-such-page-here/",
        " /privacy/\n",
    ],
)
def test_a_superseded_story_leads_only_to_a_page_on_this_site(client, colleague, published, target):
    client.force_login(colleague)
    page = page_text(
        client.post(
            f"/staff/stories/{published.pk}/take-down/",
            {"kind": "superseded", "reason": "Replaced", "superseded_path": target},
        )
    )
    if target.strip() == "/privacy/":
        published.refresh_from_db()
        assert published.superseded_by == "/privacy/"
        return
    assert StoryError.messages["target_invalid"] in page
    assert Story.objects.get(pk=published.pk).status == Story.Status.PUBLISHED


def test_a_superseded_story_can_lead_to_another_story(colleague, published, writer, nomination):
    newer = story_in("published", writer=writer, colleague=colleague, nominations=[nomination])
    with pytest.raises(StoryError) as caught:
        workflow.story_take_down(
            story=published, actor=colleague, kind="superseded", reason="Replaced"
        )
    assert caught.value.code == "target_required"
    workflow.story_take_down(
        story=published,
        actor=colleague,
        kind="superseded",
        reason="Replaced",
        superseded_by_story=newer,
    )
    assert Story.objects.get(pk=published.pk).superseded_by == f"/stories/{newer.slug}/"


def test_a_story_taken_down_can_no_longer_be_edited(client, colleague, published):
    workflow.story_take_down(story=published, actor=colleague, kind="error", reason="Wrong")
    with pytest.raises(StoryError) as caught:
        write(published, colleague, title="Changed")
    assert caught.value.message == StoryError.messages["taken_down"]
    client.force_login(colleague)
    response = client.get(f"/staff/stories/{published.pk}/edit/", follow=True)
    assert StoryError.messages["taken_down"] in page_text(response)


# --- Pages ------------------------------------------------------------------------


def test_the_list_filters_by_status_in_a_fixed_number_of_queries(
    client, writer, colleague, nomination, django_assert_max_num_queries
):
    for state in ["draft", "in_review", "published", "published"]:
        story_in(state, writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(writer)
    # The same number whatever the number of stories (no query per row).
    with django_assert_max_num_queries(16):
        page = page_text(client.get("/staff/stories/", {"status": "published"}))
    assert "2 stories, last changed first" in page
    assert "1 story, last changed first" in page_text(
        client.get("/staff/stories/", {"status": "draft"})
    )


def test_the_preview_is_the_public_page_for_staff_only(client, writer, colleague, nomination):
    story = story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(colleague)
    response = client.get(f"/staff/stories/{story.pk}/preview/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = page_text(response)
    assert "Maureen&#x27;s shopping round" in page
    assert "She knocks on every door each morning." in page
    client.logout()
    assert client.get(f"/stories/{story.slug}/").status_code == 404


def test_the_dashboard_shows_stories_waiting(client, writer, colleague, nomination):
    story_in("in_review", writer=writer, colleague=colleague, nominations=[nomination])
    story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    client.force_login(colleague)
    page = page_text(client.get("/staff/"))
    assert re.search(r"1</span> Stories to review", page)
    assert re.search(r"1</span> Approved stories to publish", page)


def test_the_demo_has_published_stories_a_draft_and_one_in_review():
    from council import services as council_services
    from nominations import demo as nominations_demo
    from recognition.stories import demo

    for email, superuser in [("comms@example.org", False), ("admin@example.org", True)]:
        council_services.account_ensure(
            email=email,
            roles=[] if superuser else [Role.COMMS.value],
            is_staff=True,
            is_superuser=superuser,
        )
    nominations_demo.load()
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())  # safe to run again: nothing is made twice
    counts = {status: Story.objects.filter(status=status).count() for status in Story.Status.values}
    assert counts["published"] >= 4 and counts["draft"] == 1 and counts["in_review"] == 1
    for story in Story.objects.filter(status="published"):
        assert story.hero_image and story.hero_image_alt
        assert not workflow.consent.publication_problems(story)
    assert StoryRevision.objects.filter(story__slug="maureen-shopping-round").count() == 2
