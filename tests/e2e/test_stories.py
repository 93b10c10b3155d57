"""Comms staff take a nomination to a published story in a real browser, and take it down.

Every staff page on the way is checked with axe (the harness checks each page it loads).
"""

import re

import pytest
from playwright.sync_api import expect

from council.roles import Role
from recognition.stories.models import Story
from tests.council.factories import StaffFactory
from tests.e2e.browser import navigation, sign_in_with_code, visit
from tests.stories.factories import approved_nomination

pytestmark = pytest.mark.browser

WITH_ADDRESS = (
    "Every week Maureen Clarke of 12 Demo Street does the shopping for six housebound "
    "neighbours.\n\n## A knock every morning\n\nShe checks on each of them every morning."
)


def sign_out(page) -> None:
    with navigation(page):
        page.get_by_role("link", name="Sign out").click()
    with navigation(page):
        page.get_by_role("button", name="Sign out").click()


def test_a_nomination_becomes_a_published_story_and_is_taken_down(page, transactional_db):
    nomination = approved_nomination(name="Maureen Clarke")
    writer = StaffFactory(email="writer@example.org", roles=[Role.COMMS], authenticator=True)
    colleague = StaffFactory(email="colleague@example.org", roles=[Role.COMMS], authenticator=True)

    # The writer starts a story from the nomination.
    sign_in_with_code(page, writer.email)
    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Write stories"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    with navigation(page):
        page.get_by_role("button", name="Write a story").click()
    page.get_by_label(re.compile(rf"Maureen Clarke — {nomination.reference}")).check()
    page.get_by_label("Working title").fill("Six neighbours, every week")
    with navigation(page):
        page.get_by_role("button", name="Start the story").click()

    # The nomination's own words are beside the editor, untouched.
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the story")
    expect(page.get_by_text(nomination.reason)).to_be_visible()
    page.get_by_label("Summary").fill("Maureen Clarke shops for six housebound neighbours.")
    page.get_by_label("The story").fill(WITH_ADDRESS)
    page.get_by_role("group", name="Does the picture show a person").get_by_label("No").check()
    page.get_by_label("Tags (optional)").fill("Good neighbour")
    with navigation(page):
        page.get_by_role("button", name="Save the story").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()

    # Redact: the house number comes out of the public text.
    with navigation(page):
        page.get_by_role("button", name="Edit the story").click()
    page.get_by_label("The story").fill(WITH_ADDRESS.replace(" of 12 Demo Street", ""))
    with navigation(page):
        page.get_by_role("button", name="Save the story").click()
    expect(page.get_by_text("Saved as revision 3.")).to_be_visible()

    with navigation(page):
        page.get_by_role("link", name="Revisions: compare and restore").click()
    with navigation(page):
        page.get_by_role("button", name="Compare").click()
    expect(page.locator("del")).to_contain_text("removed: of 12 Demo Street")

    visit(page, f"/staff/stories/{Story.objects.get().pk}/")
    with navigation(page):
        page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Sent for review.")).to_be_visible()
    expect(
        page.get_by_text("You wrote this story, so a colleague must approve it.")
    ).to_be_visible()
    sign_out(page)

    # A colleague approves and publishes it.
    sign_in_with_code(page, colleague.email)
    story = Story.objects.get()
    visit(page, f"/staff/stories/{story.pk}/")
    with navigation(page):
        page.get_by_role("link", name="Preview the story as the public will see it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Six neighbours, every week")
    visit(page, f"/staff/stories/{story.pk}/")
    with navigation(page):
        page.get_by_role("button", name="Approve the story").click()
    expect(page.get_by_text("Story approved.")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Publish or schedule").click()
    page.get_by_label("Now").check()
    with navigation(page):
        page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published at /stories/six-neighbours-every-week/")).to_be_visible()

    # The public sees the redacted story.
    visit(page, "/stories/six-neighbours-every-week/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Six neighbours, every week")
    expect(page.get_by_text("She checks on each of them every morning.")).to_be_visible()
    expect(page.get_by_text("12 Demo Street")).to_have_count(0)

    # Taken down as published in error: the public page is gone (410).
    visit(page, f"/staff/stories/{story.pk}/")
    with navigation(page):
        page.get_by_role("button", name="Take the story down").click()
    page.get_by_label(re.compile("Published in error")).check()
    page.get_by_label("Why is it being taken down?").fill("Published before the family saw it.")
    with navigation(page):
        page.get_by_role("button", name="Take the story down").click()
    expect(page.get_by_text("The story is taken down.")).to_be_visible()
    visit(page, "/stories/six-neighbours-every-week/", status=410)
    story.refresh_from_db()
    assert story.status == Story.Status.TAKEN_DOWN and story.takedown_kind == "error"


def test_the_editor_explains_mistakes_without_javascript(page_without_js, transactional_db):
    page = page_without_js
    nomination = approved_nomination(name="Maureen Clarke")
    writer = StaffFactory(email="writer@example.org", roles=[Role.COMMS], authenticator=True)
    sign_in_with_code(page, writer.email)
    visit(page, "/staff/stories/new/")
    page.get_by_label("Search approved nominations").fill("Clarke")
    with navigation(page):
        page.get_by_role("button", name="Search").click()
    with navigation(page):
        page.get_by_role("button", name="Start the story").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select at least one approved nomination to write the story from"
    )
    page.get_by_label(re.compile(rf"Maureen Clarke — {nomination.reference}")).check()
    page.get_by_label("Working title").fill("A good neighbour")
    with navigation(page):
        page.get_by_role("button", name="Start the story").click()
    page.get_by_label("The story").fill("Typed words are kept.")
    page.get_by_label("Web address").fill("Not A Slug!")
    with navigation(page):
        page.get_by_role("button", name="Save the story").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter a web address made of lower-case letters, numbers and hyphens"
    )
    expect(page.get_by_label("The story")).to_have_value("Typed words are kept.")


def test_the_other_story_pages_are_accessible_while_publishing_is_paused(page, transactional_db):
    from datetime import timedelta

    from django.utils import timezone

    from recognition.stories.services import workflow

    nomination = approved_nomination(name="Maureen Clarke")
    silent = approved_nomination(name="Amir Haddad", consent=None)
    writer = StaffFactory(email="writer@example.org", roles=[Role.COMMS], authenticator=True)
    admin = StaffFactory(email="admin@example.org", is_superuser=True, authenticator=True)

    def approved_story(title, nominations):
        story = workflow.story_create(actor=writer, nominations=nominations, title=title)
        workflow.story_save(
            story=story,
            actor=writer,
            title=title,
            summary="A summary.",
            body_source="The story.",
            image_shows_nominee=False,
        )
        workflow.story_submit(story=story, actor=writer)
        return workflow.story_approve(story=story, actor=admin)

    held = workflow.story_publish(
        story=approved_story("Held story", [nomination]),
        actor=admin,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    blocked = approved_story("Blocked story", [nomination, silent])
    sign_in_with_code(page, admin.email)

    visit(page, "/staff/stories/pause/")
    with navigation(page):
        page.get_by_role("button", name="Pause all publishing").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for pausing publishing")
    page.get_by_label("Why is publishing paused?").fill("Pre-election period until 8 May")
    with navigation(page):
        page.get_by_role("button", name="Pause all publishing").click()
    expect(page.get_by_role("region", name="Publishing is paused")).to_contain_text(
        "Pre-election period until 8 May"
    )
    workflow.stories_publish_due(now=timezone.now() + timedelta(minutes=6))

    visit(page, "/staff/stories/")
    visit(page, "/staff/stories/held/")
    expect(page.get_by_text("Publishing is still paused")).to_be_visible()
    visit(page, f"/staff/stories/{held.pk}/")
    visit(page, f"/staff/stories/{blocked.pk}/publish/")
    expect(
        page.get_by_text("Amir Haddad has not answered the consent request yet.")
    ).to_be_visible()
    page.get_by_label("On a date and at a time").check()
    with navigation(page):
        page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date to publish the story")
    visit(page, f"/staff/stories/{blocked.pk}/return/")
    with navigation(page):
        page.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a comment saying what needs to change")

    visit(page, "/staff/stories/pause/")
    with navigation(page):
        page.get_by_role("button", name="Resume publishing").click()
    expect(page.get_by_text("1 held story waits for staff to confirm.")).to_be_visible()
    visit(page, "/staff/stories/held/")
    with navigation(page):
        page.get_by_role("button", name="Publish all 1 held story").click()
    expect(page.get_by_text("Published 1 held story.")).to_be_visible()

    visit(page, f"/staff/stories/{held.pk}/take-down/")
    page.get_by_label(re.compile("Replaced by another page")).check()
    page.get_by_label("Why is it being taken down?").fill("Replaced")
    page.get_by_label(re.compile("Or the address of a page")).fill("https://evil.example/")
    with navigation(page):
        page.get_by_role("button", name="Take the story down").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the address of a page on this site")
