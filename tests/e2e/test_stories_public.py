"""The public stories in a real browser, with JavaScript on and off: the list and its filters,
a story's page, and the page of a story withdrawn when consent went."""

import pytest
from django.conf import settings
from django.urls import path
from django.views.static import serve
from playwright.sync_api import Page, expect

from config import urls as site
from recognition.stories.models import Story
from tests.council.factories import AreaFactory
from tests.e2e.browser import navigation, visit
from tests.stories.factories import WITHDRAW, StoryFactory, approved_nomination, record_consent

pytestmark = pytest.mark.browser


def _media(request, path):
    # Uploads come from object storage or the proxy in production; here the test server serves them.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# This module is the URL configuration while its tests run: the site, plus uploaded files.
urlpatterns = [path("media/<path:path>", _media), *site.urlpatterns]
handler400, handler403 = site.handler400, site.handler403
handler404, handler500 = site.handler404, site.handler500


@pytest.fixture(autouse=True)
def _serve_uploads(settings, tmp_path):
    settings.ROOT_URLCONF = __name__
    # The stamp that retires cached story pages, apart from other test runs on this machine.
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def stories(transactional_db):
    westoe = AreaFactory(name="Westoe")
    nomination = approved_nomination(name="Maureen Clarke", area=westoe)
    shopping = StoryFactory(
        nominations=[nomination],
        title="The neighbour who shops for six",
        area=westoe,
        tags=["Good neighbours"],
        with_image=True,
    )
    club = StoryFactory(
        nominations=[approved_nomination(name="Dorothy Pritchard")],
        title="Lunch club at the library",
        summary="Dorothy Pritchard has run the lunch club for twenty years.",
        body="<p>Every Thursday, Dorothy Pritchard cooks for forty.</p>",
        tags=["Older people"],
    )
    return {"westoe": westoe, "nomination": nomination, "shopping": shopping, "club": club}


def read_stories(page: Page, stories) -> None:
    """From the home page to a story, through the list and its filters, as a person would."""
    visit(page, "/")
    with navigation(page):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Stories").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    shopping = stories["shopping"]
    expect(page.get_by_role("img", name=shopping.hero_image_alt)).to_be_visible()
    expect(page.get_by_role("link", name="Lunch club at the library")).to_be_visible()

    page.get_by_label("Subject").select_option(label="Good neighbours")
    with navigation(page):
        page.get_by_role("button", name="Show stories").click()
    assert page.url.endswith("/stories/?ward=&tag=good-neighbours")
    expect(page.get_by_role("link", name="Lunch club at the library")).to_have_count(0)

    page.get_by_label("Ward").select_option(label="Westoe")
    with navigation(page):
        page.get_by_role("button", name="Show stories").click()
    with navigation(page):
        page.get_by_role("link", name=shopping.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shopping.title)
    figure = page.get_by_role("figure")
    expect(figure.get_by_role("img", name=shopping.hero_image_alt)).to_be_visible()
    expect(figure).to_contain_text("Photo: Sam Lens")
    expect(page.get_by_role("heading", name="Why she does it", level=2)).to_be_visible()
    expect(page.locator('meta[property="og:image:alt"]')).to_have_attribute(
        "content", shopping.hero_image_alt
    )
    expect(page.get_by_role("link", name="Download the press pack (ZIP file)")).to_be_visible()

    with navigation(page):
        page.get_by_role("link", name="Stories about good neighbours").click()
    expect(page.get_by_role("link", name=shopping.title)).to_be_visible()


def test_reading_the_stories_with_javascript(page, stories):
    read_stories(page, stories)


def test_reading_the_stories_without_javascript(page_without_js, stories):
    read_stories(page_without_js, stories)


def see_withdrawn(page: Page, stories) -> None:
    story = stories["shopping"]
    record_consent(stories["nomination"].nominee, WITHDRAW)
    assert Story.objects.get(pk=story.pk).status == Story.Status.TAKEN_DOWN

    visit(page, f"/stories/{story.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This story has been withdrawn")
    expect(page.get_by_text("Someone in this story changed what they agreed")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Maureen")
    expect(page.get_by_role("img", name=story.hero_image_alt)).to_have_count(0)

    visit(page, "/stories/")
    expect(page.get_by_role("link", name=story.title)).to_have_count(0)
    expect(page.get_by_role("link", name="Lunch club at the library")).to_be_visible()


def test_a_withdrawn_story_with_javascript(page, stories):
    see_withdrawn(page, stories)


def test_a_withdrawn_story_without_javascript(page_without_js, stories):
    see_withdrawn(page_without_js, stories)


def test_a_story_taken_down_in_error_is_gone(page, stories):
    Story.objects.filter(pk=stories["club"].pk).update(
        status=Story.Status.TAKEN_DOWN, takedown_kind=Story.Takedown.ERROR
    )
    visit(page, f"/stories/{stories['club'].slug}/", status=410)
    expect(page.get_by_role("heading", level=1)).to_have_text("This story has been removed")
