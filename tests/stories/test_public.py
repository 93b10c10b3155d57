"""The public side of stories: /stories/, each story's page and what it tells other sites."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html
from tinyhtml5.parser import HTMLParser

from recognition.stories.models import Story, StorySlug
from recognition.stories.selectors import (
    GENERATION_KEY,
    PAGE_SIZE,
    stories_changed,
    story_links,
    story_page_context,
)
from tests.council.factories import AreaFactory
from tests.stories.factories import (
    NOT_THE_PRESS,
    WITHDRAW,
    StoryFactory,
    approved_nomination,
    record_consent,
)

pytestmark = pytest.mark.django_db

SITE = "https://proud.example.gov.uk"


@pytest.fixture(autouse=True)
def _site_url(settings, tmp_path):
    settings.SITE_URL = SITE
    # The stamp that retires cached story pages, apart from other test runs on this machine.
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def nomination():
    return approved_nomination(name="Maureen Clarke")


def page_of(response) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(response.content.decode())


def assert_valid_html(response):
    """Parses as HTML5 without a single error, and no id is used twice."""
    parser = HTMLParser()
    parser.parse(response.content.decode())
    assert parser.errors == []
    ids = page_of(response).xpath("//@id")
    assert len(ids) == len(set(ids))


def meta(document, prop: str) -> str | None:
    found = document.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')
    return found[0] if found else None


# --- /stories/ --------------------------------------------------------------------------


def test_the_list_shows_published_stories_newest_first_with_summary_image_and_date(
    client, nomination
):
    now = timezone.now()
    older = StoryFactory(
        nominations=[nomination], title="An older story", published_at=now - timedelta(days=3)
    )
    newer = StoryFactory(
        nominations=[nomination],
        title="A newer story",
        published_at=now - timedelta(days=1),
        with_image=True,
    )
    StoryFactory(nominations=[nomination], title="Still a draft", status=Story.Status.DRAFT)
    StoryFactory(
        nominations=[nomination],
        title="Taken down in error",
        status=Story.Status.TAKEN_DOWN,
        takedown_kind=Story.Takedown.ERROR,
    )
    response = client.get("/stories/")
    assert response.status_code == 200
    assert_valid_html(response)
    document = page_of(response)
    titles = [link.text_content() for link in document.xpath("//main//h2/a")]
    assert titles == ["A newer story", "An older story"]
    item = document.xpath("//li[.//a[text()='A newer story']]")[0]
    assert item.xpath(".//img/@alt") == [newer.hero_image_alt]
    assert item.xpath(".//img/@src") == [newer.hero_image.url]
    assert newer.summary in item.text_content()
    assert item.xpath(".//time/@datetime")[0].startswith(
        str(timezone.localdate(newer.published_at))
    )
    assert older.summary in document.text_content()
    # The feed is offered to feed readers and to people.
    assert document.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href') == [
        "/stories/feed/"
    ]
    assert "no-cache" in response["Cache-Control"]


def test_the_list_filters_by_ward_and_by_subject(client, nomination):
    westoe, harton = AreaFactory(name="Westoe"), AreaFactory(name="Harton")
    StoryFactory(
        nominations=[nomination], title="Westoe youth club", area=westoe, tags=["Young people"]
    )
    StoryFactory(nominations=[nomination], title="Westoe library", area=westoe, tags=["Libraries"])
    StoryFactory(
        nominations=[nomination], title="Harton youth club", area=harton, tags=["Young people"]
    )

    def titles(query):
        response = client.get(f"/stories/?{query}")
        assert response.status_code == 200
        return sorted(a.text_content() for a in page_of(response).xpath("//main//h2/a"))

    assert titles(f"ward={westoe.code}") == ["Westoe library", "Westoe youth club"]
    assert titles("tag=young-people") == ["Harton youth club", "Westoe youth club"]
    assert titles(f"ward={westoe.code}&tag=young-people") == ["Westoe youth club"]
    # The form that sends these works without JavaScript: a GET form with labelled selects.
    document = page_of(client.get("/stories/"))
    form = document.xpath("//form[@method='get']")[0]
    assert form.get("action") == "/stories/"
    assert form.xpath(".//label[text()='Ward']/@for") == form.xpath(".//select[@name='ward']/@id")
    assert form.xpath(".//label[text()='Subject']/@for") == form.xpath(".//select[@name='tag']/@id")


def test_an_unknown_ward_is_explained_and_every_story_still_listed(client, nomination):
    StoryFactory(nominations=[nomination], title="Anywhere")
    response = client.get("/stories/?ward=NOWHERE")
    assert response.status_code == 200
    text = page_of(response).text_content()
    assert "There is a problem" in text and "Select a ward from the list" in text
    assert "Anywhere" in text


def test_pages_of_stories_have_stable_addresses_that_keep_the_filters(client, nomination):
    ward = AreaFactory(name="Westoe")
    now = timezone.now()
    for number in range(PAGE_SIZE + 3):
        StoryFactory(
            nominations=[nomination],
            title=f"Story {number:02d}",
            area=ward,
            tags=["Young people"],
            published_at=now - timedelta(minutes=number),
        )
    first = client.get(f"/stories/?tag=young-people&ward={ward.code}")
    document = page_of(first)
    pagination = document.xpath("//nav[@aria-label='Pages of stories']")[0]
    next_link = pagination.xpath(".//a[@rel='next']/@href")[0]
    assert next_link == f"?ward={ward.code}&tag=young-people&page=2"
    assert pagination.xpath(".//a[@aria-current='page']/text()") == ["1"]
    second = client.get(f"/stories/{next_link}")
    assert [a.text_content() for a in page_of(second).xpath("//main//h2/a")] == [
        f"Story {number:02d}" for number in range(PAGE_SIZE, PAGE_SIZE + 3)
    ]
    assert_valid_html(second)


def test_the_list_needs_the_same_few_queries_however_many_stories_and_people(client, nomination):
    def count_queries():
        client.get("/stories/")  # the council's settings are cached from here on
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/stories/?tag=one").status_code == 200
        return len(queries)

    StoryFactory(nominations=[nomination], tags=["One"])
    one = count_queries()
    others = [approved_nomination(name=f"Person Number{n}") for n in range(3)]
    for n in range(6):
        StoryFactory(nominations=[nomination, *others], tags=["One", f"Two {n}"], with_image=True)
    # The page and its count, the tags, the people and their consent, the filters' choices.
    assert count_queries() == one <= 8


# --- One story --------------------------------------------------------------------------


def test_a_story_page_shows_the_story_with_its_image_credit_and_open_graph_tags(client, nomination):
    story = StoryFactory(nominations=[nomination], with_image=True, tags=["Good neighbours"])
    response = client.get(f"/stories/{story.slug}/")
    assert response.status_code == 200
    assert_valid_html(response)
    document = page_of(response)
    assert document.xpath("//h1/text()") == [story.title]
    assert story.summary in document.text_content()
    image = document.xpath("//main//figure/img")[0]
    assert image.get("alt") == story.hero_image_alt and image.get("src") == story.hero_image.url
    assert document.xpath("//main//figure/figcaption/text()") == ["Photo: Sam Lens"]
    # The body as sanitised HTML: a heading, a list and a safe link.
    prose = document.xpath("//div[@class='app-prose']")[0]
    assert prose.xpath(".//h2/text()") == ["Why she does it"]
    assert prose.xpath(".//a/@href") == ["https://example.org/volunteer/"]

    url = f"{SITE}/stories/{story.slug}/"
    assert meta(document, "og:type") == "article"
    assert meta(document, "og:title") == story.title
    assert meta(document, "og:url") == url
    assert document.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta(document, "og:image") == f"{SITE}{story.hero_image.url}"
    assert meta(document, "og:image:alt") == story.hero_image_alt
    assert meta(document, "article:published_time") == story.published_at.isoformat()
    assert meta(document, "article:tag") == "Good neighbours"
    assert meta(document, "robots") is None
    # Browsers and proxies must ask again each time, so a withdrawal is seen at once.
    assert response["Cache-Control"] == "no-cache"


def test_a_story_is_sanitised_again_on_the_page_whatever_was_stored(client, nomination):
    story = StoryFactory(
        nominations=[nomination],
        body=(
            '<p onclick="steal()">Kind words</p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">click</a><iframe src="https://evil.example"></iframe>'
            '<p style="color:red">styled</p>'
        ),
    )
    content = client.get(f"/stories/{story.slug}/").content.decode()
    prose = content.split('<div class="app-prose">')[1].split("</div>")[0]
    assert "Kind words" in prose and "styled" in prose
    for bad in ("onclick", "<script", "alert(1)", "javascript:", "<iframe", "style="):
        assert bad not in prose


def test_a_story_page_takes_a_constant_few_queries(client, django_assert_num_queries):
    people = [approved_nomination(name=f"Person Number{n}") for n in range(4)]
    one = StoryFactory(nominations=people[:1], tags=["A"])
    many = StoryFactory(nominations=people, tags=["A", "B", "C"], with_image=True)
    client.get("/")  # the council's settings are cached from here on
    for story in (one, many):
        # Worked out: the story with its ward, its tags, its people, their consent.
        with django_assert_num_queries(4):
            assert client.get(f"/stories/{story.slug}/").status_code == 200
        # Then kept, until something changes.
        with django_assert_num_queries(0):
            assert client.get(f"/stories/{story.slug}/").status_code == 200


def test_a_cached_page_is_never_served_after_a_change_even_by_another_process(client):
    nomination = approved_nomination(name="Maureen Clarke")
    story = StoryFactory(nominations=[nomination])
    assert client.get(f"/stories/{story.slug}/").status_code == 200
    generation = cache.get(GENERATION_KEY)
    record_consent(nomination.nominee, WITHDRAW)
    # Another web process on this machine has its own in-memory cache, where the
    # generation did not move: the stamp file beside the database still retires the page.
    cache.set(GENERATION_KEY, generation, None)
    page = client.get(f"/stories/{story.slug}/").content.decode()
    assert "This story has been withdrawn" in page and "Maureen" not in page


def test_an_old_address_moves_permanently_to_the_current_one(client, nomination):
    story = StoryFactory(nominations=[nomination], slug="a-new-name")
    StorySlug.objects.create(story=story, slug="the-old-name")
    response = client.get("/stories/the-old-name/")
    assert response.status_code == 301 and response["Location"] == "/stories/a-new-name/"
    response = client.get("/stories/the-old-name/press-pack.zip")
    assert response.status_code == 301
    assert response["Location"] == "/stories/a-new-name/press-pack.zip"


@pytest.mark.parametrize("status", ["draft", "in_review", "approved", "scheduled"])
def test_a_story_not_yet_published_is_not_found(client, nomination, status):
    story = StoryFactory(nominations=[nomination], status=status, published_at=None)
    StorySlug.objects.create(story=story, slug=f"old-{story.slug}")
    assert client.get(f"/stories/{story.slug}/").status_code == 404
    assert client.get(f"/stories/old-{story.slug}/").status_code == 404


def test_a_story_published_in_error_is_gone(client, nomination):
    story = StoryFactory(
        nominations=[nomination],
        status=Story.Status.TAKEN_DOWN,
        takedown_kind=Story.Takedown.ERROR,
        taken_down_at=timezone.now(),
    )
    response = client.get(f"/stories/{story.slug}/")
    assert response.status_code == 410
    assert_valid_html(response)
    text = page_of(response).text_content()
    assert "This story has been removed" in text and story.title not in text
    assert "no-store" in response["Cache-Control"]


def test_a_superseded_story_moves_permanently_but_only_within_this_site(client, nomination):
    story = StoryFactory(
        nominations=[nomination],
        status=Story.Status.TAKEN_DOWN,
        takedown_kind=Story.Takedown.SUPERSEDED,
        superseded_by="/stories/the-better-one/",
    )
    response = client.get(f"/stories/{story.slug}/")
    assert response.status_code == 301 and response["Location"] == "/stories/the-better-one/"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example", ""):
        Story.objects.filter(pk=story.pk).update(superseded_by=elsewhere)
        stories_changed()  # a raw update, past the services and their signals
        assert client.get(f"/stories/{story.slug}/").status_code == 410


def test_a_withdrawn_story_keeps_its_page_with_a_dated_notice(client, nomination):
    story = StoryFactory(
        nominations=[nomination],
        status=Story.Status.TAKEN_DOWN,
        takedown_kind=Story.Takedown.WITHDRAWN,
        takedown_notice="We got the date of the street party wrong, so we have withdrawn it.",
        taken_down_at=timezone.now(),
    )
    response = client.get(f"/stories/{story.slug}/")
    assert response.status_code == 200
    assert_valid_html(response)
    document = page_of(response)
    banner = document.xpath("//div[@role='region'][.//h2[text()='Withdrawn']]")[0]
    assert "We got the date of the street party wrong" in banner.text_content()
    assert banner.xpath(".//time/@datetime")
    assert document.xpath("//h1/text()") == [story.title]
    assert meta(document, "robots") == "noindex"
    assert "no-store" not in response["Cache-Control"]
    # Not in the list: it is no longer published.
    assert story.title not in client.get("/stories/").content.decode()


# --- What other pages and staff use -------------------------------------------------------


def test_the_preview_says_so_and_lists_what_stops_the_public_seeing_it(rf, nomination):
    private = approved_nomination(name="Dorothy Pritchard", consent=None)
    story = StoryFactory(nominations=[private], status=Story.Status.APPROVED, published_at=None)
    context = story_page_context(story, request=rf.get("/"), preview=True)
    assert context["preview"] and not context["available"] and context["story"] is None
    assert context["problems"] == ["Dorothy Pritchard has not answered the consent request yet."]
    ready = StoryFactory(nominations=[nomination], status=Story.Status.APPROVED)
    context = story_page_context(ready, request=rf.get("/"), preview=True)
    assert context["available"] and context["problems"] == [] and context["noindex"]
    assert context["press_pack_url"] == ""  # not for a story that is not public


def test_story_links_names_the_newest_story_consent_allows_in_two_queries(
    nomination, django_assert_num_queries
):
    now = timezone.now()
    StoryFactory(nominations=[nomination], title="Older", published_at=now - timedelta(days=2))
    newest = StoryFactory(
        nominations=[nomination], title="Newest", published_at=now - timedelta(days=1)
    )
    refused = approved_nomination(name="Pat Jones", consent=NOT_THE_PRESS | {"channels": []})
    StoryFactory(nominations=[nomination, refused], title="With someone who said no")
    StoryFactory(nominations=[nomination], title="Draft", status=Story.Status.DRAFT)
    nobody = approved_nomination(name="Nobody Written")
    many = [approved_nomination(name=f"Person Number{n}") for n in range(5)]
    for person in many:
        StoryFactory(nominations=[person])
    with django_assert_num_queries(2):
        links = story_links([nomination.nominee_id, refused.nominee_id, nobody.nominee_id])
    assert links == {nomination.nominee_id: ("Newest", f"/stories/{newest.slug}/")}
    with django_assert_num_queries(2):
        links = story_links([p.nominee_id for p in many] + [nomination.nominee_id])
    assert len(links) == 6
    with django_assert_num_queries(0):
        assert story_links([]) == {}


def test_the_header_offers_the_stories_to_everyone(client):
    document = page_of(client.get("/"))
    assert document.xpath("//nav[@aria-label='Menu']//a[text()='Stories']/@href") == ["/stories/"]


def test_a_story_page_names_no_one_in_its_title_when_consent_has_gone(client, nomination):
    story = StoryFactory(nominations=[nomination], title="Maureen Clarke, hero of Westoe")
    # Consent recorded outside the services (as if a signal were missed): the page still checks.
    from nominations.models import ConsentRecord

    ConsentRecord.objects.filter(nominee=nomination.nominee).update(website_story=False)
    response = client.get(f"/stories/{story.slug}/")
    assert response.status_code == 410
    content = response.content.decode()
    assert not re.search("Maureen|Clarke", content)
    assert "This story is no longer available" in content
    assert "no-store" in response["Cache-Control"]


def test_the_preview_renders_the_public_template_with_its_banner(rf, nomination):
    story = StoryFactory(nominations=[nomination], status=Story.Status.APPROVED, with_image=True)
    request = rf.get("/")
    request.user = AnonymousUser()
    page = render_to_string(
        "stories/story.html", story_page_context(story, request=request, preview=True), request
    )
    document = lxml_html.fromstring(page)
    assert document.xpath("//h2[@id='preview-banner-title']/text()") == ["Preview — not published"]
    assert document.xpath("//h1/text()") == [story.title]
    assert document.xpath("//main//figure/img/@alt") == [story.hero_image_alt]
    assert meta(document, "robots") == "noindex"


def test_emptying_the_shared_cache_retires_what_every_process_kept(client, nomination):
    story = StoryFactory(nominations=[nomination], title="Snow on every path")
    cache.clear()  # Redis restarted, say
    assert "Snow on every path" in client.get(f"/stories/{story.slug}/").content.decode()
    Story.objects.filter(pk=story.pk).update(title="Grit on every path")  # past the signals
    cache.clear()
    page = client.get(f"/stories/{story.slug}/").content.decode()
    assert "Grit on every path" in page and "Snow on every path" not in page


def test_a_new_nomination_leaves_cached_story_pages_alone_but_a_changed_nominee_does_not(
    nomination,
):
    from nominations.models import Nominee
    from nominations.services import _nominee_fields
    from recognition.stories.selectors import public_version

    before = public_version()
    Nominee.objects.create(
        **_nominee_fields({"nominee_kind": "person", "nominee_name": "Arthur Fenwick"})
    )
    assert public_version() == before  # in no story yet: nothing public changed
    nomination.nominee.save()
    assert public_version() != before
