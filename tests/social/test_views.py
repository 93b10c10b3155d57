"""The staff pages: drafting, editing with the channel's own count, approving, scheduling,
the calendar and the history; administrators' channel pages with write-only credentials."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recognition.social import services
from recognition.social.models import Channel, SocialPost
from recognition.social.secrets import unseal
from tests.council.factories import StaffFactory
from tests.social.factories import channel, picture, published_story
from tests.social.helpers import scheduled_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, comms):
    client.force_login(comms)
    return client


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True, authenticator=True))
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_comms_draft_edit_approve_and_schedule_a_post(signed_in, story, memory_channel):
    listing = page(signed_in.get("/staff/social/new/"))
    assert "shopping round" in listing and "Draft posts" in listing

    response = signed_in.post("/staff/social/new/", {"story": story.pk}, follow=True)
    assert "Drafted 1 post: Test channel." in page(response)
    post = SocialPost.objects.get()
    assert f"https://proud.example.org/stories/{story.slug}/" in page(response)

    edit_url = f"/staff/social/posts/{post.pk}/edit/"
    form = page(signed_in.get(edit_url))
    # The server's own count, so the counter works without JavaScript.
    remaining = 300 - len(post.text)
    assert f"You have {remaining} characters remaining" in form
    assert 'data-counter-limit="300"' in form
    assert 'aria-describedby="id_text-info"' in form

    too_long = page(signed_in.post(edit_url, {"text": "x" * 301, "image_alt": ""}))
    assert "There is a problem" in too_long
    assert "In-memory posts must be 300 characters or fewer: this one has 301" in too_long
    assert "You have 1 character too many" in too_long

    signed_in.post(edit_url, {"text": "Thank you, Maureen! #ProudtoSupport", "image_alt": ""})
    post.refresh_from_db()
    assert post.text == "Thank you, Maureen! #ProudtoSupport"

    response = signed_in.post(f"/staff/social/posts/{post.pk}/approve/", follow=True)
    assert "The post is approved." in page(response)

    schedule_url = f"/staff/social/posts/{post.pk}/schedule/"
    missing = page(signed_in.post(schedule_url, {"when": "later"}))
    assert "Enter the date the post should go out" in missing
    assert "Enter the time the post should go out" in missing
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = signed_in.post(
        schedule_url,
        {"when": "later", "send_on": tomorrow.date().isoformat(), "send_time": "09:30"},
        follow=True,
    )
    assert "Scheduled for" in page(response)
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    calendar = page(signed_in.get("/staff/social/"))
    assert tomorrow.strftime("%-d %B %Y") in calendar and "09:30" in calendar


def test_an_approved_post_edited_goes_back_for_approval(signed_in, story, comms, memory_channel):
    post = scheduled_post(story, comms)
    response = signed_in.post(
        f"/staff/social/posts/{post.pk}/edit/",
        {"text": "New words", "image_alt": ""},
        follow=True,
    )
    assert "The post is saved. It needs approving again." in page(response)
    post.refresh_from_db()
    assert post.state == SocialPost.State.DRAFT


def test_a_new_picture_is_checked_and_needs_its_description(signed_in, story, memory_channel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    (post,) = services.posts_draft_for_story(story=story, actor=None)
    url = f"/staff/social/posts/{post.pk}/edit/"
    upload = SimpleUploadedFile("photo.jpg", picture(), content_type="image/jpeg")
    refused = page(signed_in.post(url, {"text": post.text, "image": upload, "image_alt": ""}))
    assert "Describe the picture for people who cannot see it (alt text)" in refused
    upload = SimpleUploadedFile("notes.txt", b"not a picture", content_type="text/plain")
    refused = page(signed_in.post(url, {"text": post.text, "image": upload, "image_alt": "x"}))
    assert "The selected file must be a JPG, PNG or WEBP photo" in refused
    upload = SimpleUploadedFile("photo.jpg", picture(), content_type="image/jpeg")
    signed_in.post(url, {"text": post.text, "image": upload, "image_alt": "A red door"})
    post.refresh_from_db()
    assert post.image and post.image_alt == "A red door"
    picture_response = signed_in.get(f"/staff/social/posts/{post.pk}/image/")
    assert picture_response["Cache-Control"] == "private, no-store"


def test_the_calendar_and_history_use_a_constant_number_of_queries(
    signed_in, nomination, comms, memory_channel, django_assert_max_num_queries
):
    for n in range(6):
        post = scheduled_post(published_story(nominations=[nomination], title=f"Story {n}"), comms)
        if n % 2:
            services.post_send(post_id=post.pk)
    with django_assert_max_num_queries(14):
        listing = page(signed_in.get("/staff/social/"))
    assert listing.count("Scheduled") >= 3
    with django_assert_max_num_queries(14):
        history = page(signed_in.get("/staff/social/history/"))
    assert history.count("View the post") == 3


def test_every_page_renders(signed_in, story, comms, memory_channel):
    post = scheduled_post(story, comms)
    for url in (
        "/staff/social/",
        "/staff/social/?state=scheduled",
        "/staff/social/history/",
        "/staff/social/new/",
        f"/staff/social/stories/{story.pk}/",
        f"/staff/social/posts/{post.pk}/",
        f"/staff/social/posts/{post.pk}/edit/",
        f"/staff/social/posts/{post.pk}/schedule/",
        f"/staff/social/posts/{post.pk}/reconcile/",
    ):
        page(signed_in.get(url))


# --- Channels ---------------------------------------------------------------------------


def test_an_administrator_adds_a_channel_and_the_token_is_never_shown_back(admin_client):
    chooser = page(admin_client.get("/staff/social/channels/new/"))
    assert "What kind of channel is it?" in chooser
    url = "/staff/social/channels/new/?kind=mastodon"
    refused = page(admin_client.post(url, {"name": "Council Mastodon", "active": "on"}))
    assert "Enter the address of the Mastodon server" in refused
    assert "Enter the access token" in refused
    refused = page(
        admin_client.post(
            url,
            {
                "name": "",
                "server_url": "https://social.example",
                "secret_value": "very-secret-token",
            },
        )
    )
    assert "Enter a name for the channel" in refused
    assert "very-secret-token" not in refused
    response = admin_client.post(
        url,
        {
            "name": "Council Mastodon",
            "active": "on",
            "server_url": "https://social.example/",
            "secret_value": "very-secret-token",
        },
        follow=True,
    )
    channel = Channel.objects.get()
    assert channel.server_url == "https://social.example"
    assert "very-secret-token" not in channel.secret
    assert unseal(channel.secret) == {"access_token": "very-secret-token"}
    shown = page(response)
    assert "very-secret-token" not in shown and "Stored, encrypted" in shown
    # Saving without a new token keeps the stored one.
    admin_client.post(
        f"/staff/social/channels/{channel.pk}/",
        {"name": "Mastodon", "active": "on", "server_url": "https://social.example"},
    )
    channel.refresh_from_db()
    assert channel.name == "Mastodon"
    assert unseal(channel.secret) == {"access_token": "very-secret-token"}


def test_a_bluesky_channel_takes_an_app_password_only(admin_client):
    url = "/staff/social/channels/new/?kind=bluesky"
    refused = page(
        admin_client.post(
            url,
            {
                "name": "Bluesky",
                "account": "@council.bsky.social",
                "secret_value": "hunter2hunter2",
            },
        )
    )
    assert "Enter an app password, like abcd-efgh-ijkl-mnop" in refused
    admin_client.post(
        url,
        {
            "name": "Bluesky",
            "account": "@Council.bsky.social",
            "secret_value": "abcd-efgh-ijkl-mnop",
        },
    )
    channel = Channel.objects.get()
    assert channel.account == "council.bsky.social"


def test_test_connection_says_what_works(admin_client, memory_channel):
    response = admin_client.post(f"/staff/social/channels/{memory_channel.pk}/test/", follow=True)
    assert "Test channel works: it posts as this process" in page(response)


def test_comms_cannot_open_the_channels(signed_in, memory_channel):
    assert signed_in.get("/staff/social/channels/").status_code == 403
    assert signed_in.get(f"/staff/social/channels/{memory_channel.pk}/").status_code == 403


def test_a_channel_needing_reconnecting_is_shown_on_the_calendar(signed_in, memory_channel):
    services.channel_mark_needs_reconnecting(
        channel_id=memory_channel.pk, reason="The token expired.", notify=False
    )
    assert "Test channel needs reconnecting" in page(signed_in.get("/staff/social/"))


def test_the_dashboard_shows_what_waits(signed_in, story, memory_channel):
    services.posts_draft_for_story(story=story, actor=None)
    dashboard = page(signed_in.get("/staff/"))
    assert "Social posts to approve" in dashboard
    channel("console", name="Another")


def test_drafting_from_a_story_that_does_not_exist_is_404(signed_in, memory_channel):
    assert signed_in.post("/staff/social/new/", {"story": "abc"}).status_code == 404
    assert signed_in.post("/staff/social/new/", {"story": "999"}).status_code == 404
