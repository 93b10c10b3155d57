"""Scheduled stories go out from Celery beat; a pre-election pause holds them, and nothing
held goes out until staff confirm it. The clock is passed in, so no test waits."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from council import services as council_services
from council.models import AuditLogEntry
from council.selectors import council_settings, publishing_paused
from recognition.stories import tasks
from recognition.stories.models import Story
from recognition.stories.services import workflow
from recognition.stories.services.workflow import StoryError
from tests.council.factories import StaffFactory
from tests.stories.factories import record_consent
from tests.stories.staff_setup import story_in

pytestmark = pytest.mark.django_db

WITHDRAW = {"withdraw": True, "channels": [], "name_display": "anonymous"}


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def admin(db):
    return StaffFactory(email="admin@example.org", is_superuser=True, authenticator=True)


@pytest.fixture
def due_at():
    return timezone.now() + timedelta(hours=2)


@pytest.fixture
def scheduled(writer, colleague, nomination, due_at):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    return workflow.story_publish(story=story, actor=colleague, publish_at=due_at)


def status_of(story) -> tuple[str, bool]:
    story = Story.objects.get(pk=story.pk)
    return story.status, story.held_by_pause


def test_beat_runs_the_schedule_every_minute():
    entry = celery_app.conf.beat_schedule["stories-publish-due"]
    assert entry["task"] == tasks.publish_due.name
    assert str(entry["schedule"]) == str(__import__("celery").schedules.crontab())


def test_a_scheduled_story_goes_out_when_it_comes_due(scheduled, due_at):
    assert workflow.stories_publish_due(now=due_at - timedelta(minutes=1)).published == []
    assert status_of(scheduled) == ("scheduled", False)
    result = workflow.stories_publish_due(now=due_at + timedelta(seconds=30))
    assert result.published == [scheduled.pk]
    story = Story.objects.get(pk=scheduled.pk)
    assert story.status == "published" and story.published_at == due_at + timedelta(seconds=30)
    # A second run (a redelivered message, another worker) publishes nothing again.
    assert workflow.stories_publish_due(now=due_at + timedelta(minutes=1)).published == []


def test_the_task_calls_the_service(scheduled, due_at, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: due_at + timedelta(seconds=1))
    assert tasks.publish_due() == {"published": [scheduled.pk], "held": [], "refused": []}


def test_a_story_consent_no_longer_allows_is_not_published_when_due(scheduled, due_at, nomination):
    record_consent(nomination.nominee, WITHDRAW)
    result = workflow.stories_publish_due(now=due_at)
    assert result.published == [] and scheduled.pk in result.refused
    assert status_of(scheduled) == ("approved", False)
    entry = AuditLogEntry.objects.get(action="stories.story.schedule_refused")
    assert entry.data["problems"] == ["Maureen Clarke has withdrawn their consent."]


def test_the_pause_holds_what_comes_due_and_nothing_is_lost(admin, colleague, scheduled, due_at):
    council_services.publishing_pause(actor=admin, reason="Pre-election period until 8 May")
    assert publishing_paused().reason == "Pre-election period until 8 May"

    result = workflow.stories_publish_due(now=due_at + timedelta(minutes=1))
    assert result.held == [scheduled.pk] and result.published == []
    assert status_of(scheduled) == ("scheduled", True)
    # Held stories are not looked at again by the schedule, paused or not.
    assert workflow.stories_publish_due(now=due_at + timedelta(minutes=2)).held == []

    with pytest.raises(StoryError) as caught:
        workflow.story_release_held(story=scheduled, actor=colleague)
    assert caught.value.message == StoryError.messages["paused"]

    council_services.publishing_resume(actor=admin)
    # Resuming sends nothing by itself: the story waits for staff to confirm it.
    assert workflow.stories_publish_due(now=due_at + timedelta(minutes=3)).published == []
    assert status_of(scheduled) == ("scheduled", True)

    workflow.story_release_held(story=scheduled, actor=colleague)
    assert status_of(scheduled) == ("published", False)


def test_publishing_now_is_refused_while_paused(admin, writer, colleague, nomination):
    story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
    council_services.publishing_pause(actor=admin, reason="Election")
    with pytest.raises(StoryError) as caught:
        workflow.story_publish(story=story, actor=colleague)
    assert caught.value.code == "paused"
    # Scheduling is still allowed: it is held if the pause is still on when it comes due.
    workflow.story_publish(
        story=story, actor=colleague, publish_at=timezone.now() + timedelta(days=1)
    )
    assert status_of(story) == ("scheduled", False)


def test_the_pause_is_read_fresh_not_from_the_cache(admin):
    council_settings()  # cached now, unpaused
    council_services.publishing_pause(actor=admin, reason="Election")
    assert publishing_paused() is not None
    council_services.publishing_resume(actor=admin)
    assert publishing_paused() is None


def test_all_held_stories_are_confirmed_at_once(client, admin, writer, colleague, nomination):
    now = timezone.now()
    stories = []
    for hours in (1, 2):
        story = story_in("approved", writer=writer, colleague=colleague, nominations=[nomination])
        stories.append(
            workflow.story_publish(
                story=story, actor=colleague, publish_at=now + timedelta(hours=hours)
            )
        )
    council_services.publishing_pause(actor=admin, reason="Election")
    workflow.stories_publish_due(now=now + timedelta(hours=3))
    council_services.publishing_resume(actor=admin)

    client.force_login(colleague)
    page = page_text(client.get("/staff/stories/held/"))
    assert "Publish all 2 held stories" in page
    response = client.post("/staff/stories/held/publish/", follow=True)
    assert "Published 2 held stories." in page_text(response)
    assert [status_of(story) for story in stories] == [("published", False)] * 2


def test_only_administrators_pause_and_resume_publishing(client, admin, colleague):
    client.force_login(colleague)
    assert client.get("/staff/stories/pause/").status_code == 403
    assert client.post("/staff/stories/pause/", {"reason": "x"}).status_code == 403

    client.force_login(admin)
    page = page_text(client.post("/staff/stories/pause/", {"reason": ""}))
    assert "Enter the reason for pausing publishing" in page
    assert publishing_paused() is None
    client.post("/staff/stories/pause/", {"reason": "Pre-election period"})
    assert publishing_paused().by == "admin@example.org"
    assert AuditLogEntry.objects.filter(action="council.publishing.paused").exists()

    response = client.post("/staff/stories/pause/", follow=True)
    assert "Publishing has resumed." in page_text(response)
    assert publishing_paused() is None


def test_every_staff_page_says_publishing_is_paused(client, admin, colleague):
    council_services.publishing_pause(actor=admin, reason="Pre-election period until 8 May")
    client.force_login(colleague)
    for path in ["/staff/", "/staff/stories/", "/staff/nominations/"]:
        page = page_text(client.get(path))
        assert "Publishing is paused" in page, path
        assert "Paused by admin@example.org" in page and "Pre-election period until 8 May" in page
    client.logout()
    assert "Publishing is paused" not in page_text(client.get("/"))
