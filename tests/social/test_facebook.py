"""A Facebook Page, through the Graph API over HTTPS (requests), against mocked HTTP (responses)."""

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from django.utils import timezone

from council.models import OutboundEmail
from recognition.social import services
from recognition.social.models import SocialPost
from recognition.social.services import SocialError
from tests.social.factories import channel, picture, published_story
from tests.social.helpers import beat, scheduled_post

pytestmark = pytest.mark.django_db

GRAPH = "https://graph.facebook.com/v21.0"
PAGE = "104123456789012"


@pytest.fixture
def facebook(db):
    return channel(
        "facebook",
        name="Council Facebook",
        account=PAGE,
        credentials={"page_token": "EAAB-page-token"},
    )


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_post_links_the_story_and_keeps_the_token_out_of_the_address(
    http, story, comms, facebook
):
    http.post(f"{GRAPH}/{PAGE}/feed", json={"id": f"{PAGE}_555"})
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SENT
    assert post.remote_url == f"https://www.facebook.com/{PAGE}_555"
    (call,) = http.calls
    assert "access_token" not in call.request.url
    sent = dict(parse_qsl(call.request.body))
    assert sent == {
        "message": post.text,
        "link": f"https://proud.example.org/stories/{story.slug}/",
        "access_token": "EAAB-page-token",
    }


def test_a_picture_goes_with_its_alt_text(http, nomination, comms, facebook):
    story = published_story(nominations=[nomination], image=picture())
    http.post(f"{GRAPH}/{PAGE}/photos", json={"id": "777", "post_id": f"{PAGE}_778"})
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.remote_id == f"{PAGE}_778"
    body = http.calls[0].request.body
    assert b'name="alt_text_custom"' in body
    assert b"Maureen at her door with bags of shopping" in body
    assert b'name="source"' in body


def test_an_expired_page_token_fails_the_post_and_emails_comms(http, story, comms, facebook):
    http.post(
        f"{GRAPH}/{PAGE}/feed",
        status=400,
        json={
            "error": {
                "message": "Error validating access token: Session has expired on Friday.",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
            }
        },
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    facebook.refresh_from_db()
    assert post.state == SocialPost.State.FAILED
    assert post.last_error.startswith("The credentials for Council Facebook have expired.")
    assert facebook.needs_reconnecting_since is not None
    (email,) = OutboundEmail.objects.filter(subject="Council Facebook needs reconnecting")
    assert f"/staff/social/posts/{post.pk}/" in email.body_text


def test_a_rate_limit_is_retried_after_facebooks_wait(http, story, comms, facebook):
    http.post(
        f"{GRAPH}/{PAGE}/feed",
        status=400,
        json={"error": {"message": "Page request limit reached", "code": 32}},
        headers={"Retry-After": "600"},
    )
    post = scheduled_post(story, comms)
    before = timezone.now()
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    assert timedelta(minutes=9) < post.next_attempt_at - before < timedelta(minutes=11)


def test_no_answer_after_the_request_left_is_unknown_never_a_second_post(
    http, story, comms, facebook
):
    http.post(f"{GRAPH}/{PAGE}/feed", body=requests.exceptions.ReadTimeout("Read timed out."))
    post = scheduled_post(story, comms)
    beat()
    beat(now=timezone.now() + timedelta(hours=1))
    post.refresh_from_db()
    assert post.state == SocialPost.State.UNKNOWN
    assert len(http.calls) == 1


def test_a_gateway_timeout_is_unknown_too(http, story, comms, facebook):
    http.post(f"{GRAPH}/{PAGE}/feed", status=504, body="Gateway Time-out")
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.UNKNOWN


def test_test_connection_says_when_the_token_is_for_another_page(http, comms, facebook):
    http.get(f"{GRAPH}/me", json={"id": "999", "name": "Someone's own profile"})
    with pytest.raises(SocialError) as wrong:
        services.channel_test(channel=facebook, actor=comms)
    assert wrong.value.message == (
        "The credentials for Council Facebook do not allow posting. It said: "
        "\u201cThis token is for Someone's own profile, not the Page 104123456789012. "
        "Use the Page's own access token.\u201d"
    )
    http.replace(responses.GET, f"{GRAPH}/me", json={"id": PAGE, "name": "South Riverside Council"})
    assert services.channel_test(channel=facebook, actor=comms).startswith(
        "Council Facebook works: it posts as South Riverside Council."
    )
