"""The Atom feed at /stories/feed/ for the local paper: valid Atom, whole stories, stable ids."""

from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
import rnc2rng
from django.utils import timezone
from lxml import etree
from lxml import html as lxml_html

from recognition.stories.models import Story
from recognition.stories.selectors import stories_changed
from tests.stories.factories import StoryFactory, approved_nomination

pytestmark = pytest.mark.django_db

SITE = "https://proud.example.gov.uk"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"a": "http://www.w3.org/2005/Atom"}


@cache
def atom_schema() -> etree.RelaxNG:
    """RFC 4287's own schema (tests/stories/atom.rnc), converted to RELAX NG XML here."""
    rng = rnc2rng.dumps(rnc2rng.load(str(Path(__file__).with_name("atom.rnc"))))
    # rnc2rng declares the empty `local` prefix, which XML namespaces forbid; nothing refers to it.
    rng = rng.replace('xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode()))


def feed(client) -> etree._Element:
    response = client.get("/stories/feed/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    document = etree.fromstring(response.content)
    schema = atom_schema()
    assert schema.validate(document), schema.error_log
    # The rules RFC 4287 states in Schematron beside the schema: an author for every
    # entry (here the feed's), and each entry has an alternate link or content.
    assert document.find("a:author/a:name", NS) is not None
    for entry in document.findall("a:entry", NS):
        assert entry.find("a:link[@rel='alternate']", NS) is not None
    return document


def entries(document) -> list[etree._Element]:
    return document.findall("a:entry", NS)


@pytest.fixture(autouse=True)
def _site_url(settings, tmp_path):
    settings.SITE_URL = SITE
    # The stamp that retires cached story pages, apart from other test runs on this machine.
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def nomination():
    return approved_nomination(name="Maureen Clarke")


def test_an_empty_feed_is_still_valid_atom(client):
    document = feed(client)
    assert document.findtext("a:id", namespaces=NS) == f"{SITE}/stories/feed/"
    assert entries(document) == []


def test_each_story_is_an_entry_with_its_whole_text_its_image_and_its_dates(client, nomination):
    now = timezone.now()
    story = StoryFactory(
        nominations=[nomination],
        with_image=True,
        tags=["Good neighbours"],
        published_at=now - timedelta(days=2),
        public_updated_at=now - timedelta(days=1),
    )
    document = feed(client)
    assert document.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-gb"
    assert document.find("a:link[@rel='self']", NS).get("href") == f"{SITE}/stories/feed/"
    assert document.find("a:link[@rel='alternate']", NS).get("href") == f"{SITE}/stories/"
    [entry] = entries(document)
    assert entry.findtext("a:id", namespaces=NS) == f"urn:uuid:{story.public_id}"
    assert entry.findtext("a:title", namespaces=NS) == story.title
    assert entry.find("a:link[@rel='alternate']", NS).get("href") == (
        f"{SITE}/stories/{story.slug}/"
    )
    published = entry.findtext("a:published", namespaces=NS)
    updated = entry.findtext("a:updated", namespaces=NS)
    assert published.startswith(story.published_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert updated.startswith(story.public_updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert document.findtext("a:updated", namespaces=NS) == updated
    assert entry.find("a:summary", NS).text == story.summary
    assert [c.get("term") for c in entry.findall("a:category", NS)] == ["Good neighbours"]

    # The image: as an enclosure with its type and size, and in the content with its alt text.
    enclosure = entry.find("a:link[@rel='enclosure']", NS)
    assert enclosure.get("href") == f"{SITE}{story.hero_image.url}"
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) == story.hero_image.size > 0

    content = entry.find("a:content", NS)
    assert content.get("type") == "html"
    body = lxml_html.fragment_fromstring(content.text, create_parent="div")
    assert body.xpath("//figure/img/@src") == [f"{SITE}{story.hero_image.url}"]
    assert body.xpath("//figure/img/@alt") == [story.hero_image_alt]
    assert body.xpath("//figure/figcaption/text()") == [story.image_credit]
    assert body.xpath("//h2/text()") == ["Why she does it"]
    assert "Every Tuesday" in body.text_content()


def test_entries_are_newest_first_and_keep_their_id_when_the_address_changes(client, nomination):
    now = timezone.now()
    old = StoryFactory(nominations=[nomination], published_at=now - timedelta(days=5))
    new = StoryFactory(nominations=[nomination], published_at=now - timedelta(days=1))
    ids = [e.findtext("a:id", namespaces=NS) for e in entries(feed(client))]
    assert ids == [f"urn:uuid:{new.public_id}", f"urn:uuid:{old.public_id}"]

    Story.objects.filter(pk=old.pk).update(title="A new title", slug="a-new-title")
    stories_changed()  # a raw update, past the services and their signals
    [_, renamed] = entries(feed(client))
    assert renamed.findtext("a:id", namespaces=NS) == f"urn:uuid:{old.public_id}"
    assert renamed.findtext("a:title", namespaces=NS) == "A new title"


def test_the_content_is_sanitised_whatever_was_stored(client, nomination):
    StoryFactory(
        nominations=[nomination],
        summary="Fish & chips <b>for all</b>",
        body='<p onmouseover="x()">Safe</p><script>alert(1)</script><a href="javascript:y()">z</a>',
    )
    [entry] = entries(feed(client))
    content = entry.find("a:content", NS).text
    assert "Safe" in content
    for bad in ("onmouseover", "<script", "alert(1)", "javascript:"):
        assert bad not in content
    # The summary is plain text, escaped for a reader that treats it as HTML.
    assert entry.find("a:summary", NS).text == "Fish &amp; chips &lt;b&gt;for all&lt;/b&gt;"


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Story.Status.DRAFT, "published_at": None},
        {"status": Story.Status.SCHEDULED},
        {"status": Story.Status.TAKEN_DOWN, "takedown_kind": Story.Takedown.WITHDRAWN},
        {"status": Story.Status.TAKEN_DOWN, "takedown_kind": Story.Takedown.ERROR},
        {"status": Story.Status.TAKEN_DOWN, "takedown_kind": Story.Takedown.SUPERSEDED},
    ],
)
def test_only_published_stories_are_in_the_feed(client, nomination, changes):
    StoryFactory(nominations=[nomination], **changes)
    assert entries(feed(client)) == []


def test_a_story_consent_no_longer_allows_leaves_the_feed(client):
    unanswered = approved_nomination(name="Dorothy Pritchard", consent=None)
    StoryFactory(nominations=[unanswered], summary="Dorothy runs the lunch club.")
    assert entries(feed(client)) == []
