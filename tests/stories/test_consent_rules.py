"""A story shows a person only as their consent allows, checked again on every request,
and a change of consent takes a story down in the request that records it."""

import re

import pytest

from council.models import AuditLogEntry, OutboundEmail
from recognition.stories.models import Story
from recognition.stories.services.withdrawal import CONSENT_NOTICE
from tests.stories.factories import (
    EVERYTHING,
    WITHDRAW,
    StoryFactory,
    approved_nomination,
    record_consent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_stamp(settings, tmp_path):
    # The stamp that retires cached story pages, apart from other test runs on this machine.
    settings.VAR_DIR = tmp_path / "var"


def public(client, story) -> dict:
    """Where the story shows: on /stories/, on its own page (content shown or not), in the feed."""
    page = client.get(f"/stories/{story.slug}/")
    return {
        "listed": story.title in client.get("/stories/").content.decode(),
        "page": page.status_code,
        "content": story.title in page.content.decode(),
        "feed": f"urn:uuid:{story.public_id}" in client.get("/stories/feed/").content.decode(),
    }


SHOWN = {"listed": True, "page": 200, "content": True, "feed": True}
WITHDRAWN = {"listed": False, "page": 200, "content": False, "feed": False}
NOT_PUBLIC = {"listed": False, "page": 410, "content": False, "feed": False}


def test_a_withdrawal_takes_the_story_down_everywhere_in_the_same_request(client):
    nomination = approved_nomination(name="Maureen Clarke")
    story = StoryFactory(nominations=[nomination], title="Maureen Clarke, the good neighbour")
    other = StoryFactory(nominations=[approved_nomination(name="Someone Else")], title="Another")
    assert public(client, story) == SHOWN

    record_consent(nomination.nominee, WITHDRAW)

    assert public(client, story) == WITHDRAWN
    assert public(client, other) == SHOWN
    story.refresh_from_db()
    assert story.status == Story.Status.TAKEN_DOWN
    assert story.takedown_kind == Story.Takedown.WITHDRAWN
    assert story.takedown_notice == CONSENT_NOTICE and story.taken_down_at is not None
    # The page keeps a dated notice that names no one.
    page = client.get(f"/stories/{story.slug}/")
    content = page.content.decode()
    assert CONSENT_NOTICE in content and "This story has been withdrawn" in content
    assert not re.search("Maureen|Clarke", content)
    assert "no-store" in page["Cache-Control"]
    # Staff can see who and why; nobody did it by hand.
    entry = AuditLogEntry.objects.get(action="stories.story.withdrawn_for_consent")
    assert entry.actor is None and entry.object_id == str(story.pk)
    assert entry.data["nominees"] == [nomination.nominee_id]
    assert entry.data["problems"] == ["Maureen Clarke has withdrawn their consent."]


def test_withdrawing_on_the_consent_page_takes_the_story_down_before_the_answer_shows(client):
    nomination = approved_nomination(name="Maureen Clarke")
    story = StoryFactory(nominations=[nomination])
    email = OutboundEmail.objects.filter(to=[nomination.nominee.email]).order_by("pk").last()
    consent_page = re.search(r"/consent/[^\s/]+/", email.body_text).group(0)
    response = client.post(consent_page, {"withdraw": "all"})
    assert "Consent withdrawn" in response.content.decode()
    assert public(client, story) == WITHDRAWN


def test_changing_to_first_name_and_initial_withdraws_a_story_that_uses_the_surname(client):
    nomination = approved_nomination(name="Maureen Clarke")
    with_surname = StoryFactory(nominations=[nomination], summary="Maureen Clarke shops for all.")
    first_name_only = StoryFactory(
        nominations=[nomination],
        summary="Maureen C. shops for all.",
        body="<p>Maureen shops for six neighbours.</p>",
    )
    record_consent(nomination.nominee, EVERYTHING | {"name_display": "first_initial"})
    assert public(client, with_surname) == WITHDRAWN
    assert public(client, first_name_only) == SHOWN


def test_asking_not_to_be_named_withdraws_every_story_that_names_them(client):
    nomination = approved_nomination(name="Maureen Clarke")
    named = StoryFactory(nominations=[nomination], summary="Maureen shops for all.")
    unnamed = StoryFactory(
        nominations=[nomination],
        title="A good neighbour in Westoe",
        summary="One resident shops for six neighbours.",
        body="<p>Every week, without fail.</p>",
    )
    record_consent(nomination.nominee, EVERYTHING | {"name_display": "anonymous"})
    assert public(client, named) == WITHDRAWN
    assert public(client, unnamed) == SHOWN


def test_refusing_a_photo_withdraws_a_story_whose_image_shows_them(client):
    nomination = approved_nomination(name="Maureen Clarke")
    their_photo = StoryFactory(nominations=[nomination], with_image=True)
    the_market = StoryFactory(nominations=[nomination], with_image=True, image_shows_nominee=False)
    record_consent(nomination.nominee, EVERYTHING | {"photo_allowed": "no"})
    assert public(client, their_photo) == WITHDRAWN
    assert public(client, the_market) == SHOWN
    document = client.get(f"/stories/{the_market.slug}/").content.decode()
    assert the_market.hero_image.url in document


def test_a_story_about_two_people_goes_when_either_withdraws(client):
    first = approved_nomination(name="Maureen Clarke")
    second = approved_nomination(name="Dorothy Pritchard")
    story = StoryFactory(nominations=[first, second], summary="Two neighbours.")
    assert public(client, story) == SHOWN
    record_consent(second.nominee, WITHDRAW)
    assert public(client, story) == WITHDRAWN


def test_an_under_18_needs_a_guardian_to_agree_too(client):
    young = approved_nomination(name="Sam Young", young=True)
    story = StoryFactory(nominations=[young], summary="Sam Young runs the youth club tuck shop.")
    # The young person agreed; no parent or guardian has yet: not public anywhere.
    assert public(client, story) == NOT_PUBLIC
    assert client.get(f"/stories/{story.slug}/press-pack.zip").status_code == 404

    record_consent(young.nominee, EVERYTHING, role="guardian")
    assert public(client, story) == SHOWN

    # Then the guardian withdraws: down at once.
    record_consent(young.nominee, WITHDRAW, role="guardian")
    assert public(client, story) == WITHDRAWN


def test_a_guardian_alone_cannot_publish_an_under_18(client):
    young = approved_nomination(
        name="Sam Young", young=True, consent=None, guardian_consent=EVERYTHING
    )
    story = StoryFactory(nominations=[young], summary="Sam Young runs the tuck shop.")
    assert public(client, story) == NOT_PUBLIC


def test_the_more_private_name_choice_of_young_person_and_guardian_wins(client):
    young = approved_nomination(
        name="Sam Young",
        young=True,
        guardian_consent=EVERYTHING | {"name_display": "first_initial"},
    )
    full_name = StoryFactory(nominations=[young], summary="Sam Young runs the tuck shop.")
    first_name = StoryFactory(nominations=[young], summary="Sam Y. runs the tuck shop.", body="")
    assert public(client, full_name) == NOT_PUBLIC
    assert public(client, first_name) == SHOWN


def test_a_change_that_still_allows_the_story_leaves_it_published(client):
    nomination = approved_nomination(name="Maureen Clarke")
    story = StoryFactory(nominations=[nomination])
    record_consent(nomination.nominee, EVERYTHING | {"channels": ["website_story"]})
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert public(client, story) == SHOWN
    assert not AuditLogEntry.objects.filter(action="stories.story.withdrawn_for_consent").exists()
