"""Mastodon, through Mastodon.py itself, against mocked HTTP (responses)."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from django.utils import timezone
from responses import matchers

from council.models import OutboundEmail
from recognition.social import services
from recognition.social.models import SocialPost
from recognition.social.services import SocialError
from recognition.social.text import limits_for, text_problems
from tests.social.factories import channel, picture, published_story
from tests.social.helpers import beat, scheduled_post

pytestmark = pytest.mark.django_db

SERVER = "https://social.example"
STATUS = {
    "id": "110000000000000001",
    "url": f"{SERVER}/@council/110000000000000001",
    "uri": f"{SERVER}/users/council/statuses/110000000000000001",
    "content": "<p>Thank you</p>",
    "created_at": "2026-05-01T09:00:00.000Z",
    "visibility": "public",
    "media_attachments": [],
}


@pytest.fixture
def mastodon(db):
    return channel(
        "mastodon",
        name="Council Mastodon",
        server_url=SERVER,
        credentials={"access_token": "secret-token"},
    )


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def calls_to(http, path):
    return [call for call in http.calls if call.request.url.startswith(SERVER + path)]


def test_a_picture_is_uploaded_with_its_description_then_posted_with_an_idempotency_key(
    http, nomination, comms, mastodon
):
    story = published_story(nominations=[nomination], image=picture())
    http.post(
        f"{SERVER}/api/v2/media",
        json={"id": "900", "type": "image", "url": None, "description": story.hero_image_alt},
        match=[matchers.header_matcher({"Authorization": "Bearer secret-token"})],
    )
    http.post(f"{SERVER}/api/v1/statuses", json=STATUS)
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SENT
    assert (post.remote_id, post.remote_url) == (STATUS["id"], STATUS["url"])
    upload, status = http.calls
    assert upload.request.url == f"{SERVER}/api/v2/media"
    assert b"Maureen at her door with bags of shopping" in upload.request.body
    assert status.request.headers["Idempotency-Key"] == str(post.public_id)
    sent = dict(parse_qsl(status.request.body))
    assert sent["media_ids[]"] == "900"
    assert sent["status"] == post.text
    assert sent["visibility"] == "public"


def test_a_rate_limit_reschedules_after_mastodons_reset_time(http, story, comms, mastodon):
    reset = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    http.post(
        f"{SERVER}/api/v1/statuses",
        status=429,
        json={"error": "Too many requests"},
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        },
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    assert post.next_attempt_at == reset
    assert "rate limit" in post.last_error
    # Not sooner than Mastodon said: no request before the reset time.
    beat(now=reset - timedelta(seconds=30))
    assert len(calls_to(http, "/api/v1/statuses")) == 1
    http.replace(responses.POST, f"{SERVER}/api/v1/statuses", json=STATUS)
    beat(now=reset + timedelta(seconds=1))
    post.refresh_from_db()
    assert post.state == SocialPost.State.SENT
    # Both tries carried the same key: Mastodon would answer a repeat with the first status.
    keys = {call.request.headers["Idempotency-Key"] for call in calls_to(http, "/api/v1/statuses")}
    assert keys == {str(post.public_id)}


def test_an_expired_token_fails_the_post_and_emails_comms_with_a_link(http, story, comms, mastodon):
    http.post(f"{SERVER}/api/v1/statuses", status=401, json={"error": "The access token expired"})
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    mastodon.refresh_from_db()
    assert post.state == SocialPost.State.FAILED
    assert post.last_error == (
        "The credentials for Council Mastodon have expired. "
        "It said: \u201cThe access token expired\u201d"
    )
    assert mastodon.needs_reconnecting_since is not None
    assert mastodon.secret  # kept
    (email,) = OutboundEmail.objects.filter(subject="Council Mastodon needs reconnecting")
    assert f"https://proud.example.org/staff/social/posts/{post.pk}/" in email.body_text


def test_a_timeout_after_mastodon_accepted_the_post_is_unknown_and_never_resent(
    http, story, comms, mastodon
):
    http.post(f"{SERVER}/api/v1/statuses", body=requests.exceptions.ReadTimeout("Read timed out."))
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.UNKNOWN
    assert "may have been posted" in post.last_error
    for minutes in (1, 30, 600):
        beat(now=timezone.now() + timedelta(minutes=minutes))
    assert len(calls_to(http, "/api/v1/statuses")) == 1


def test_a_connection_that_never_opened_is_tried_again_later(http, story, comms, mastodon):
    http.post(
        f"{SERVER}/api/v1/statuses", body=requests.exceptions.ConnectTimeout("Connect timed out")
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    assert "could not be reached" in post.last_error


def test_a_post_mastodon_refuses_fails_at_once_with_its_words(http, story, comms, mastodon):
    http.post(
        f"{SERVER}/api/v1/statuses",
        status=422,
        json={"error": "Validation failed: Text character limit of 500 exceeded"},
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.FAILED
    assert "Text character limit of 500 exceeded" in post.last_error


def test_test_connection_reads_the_instances_own_limits(http, comms, mastodon):
    http.get(
        f"{SERVER}/api/v1/accounts/verify_credentials",
        json={"id": "1", "username": "council", "acct": "council"},
    )
    http.get(
        f"{SERVER}/api/v1/apps/verify_credentials",
        json={"name": "Proud to Support", "scopes": ["read", "write"]},
    )
    http.get(
        f"{SERVER}/api/v2/instance/",
        json={
            "domain": "social.example",
            "version": "4.4.0",
            "configuration": {
                "statuses": {"max_characters": 1000, "characters_reserved_per_url": 23},
                "media_attachments": {"description_limit": 1500},
            },
        },
    )
    result = services.channel_test(channel=mastodon, actor=comms)
    assert result == (
        "Council Mastodon works: it posts as @council@social.example. "
        "Posts can be up to 1,000 characters."
    )
    mastodon.refresh_from_db()
    assert mastodon.max_characters == 1000
    assert text_problems("x" * 1000, limits_for(mastodon)) == []


def test_test_connection_says_plainly_what_is_wrong(http, comms, mastodon):
    http.get(
        f"{SERVER}/api/v1/accounts/verify_credentials",
        json={"id": "1", "username": "council", "acct": "council"},
    )
    http.get(
        f"{SERVER}/api/v1/apps/verify_credentials",
        json={"name": "Proud to Support", "scopes": ["read"]},
    )
    with pytest.raises(SocialError) as wrong:
        services.channel_test(channel=mastodon, actor=comms)
    assert wrong.value.message.startswith(
        "The credentials for Council Mastodon do not allow posting."
    )
    http.replace(
        responses.GET,
        f"{SERVER}/api/v1/accounts/verify_credentials",
        status=401,
        json={"error": "The access token is invalid"},
    )
    with pytest.raises(SocialError) as wrong:
        services.channel_test(channel=mastodon, actor=comms)
    assert wrong.value.message == (
        "Council Mastodon did not accept the credentials: they may be mistyped or revoked. "
        "It said: \u201cThe access token is invalid\u201d"
    )
    http.replace(
        responses.GET,
        f"{SERVER}/api/v1/accounts/verify_credentials",
        body=requests.exceptions.ConnectionError("Name or service not known"),
    )
    with pytest.raises(SocialError) as wrong:
        services.channel_test(channel=mastodon, actor=comms)
    assert wrong.value.message.startswith("Council Mastodon could not be reached.")


def test_the_token_is_stored_encrypted(mastodon):
    assert "secret-token" not in mastodon.secret
    assert json.loads  # the stored value is a Fernet token, not JSON
    assert mastodon.secret.startswith("gAAAA")


def test_a_deleted_post_is_deleted_on_mastodon(http, story, nomination, comms, mastodon):
    from recognition.social.models import PostRemoval
    from tests.social.factories import WITHDRAW, record_consent

    http.post(f"{SERVER}/api/v1/statuses", json=STATUS)
    http.delete(f"{SERVER}/api/v1/statuses/{STATUS['id']}", json=STATUS)
    post = scheduled_post(story, comms)
    beat()
    record_consent(nomination.nominee, WITHDRAW)
    services.removal_run(removal_id=PostRemoval.objects.get(post=post).pk)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.DELETED
    assert len(calls_to(http, f"/api/v1/statuses/{STATUS['id']}")) == 1


def test_an_hour_of_retry_after_is_honoured(http, story, comms, mastodon):
    http.post(
        f"{SERVER}/api/v1/statuses",
        status=503,
        json={"error": "Service unavailable"},
        headers={"Retry-After": "3600"},
    )
    post = scheduled_post(story, comms)
    before = datetime.now(UTC)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    assert timedelta(minutes=59) < post.next_attempt_at - before < timedelta(minutes=61)
