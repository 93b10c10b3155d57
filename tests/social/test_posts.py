"""Posts from a published story: drafted, approved, scheduled and sent by beat exactly once,
held by the pre-election pause, and following consent after they are sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from council import services as council_services
from council.models import AuditLogEntry, OutboundEmail
from council.outgoing import OutgoingWork
from council.roles import Role
from recognition.social import services
from recognition.social.channels import memory
from recognition.social.channels.base import ChannelError, Problem
from recognition.social.models import PostRemoval, SocialPost
from recognition.social.services import MESSAGES, SocialError
from tests.council.factories import StaffFactory
from tests.social.factories import (
    NO_SOCIAL,
    WITHDRAW,
    approved_nomination,
    channel,
    picture,
    published_story,
    record_consent,
)

pytestmark = pytest.mark.django_db

State = SocialPost.State
Status = OutgoingWork.Status


def drafted(story, comms, **channel_fields):
    return services.posts_draft_for_story(story=story, actor=comms)


def scheduled(post, comms, *, when=None):
    services.post_approve(post=post, actor=comms)
    return services.post_schedule(post=post, actor=comms, when=when or timezone.now())


def sent_posts(channel):
    return list(memory.posts.get(channel.pk, {}).values())


def test_a_published_story_gets_one_draft_per_active_channel_with_link_and_hashtag(
    story, comms, memory_channel, console_channel
):
    channel("console", name="Switched off", active=False)
    posts = services.posts_draft_for_story(story=story, actor=comms)
    assert sorted(post.channel.name for post in posts) == ["Console", "Test channel"]
    for post in posts:
        assert post.state == State.DRAFT
        assert f"https://proud.example.org/stories/{story.slug}/" in post.text
        assert post.text.endswith("#ProudtoSupport")
    # Again: nothing new, every active channel has its post.
    assert services.posts_draft_for_story(story=story, actor=comms) == []


def test_only_a_published_story_can_be_posted_about(story, comms, memory_channel):
    story.status = story.Status.APPROVED
    story.save()
    with pytest.raises(SocialError) as refused:
        services.posts_draft_for_story(story=story, actor=comms)
    assert refused.value.message == MESSAGES["not_published"]


def test_approving_needs_the_permission(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    volunteer_coordinator = StaffFactory(roles=[Role.COORDINATOR])
    with pytest.raises(SocialError) as refused:
        services.post_approve(post=post, actor=volunteer_coordinator)
    assert refused.value.message == MESSAGES["cannot_approve"]
    services.post_approve(post=post, actor=comms)
    post.refresh_from_db()
    assert post.state == State.APPROVED and post.approved_by == comms


def test_editing_an_approved_post_sends_it_back_for_approval(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms, when=timezone.now() + timedelta(hours=2))
    services.post_edit(
        post=post, actor=comms, text="New words", image_alt="", image_shows_nominee=True
    )
    post.refresh_from_db()
    assert post.state == State.DRAFT
    assert post.approved_at is None and post.scheduled_for is None
    assert AuditLogEntry.objects.filter(
        action="social.post.edited", data__approval_withdrawn=True
    ).exists()


def test_text_over_the_channels_limit_is_refused_beside_the_field(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    with pytest.raises(SocialError) as refused:
        services.post_edit(
            post=post, actor=comms, text="x" * 301, image_alt="", image_shows_nominee=True
        )
    assert refused.value.field == "text"
    assert (
        refused.value.message == "In-memory posts must be 300 characters or fewer: this one has 301"
    )


def test_a_picture_needs_its_description(nomination, comms, memory_channel):
    story = published_story(nominations=[nomination], image=picture())
    (post,) = drafted(story, comms)
    assert post.image and post.image_alt == story.hero_image_alt
    with pytest.raises(SocialError) as refused:
        services.post_edit(
            post=post, actor=comms, text=post.text, image_alt=" ", image_shows_nominee=True
        )
    assert refused.value.field == "image_alt"
    assert refused.value.message == "Describe the picture for people who cannot see it (alt text)"


def test_a_bluesky_picture_over_a_megabyte_is_made_smaller_before_approval(nomination, comms):
    big = picture((1400, 1000), noisy=True)
    assert len(big) > 1_000_000
    story = published_story(nominations=[nomination], image=big)
    channel("bluesky", name="Bluesky", account="council.bsky.social")
    (post,) = drafted(story, comms)
    assert post.image.size == len(big)
    assert 0 < post.image_for_channel.size <= 1_000_000


@pytest.mark.parametrize(
    "make, problem",
    [
        (
            lambda: approved_nomination(consent=NO_SOCIAL),
            "Maureen Clarke has not agreed to social media posts.",
        ),
        (
            lambda: approved_nomination(
                name="Sam Young",
                young=True,
                consent={
                    **NO_SOCIAL,
                    "channels": ["roll_of_honour", "website_story", "social_media"],
                },
                guardian_consent=NO_SOCIAL,
            ),
            "Sam Young is under 18: both they and a parent or guardian must agree to social media posts.",
        ),
    ],
    ids=["no social media consent", "under 18 without the guardian"],
)
def test_a_post_about_a_nominee_needs_their_social_media_consent(
    make, problem, comms, memory_channel
):
    nomination = make()
    story = published_story(nominations=[nomination], summary="A neighbour who shops for six.")
    (post,) = drafted(story, comms)
    with pytest.raises(SocialError) as refused:
        services.post_approve(post=post, actor=comms)
    assert problem in refused.value.problems


def test_never_a_post_about_a_nominee_who_has_died(nomination, comms, memory_channel):
    from nominations import services as nominations

    story = published_story(nominations=[nomination])
    nominations.nominee_mark_died(nominee=nomination.nominee, has_died=True, actor=comms)
    (post,) = drafted(story, comms)
    with pytest.raises(SocialError) as refused:
        services.post_approve(post=post, actor=comms)
    assert (
        "Maureen Clarke has died. The council never posts about a nominee who has died on social media."
        in refused.value.problems
    )


def test_a_name_the_nominee_did_not_agree_to_show_is_refused(comms, memory_channel):
    nomination = approved_nomination(
        consent={
            **NO_SOCIAL,
            "channels": ["website_story", "social_media"],
            "name_display": "first_initial",
        }
    )
    story = published_story(nominations=[nomination], summary="Maureen shops for six.")
    (post,) = drafted(story, comms)
    services.post_edit(
        post=post,
        actor=comms,
        text="Thank you Maureen Clarke!",
        image_alt="",
        image_shows_nominee=True,
    )
    with pytest.raises(SocialError) as refused:
        services.post_approve(post=post, actor=comms)
    assert (
        "Maureen Clarke asked to be shown as \u201cMaureen C.\u201d, but the post says \u201cClarke\u201d."
        in refused.value.problems
    )


# --- Beat sends due posts, once ---------------------------------------------------------------


def test_beat_sends_due_posts_only_and_each_once(nomination, comms, memory_channel):
    now = timezone.now()
    due, later = (
        drafted(published_story(nominations=[nomination], title=title), comms)[0]
        for title in ("Due now", "Due tomorrow")
    )
    scheduled(due, comms, when=now)
    scheduled(later, comms, when=now + timedelta(days=1))
    draft = drafted(published_story(nominations=[nomination], title="Only a draft"), comms)[0]

    assert services.posts_send_due(now=now + timedelta(seconds=30))["sent"] == 1
    assert services.posts_send_due(now=now + timedelta(seconds=90))["sent"] == 0
    for post in (due, later, draft):
        post.refresh_from_db()
    assert (due.state, later.state, draft.state) == (State.SENT, State.SCHEDULED, State.DRAFT)
    assert due.remote_url == f"https://memory.invalid/{memory_channel.pk}/{due.public_id}"
    assert [p["text"] for p in sent_posts(memory_channel)] == [due.text]
    # A second worker, or a redelivered message, finds it sent and does nothing.
    assert services.post_send(post_id=due.pk) is None
    assert due.attempts == 1


def test_the_console_channel_writes_the_post_to_a_file(story, comms, console_channel, settings):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    services.posts_send_due()
    post.refresh_from_db()
    assert post.state == State.SENT
    written = (
        settings.VAR_DIR / "social" / f"channel-{console_channel.pk}" / f"{post.public_id}.txt"
    )
    assert written.read_text().startswith(post.text)


def test_a_rate_limited_post_waits_for_the_channels_reset_time(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    now = timezone.now()
    reset = now + timedelta(minutes=7)
    memory.fail_next.append(ChannelError(Problem.RATE_LIMITED, "Slow down", retry_at=reset))
    services.posts_send_due(now=now)
    post.refresh_from_db()
    assert post.state == State.SCHEDULED and post.next_attempt_at == reset
    assert "asked us to wait" in post.last_error
    assert services.posts_send_due(now=now + timedelta(minutes=6))["sent"] == 0
    assert services.posts_send_due(now=now + timedelta(minutes=8))["sent"] == 1


def test_a_content_error_fails_at_once_with_the_channels_words(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    memory.fail_next.append(ChannelError(Problem.CONTENT, "Text is too long"))
    services.posts_send_due()
    post.refresh_from_db()
    assert post.state == State.FAILED
    assert post.last_error == "Test channel refused the post. It said: \u201cText is too long\u201d"
    services.post_retry(post=post, actor=comms)
    services.posts_send_due()
    post.refresh_from_db()
    assert post.state == State.SENT


def test_an_uncertain_outcome_is_never_resent_by_itself(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    memory.fail_next.append(ChannelError(Problem.UNCERTAIN, "Read timed out"))
    services.posts_send_due()
    post.refresh_from_db()
    assert post.state == State.UNKNOWN
    services.posts_send_due(now=timezone.now() + timedelta(hours=1))
    post.refresh_from_db()
    assert post.state == State.UNKNOWN and post.attempts == 1
    # A person checks: it was not posted, so it is approved again, waiting for them.
    services.post_reconcile(post=post, actor=comms, posted=False)
    post.refresh_from_db()
    assert post.state == State.APPROVED


def test_a_person_records_that_an_unknown_post_was_posted(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    memory.fail_next.append(ChannelError(Problem.UNCERTAIN, "Read timed out"))
    services.posts_send_due()
    with pytest.raises(SocialError) as refused:
        services.post_reconcile(post=post, actor=comms, posted=True, url="")
    assert refused.value.field == "url"
    services.post_reconcile(
        post=post, actor=comms, posted=True, url="https://social.example/@council/1"
    )
    post.refresh_from_db()
    assert post.state == State.SENT and post.remote_url == "https://social.example/@council/1"


def test_a_worker_that_died_mid_send_leaves_the_post_for_a_person(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    SocialPost.objects.filter(pk=post.pk).update(
        status=Status.SENDING, status_changed_at=timezone.now() - timedelta(hours=1)
    )
    assert services.posts_send_due()["settled"] == 1
    post.refresh_from_db()
    assert post.state == State.UNKNOWN
    assert sent_posts(memory_channel) == []


def test_an_auth_error_fails_marks_the_channel_once_and_emails_comms(
    nomination, comms, memory_channel
):
    first, second = (
        drafted(published_story(nominations=[nomination], title=title), comms)[0]
        for title in ("First", "Second")
    )
    scheduled(first, comms)
    scheduled(second, comms)
    memory.fail_next.append(ChannelError(Problem.EXPIRED_TOKEN, "Token has expired"))
    services.posts_send_due()
    first.refresh_from_db()
    second.refresh_from_db()
    memory_channel.refresh_from_db()
    assert first.state == State.FAILED
    assert memory_channel.needs_reconnecting_since is not None
    # The second is not even tried against a channel known to refuse its credentials.
    assert second.state == State.FAILED and "needs reconnecting" in second.last_error
    (email,) = OutboundEmail.objects.filter(subject="Test channel needs reconnecting")
    assert email.to == ["comms@example.org"]
    assert f"https://proud.example.org/staff/social/posts/{first.pk}/" in email.body_text
    # The credentials are kept; a retry waits until the channel works again.
    with pytest.raises(SocialError):
        services.post_retry(post=first, actor=comms)
    services.channel_test(channel=memory_channel, actor=comms)
    memory_channel.refresh_from_db()
    assert memory_channel.needs_reconnecting_since is None
    services.post_retry(post=first, actor=comms)
    services.posts_send_due()
    first.refresh_from_db()
    assert first.state == State.SENT
    # Another incident, another single notice.
    memory.fail_next.append(ChannelError(Problem.BAD_TOKEN, "Revoked"))
    services.post_edit(
        post=second, actor=comms, text=second.text, image_alt="", image_shows_nominee=True
    )
    scheduled(second, comms)
    services.posts_send_due()
    assert OutboundEmail.objects.filter(subject="Test channel needs reconnecting").count() == 2


def test_the_daily_check_warns_of_a_dead_token_before_a_scheduled_post_fails(
    story, comms, memory_channel
):
    (post,) = drafted(story, comms)
    scheduled(post, comms, when=timezone.now() + timedelta(hours=3))
    memory.fail_next.append(ChannelError(Problem.EXPIRED_TOKEN, "Token has expired"))
    assert services.channels_check() == {"Test channel": "needs reconnecting"}
    (email,) = OutboundEmail.objects.filter(subject="Test channel needs reconnecting")
    assert "1 more post is scheduled on this channel" in email.body_text
    assert services.channels_check() == {"Test channel": "ok"}


# --- The pre-election pause -------------------------------------------------------------------


def test_the_pause_holds_everything_and_nothing_goes_until_staff_confirm(
    nomination, comms, memory_channel
):
    admin = StaffFactory(is_superuser=True)
    posts = [
        drafted(published_story(nominations=[nomination], title=f"Story {n}"), comms)[0]
        for n in range(3)
    ]
    for post in posts:
        scheduled(post, comms)
    council_services.publishing_pause(actor=admin, reason="Local elections on 7 May")
    assert services.posts_send_due()["held"] == 3
    assert sent_posts(memory_channel) == []
    for post in posts:
        post.refresh_from_db()
        assert post.state == State.HELD
    with pytest.raises(SocialError) as refused:
        services.post_release(post=posts[0], actor=comms)
    assert refused.value.message == MESSAGES["still_paused"]

    council_services.publishing_resume(actor=admin)
    # The pause is over, but nothing held goes out by itself.
    services.posts_send_due(now=timezone.now() + timedelta(days=1))
    assert sent_posts(memory_channel) == []
    services.post_release(post=posts[0], actor=comms)
    services.posts_send_due()
    assert len(sent_posts(memory_channel)) == 1


def test_a_pause_that_begins_between_beats_is_read_fresh(story, comms, memory_channel):
    from council.selectors import council_settings

    (post,) = drafted(story, comms)
    scheduled(post, comms)
    council_settings()  # cached without a pause
    council_services.publishing_pause(actor=comms, reason="Purdah")
    services.posts_send_due()
    post.refresh_from_db()
    assert post.state == State.HELD


# --- Consent withdrawn ----------------------------------------------------------------------------


def test_withdrawal_unapproves_posts_not_yet_sent(story, nomination, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms, when=timezone.now() + timedelta(hours=1))
    record_consent(nomination.nominee, WITHDRAW)
    post.refresh_from_db()
    assert post.state == State.DRAFT
    assert post.last_error.startswith("Consent changed.")
    services.posts_send_due(now=timezone.now() + timedelta(hours=2))
    assert sent_posts(memory_channel) == []


def test_withdrawal_after_sending_deletes_the_post_where_the_api_allows(
    story, nomination, comms, memory_channel, django_capture_on_commit_callbacks
):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    services.posts_send_due()
    assert len(sent_posts(memory_channel)) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        record_consent(nomination.nominee, WITHDRAW)
    assert callbacks  # the removal is queued for the worker once the withdrawal commits
    removal = PostRemoval.objects.get(post=post)
    services.removal_run(removal_id=removal.pk)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.DELETED
    assert sent_posts(memory_channel) == []


def test_staff_are_told_where_a_post_must_be_removed_by_hand(
    story, nomination, comms, memory_channel
):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    services.posts_send_due()
    record_consent(nomination.nominee, WITHDRAW)
    memory.fail_next.append(ChannelError(Problem.BAD_TOKEN, "Revoked"))
    services.removal_run(removal_id=PostRemoval.objects.get(post=post).pk)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.BY_HAND
    (email,) = OutboundEmail.objects.filter(subject="Remove a post from Test channel by hand")
    assert post.remote_url in email.body_text
    assert f"/staff/social/posts/{post.pk}/" in email.body_text
    services.post_removed_by_hand(post=post, actor=comms)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.REMOVED_BY_HAND


def test_a_story_taken_down_by_staff_takes_its_sent_posts_down_too(story, comms, memory_channel):
    (post,) = drafted(story, comms)
    scheduled(post, comms)
    services.posts_send_due()
    story.status = story.Status.TAKEN_DOWN
    story.takedown_kind = story.Takedown.ERROR
    story.save()
    assert services.posts_send_due()["removing"] == 1
    services.removal_run(removal_id=PostRemoval.objects.get(post=post).pk)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.DELETED
    assert sent_posts(memory_channel) == []
    assert services.posts_send_due()["removing"] == 0


def test_taking_a_story_down_starts_removing_its_sent_posts_in_the_same_request(
    story, comms, memory_channel
):
    from recognition.stories.services.workflow import story_take_down

    (post,) = drafted(story, comms)
    scheduled(post, comms)
    services.posts_send_due()
    story_take_down(story=story, actor=comms, kind="error", reason="Wrong person named")
    post.refresh_from_db()
    # No beat run in between: the take-down itself queued the removal.
    removal = PostRemoval.objects.get(post=post)
    services.removal_run(removal_id=removal.pk)
    post.refresh_from_db()
    assert post.removal == SocialPost.Removal.DELETED
    assert sent_posts(memory_channel) == []


def test_the_beat_task_runs_the_send_job(story, comms, memory_channel):
    from recognition.social import tasks

    (post,) = drafted(story, comms)
    scheduled(post, comms)
    counts = tasks.posts_send_due.apply().get()
    assert counts["sent"] == 1
