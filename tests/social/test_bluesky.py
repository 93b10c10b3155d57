"""Bluesky, through the atproto SDK itself, against mocked HTTP (respx)."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.utils import timezone

from council.models import OutboundEmail
from recognition.social import services
from recognition.social.channels.base import PostContent
from recognition.social.channels.bluesky import record_key
from recognition.social.models import Channel, SocialPost
from recognition.social.secrets import seal, unseal
from recognition.social.services import SocialError
from tests.social.factories import channel, picture, published_story
from tests.social.helpers import beat, scheduled_post

pytestmark = pytest.mark.django_db

DID = "did:plc:council123"
BLOB = {
    "$type": "blob",
    "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
    "mimeType": "image/jpeg",
    "size": 1234,
}


def jwt(scope: str, *, expires_in: int) -> str:
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"scope": scope, "sub": DID, "iat": now, "exp": now + expires_in}
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(payload)}.c2lnbmF0dXJl"


def session(*, scope="com.atproto.appPass", expires_in=7200):
    return {
        "accessJwt": jwt(scope, expires_in=expires_in),
        "refreshJwt": jwt("com.atproto.refresh", expires_in=90 * 86400),
        "handle": "council.bsky.social",
        "did": DID,
    }


@pytest.fixture
def bluesky(db):
    return channel(
        "bluesky",
        name="Council Bluesky",
        account="council.bsky.social",
        credentials={"app_password": "abcd-efgh-ijkl-mnop"},
    )


@pytest.fixture
def xrpc():
    with respx.mock(base_url="https://bsky.social/xrpc", assert_all_called=False) as router:
        router.post("/com.atproto.server.createSession").respond(json=session())
        router.post("/com.atproto.repo.uploadBlob").respond(json={"blob": BLOB})
        yield router


def created(rkey: str) -> dict:
    return {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafyreib2rxk3rh6kzwq"}


def record_sent(route) -> dict:
    return json.loads(route.calls.last.request.content)


def test_a_picture_is_uploaded_then_posted_with_its_alt_text_and_link_facets(
    xrpc, nomination, comms, bluesky
):
    story = published_story(nominations=[nomination], image=picture())
    create = xrpc.post("/com.atproto.repo.createRecord")
    post = scheduled_post(story, comms)
    rkey = record_key(
        PostContent(
            key=str(post.public_id),
            text="",
            link="",
            link_title="",
            link_description="",
            created_at=post.created_at,
        )
    )
    create.respond(json=created(rkey))
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SENT
    assert post.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert post.remote_url == f"https://bsky.app/profile/council.bsky.social/post/{rkey}"
    paths = [call.request.url.path for call in xrpc.calls]
    assert paths == [
        "/xrpc/com.atproto.server.createSession",
        "/xrpc/com.atproto.repo.uploadBlob",
        "/xrpc/com.atproto.repo.createRecord",
    ]
    sent = record_sent(create)
    assert sent["rkey"] == rkey and sent["repo"] == DID
    record = sent["record"]
    assert record["text"] == post.text
    (image,) = record["embed"]["images"]
    assert image["alt"] == "Maureen at her door with bags of shopping"
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (120, 80)
    link = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#link"))
    encoded = post.text.encode()
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert encoded[start:end].decode() == link["features"][0]["uri"]
    assert link["features"][0]["uri"] == f"https://proud.example.org/stories/{story.slug}/"


def test_without_a_picture_the_story_becomes_a_link_card(xrpc, story, comms, bluesky):
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created("3kaaaaaaaaaaa"))
    scheduled_post(story, comms)
    beat()
    external = record_sent(create)["record"]["embed"]["external"]
    external.pop("$type", None)
    assert external == {
        "uri": f"https://proud.example.org/stories/{story.slug}/",
        "title": story.title,
        "description": story.summary,
    }


def test_the_session_is_kept_encrypted_and_reused_instead_of_logging_in_again(
    xrpc, nomination, comms, bluesky
):
    xrpc.post("/com.atproto.repo.createRecord").respond(json=created("3kaaaaaaaaaaa"))
    for title in ("First", "Second"):
        scheduled_post(published_story(nominations=[nomination], title=title), comms)
        beat()
    assert xrpc.routes[0].call_count == 1  # createSession: Bluesky limits logins
    bluesky.refresh_from_db()
    assert DID not in bluesky.session
    assert unseal(bluesky.session)["session"].startswith("council.bsky.social:::" + DID)


def test_an_old_session_is_refreshed_and_the_new_one_kept(xrpc, story, comms, bluesky):
    old = session(expires_in=60)  # within the SDK's 15 minutes: it refreshes first
    fresh = session()
    stored = f"council.bsky.social:::{DID}:::{old['accessJwt']}:::{old['refreshJwt']}:::https://bsky.social/xrpc"
    Channel.objects.filter(pk=bluesky.pk).update(session=seal({"session": stored}))
    refresh = xrpc.post("/com.atproto.server.refreshSession").respond(json=fresh)
    xrpc.post("/com.atproto.repo.createRecord").respond(json=created("3kaaaaaaaaaaa"))
    scheduled_post(story, comms)
    beat()
    assert refresh.call_count == 1
    assert xrpc.routes[0].call_count == 0  # no login with the app password
    bluesky.refresh_from_db()
    assert fresh["accessJwt"] in unseal(bluesky.session)["session"]


def test_a_rate_limit_waits_for_bluesky_s_reset_time(xrpc, story, comms, bluesky):
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    xrpc.post("/com.atproto.repo.createRecord").respond(
        status_code=429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"ratelimit-reset": str(int(reset.timestamp())), "ratelimit-remaining": "0"},
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SCHEDULED
    assert post.next_attempt_at == reset


def test_an_expired_app_password_fails_and_emails_comms(story, comms, bluesky):
    with respx.mock(base_url="https://bsky.social/xrpc") as xrpc:
        xrpc.post("/com.atproto.server.createSession").respond(
            status_code=401,
            json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        )
        post = scheduled_post(story, comms)
        beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.FAILED
    assert "Invalid identifier or password" in post.last_error
    (email,) = OutboundEmail.objects.filter(subject="Council Bluesky needs reconnecting")
    assert f"/staff/social/posts/{post.pk}/" in email.body_text


def test_a_timeout_after_bluesky_accepted_the_post_is_unknown_and_never_resent(
    xrpc, story, comms, bluesky
):
    create = xrpc.post("/com.atproto.repo.createRecord").mock(
        side_effect=httpx.ReadTimeout("timed out")
    )
    post = scheduled_post(story, comms)
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.UNKNOWN
    beat(now=timezone.now() + timedelta(hours=2))
    assert create.call_count == 1


def test_a_repeat_of_a_post_that_did_go_out_finds_it_instead_of_posting_twice(
    xrpc, story, comms, bluesky
):
    create = xrpc.post("/com.atproto.repo.createRecord").mock(
        side_effect=httpx.ReadTimeout("timed out")
    )
    post = scheduled_post(story, comms)
    beat()
    # A person could not find it and says it was not posted; it was, after all.
    services.post_reconcile(post=post, actor=comms, posted=False)
    services.post_schedule(post=post, actor=comms, when=timezone.now())
    create.mock(
        side_effect=None,
        return_value=httpx.Response(
            400, json={"error": "InvalidRequest", "message": "Record already exists"}
        ),
    )
    existing = xrpc.get("/com.atproto.repo.getRecord").respond(
        json={
            "uri": f"at://{DID}/app.bsky.feed.post/3kaaaaaaaaaaa",
            "cid": "bafyreib2rxk3rh6kzwq",
            "value": {
                "$type": "app.bsky.feed.post",
                "text": post.text,
                "createdAt": "2026-05-01T09:00:00Z",
            },
        }
    )
    beat()
    post.refresh_from_db()
    assert post.state == SocialPost.State.SENT
    assert existing.call_count == 1 and create.call_count == 2


def test_test_connection_refuses_the_accounts_own_password(comms, bluesky):
    with respx.mock(base_url="https://bsky.social/xrpc") as xrpc:
        xrpc.post("/com.atproto.server.createSession").respond(
            json=session(scope="com.atproto.access")
        )
        with pytest.raises(SocialError) as wrong:
            services.channel_test(channel=bluesky, actor=comms)
    assert "This is the account's own password. Make an app password" in wrong.value.message


def test_test_connection_with_an_app_password(comms, bluesky):
    with respx.mock(base_url="https://bsky.social/xrpc") as xrpc:
        xrpc.post("/com.atproto.server.createSession").respond(json=session())
        xrpc.get("/com.atproto.server.getSession").respond(
            json={"handle": "council.bsky.social", "did": DID}
        )
        result = services.channel_test(channel=bluesky, actor=comms)
    assert result == (
        "Council Bluesky works: it posts as @council.bsky.social. Posts can be up to 300 characters."
    )


def test_an_unreachable_server_is_said_plainly(comms, bluesky):
    with respx.mock(base_url="https://bsky.social/xrpc") as xrpc:
        xrpc.post("/com.atproto.server.createSession").mock(
            side_effect=httpx.ConnectError("Name or service not known")
        )
        with pytest.raises(SocialError) as wrong:
            services.channel_test(channel=bluesky, actor=comms)
    assert wrong.value.message.startswith("Council Bluesky could not be reached.")
