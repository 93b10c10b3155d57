"""Comms staff turn a published story into a social post in a real browser: draft, edit with
the live counter, approve, schedule, and see it sent on the console channel by the beat job."""

import re

import pytest
from playwright.sync_api import expect

from council.roles import Role
from recognition.social import services
from recognition.social.models import Channel, SocialPost
from tests.council.factories import StaffFactory
from tests.e2e.browser import check_accessibility, navigation, sign_in_with_code, visit
from tests.social.factories import approved_nomination, published_story

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SITE_URL = "https://proud.example.org"
    comms = StaffFactory(email="comms@example.org", roles=[Role.COMMS], authenticator=True)
    console = services.channel_save(
        channel=Channel(name="Console", kind=Channel.Kind.CONSOLE), actor=None
    )
    story = published_story(nominations=[approved_nomination()])
    return comms, console, story


def test_draft_approve_schedule_and_send_on_the_console(page, transactional_db, setting):
    comms, console, story = setting
    sign_in_with_code(page, comms.email)

    visit(page, "/staff/social/")
    with navigation(page):
        page.get_by_role("button", name="Draft posts from a story").click()
    with navigation(page):
        page.get_by_role("button", name=re.compile("Draft posts about Maureen")).click()
    expect(page.get_by_text("Drafted 1 post: Console.")).to_be_visible()
    expect(page.get_by_text(f"https://proud.example.org/stories/{story.slug}/")).to_be_visible()

    with navigation(page):
        page.get_by_role("link", name="Open the Console post").click()
    with navigation(page):
        page.get_by_role("button", name="Edit the post").click()
    words = page.get_by_label("Words of the post")
    words.fill("x" * 502)
    # The count is read out with the box, as GOV.UK's character count is.
    expect(words).to_have_accessible_description("You have 2 characters too many")
    # A family emoji is one character, however many code points it takes.
    words.fill("Thank you, Maureen! \U0001f468\u200d\U0001f469\u200d\U0001f467 #ProudtoSupport")
    expect(words).to_have_accessible_description("You have 463 characters remaining")
    check_accessibility(page)
    with navigation(page):
        page.get_by_role("button", name="Save the post").click()
    expect(page.get_by_text("The post is saved.")).to_be_visible()

    with navigation(page):
        page.get_by_role("button", name="Approve the post").click()
    expect(page.get_by_text("The post is approved. Schedule it to send it.")).to_be_visible()
    with navigation(page):
        page.get_by_role("button", name="Schedule the post").click()
    page.get_by_label("As soon as possible (within a minute)").check()
    with navigation(page):
        page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("The post will go out within a minute.")).to_be_visible()

    visit(page, "/staff/social/")
    expect(page.get_by_role("link", name=re.compile("shopping round on Console"))).to_be_visible()

    # The beat job, as Celery beat runs it every minute.
    assert services.posts_send_due()["sent"] == 1
    post = SocialPost.objects.get()
    visit(page, f"/staff/social/posts/{post.pk}/")
    expect(page.get_by_text(re.compile(r"^Sent on"))).to_be_visible()
    visit(page, "/staff/social/history/")
    expect(page.get_by_role("link", name=re.compile("shopping round on Console"))).to_be_visible()
    written = (setting_var(post) / f"channel-{console.pk}" / f"{post.public_id}.txt").read_text(
        encoding="utf-8"
    )
    assert written.startswith("Thank you, Maureen!")


def setting_var(post):
    from django.conf import settings

    return settings.VAR_DIR / "social"


def test_the_count_and_its_error_work_without_javascript(
    page_without_js, transactional_db, setting
):
    comms, _console, story = setting
    page = page_without_js
    (post,) = services.posts_draft_for_story(story=story, actor=comms)
    sign_in_with_code(page, comms.email)
    visit(page, f"/staff/social/posts/{post.pk}/edit/")
    expect(page.get_by_label("Words of the post")).to_have_accessible_description(
        re.compile(r"^You have \d+ characters remaining$")
    )
    page.get_by_label("Words of the post").fill("x" * 501)
    with navigation(page):
        page.get_by_role("button", name="Save the post").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Console posts must be 500 characters or fewer: this one has 501"
    )
    expect(page.get_by_label("Words of the post")).to_have_accessible_description(
        re.compile("You have 1 character too many$")
    )


def test_an_administrator_sets_up_a_channel_and_tests_it(page, transactional_db, setting):
    _comms, console, _story = setting
    admin = StaffFactory(email="admin@example.org", is_superuser=True, authenticator=True)
    sign_in_with_code(page, admin.email)
    visit(page, "/staff/social/channels/")
    with navigation(page):
        page.get_by_role("button", name="Add a channel").click()
    page.get_by_label("Mastodon").check()
    with navigation(page):
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name staff see").fill("Council Mastodon")
    page.get_by_label("Address of the Mastodon server").fill("https://social.example")
    with navigation(page):
        page.get_by_role("button", name="Add the channel").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the access token")
    page.get_by_label("Access token").fill("a-very-secret-token")
    with navigation(page):
        page.get_by_role("button", name="Add the channel").click()
    expect(page.get_by_text("Council Mastodon is added.")).to_be_visible()
    expect(page.get_by_text("Stored, encrypted")).to_be_visible()
    assert "a-very-secret-token" not in page.content()

    visit(page, f"/staff/social/channels/{console.pk}/")
    with navigation(page):
        page.get_by_role("button", name="Test the connection").click()
    expect(page.get_by_text("Console works: it posts as the console")).to_be_visible()


def test_the_pages_for_a_post_to_check_and_a_held_post(page, transactional_db, setting):
    from datetime import timedelta

    from django.utils import timezone

    from council import services as council_services

    comms, _console, story = setting
    second = published_story(nominations=story.nominations.all(), title="A second story")
    (unknown,) = services.posts_draft_for_story(story=story, actor=comms)
    (held,) = services.posts_draft_for_story(story=second, actor=comms)
    for post in (unknown, held):
        services.post_approve(post=post, actor=comms)
        services.post_schedule(post=post, actor=comms, when=timezone.now())
    # A worker that died while sending the first: nobody knows whether it went out.
    SocialPost.objects.filter(pk=unknown.pk).update(
        status="sending", status_changed_at=timezone.now() - timedelta(hours=1)
    )
    council_services.publishing_pause(actor=comms, reason="Local elections")
    services.posts_send_due()
    unknown.refresh_from_db()
    held.refresh_from_db()
    assert (unknown.state, held.state) == ("unknown", "held")

    sign_in_with_code(page, comms.email)
    visit(page, f"/staff/social/posts/{held.pk}/")
    expect(
        page.get_by_text("It came due while publishing was paused, so it is held.")
    ).to_be_visible()
    visit(page, "/staff/social/?state=held")
    visit(page, f"/staff/social/posts/{unknown.pk}/")
    with navigation(page):
        page.get_by_role("button", name="Record whether it was posted").click()
    page.get_by_label("Yes, it is on the channel").check()
    with navigation(page):
        page.get_by_role("button", name="Record it").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the address of the post")
    page.get_by_label("Address of the post (if it was posted)").fill(
        "https://social.example/@council/1"
    )
    with navigation(page):
        page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Recorded as sent.")).to_be_visible()
    visit(page, "/staff/social/history/")
    visit(page, "/staff/")
