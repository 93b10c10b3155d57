"""The press pack: one zip per story for journalists, only when everyone in it agreed to the press."""

import io
import zipfile

import pytest
from lxml import html as lxml_html

from council.models import CouncilSettings
from council.selectors import SETTINGS_CACHE_KEY
from recognition.stories.models import Story
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
def council(db):
    from django.core.cache import cache

    council = CouncilSettings.load()
    CouncilSettings.objects.filter(pk=council.pk).update(
        name="South Tyneside Council",
        contact_email="press@southtyneside.example",
        contact_phone="0191 427 0000",
    )
    cache.delete(SETTINGS_CACHE_KEY)
    return CouncilSettings.load()


def download(client, story) -> zipfile.ZipFile:
    response = client.get(f"/stories/{story.slug}/press-pack.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{story.slug}-press-pack.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_press_pack_holds_the_text_the_image_its_description_credit_and_contact(
    client, council
):
    story = StoryFactory(nominations=[approved_nomination()], with_image=True)
    pack = download(client, story)
    assert sorted(pack.namelist()) == sorted(
        ["story.txt", "story.html", "contact.txt", "image.txt", f"{story.slug}.jpg"]
    )
    assert pack.read(f"{story.slug}.jpg") == story.hero_image.open("rb").read()

    text = pack.read("story.txt").decode()
    assert text.startswith(f"{story.title}\n\n{story.summary}\n")
    assert f"{SITE}/stories/{story.slug}/" in text
    # The words as plain paragraphs: no markup, the heading and list on lines of their own.
    assert "Every Tuesday Maureen Clarke takes six shopping lists to the market." in text
    assert "\nWhy she does it\n" in text and "\n- Her neighbours cannot get out\n" in text
    assert "Volunteer with us (https://example.org/volunteer/)" in text
    assert "<" not in text
    assert f"Image description (alt text): {story.hero_image_alt}" in text
    assert "Image credit: Photo: Sam Lens" in text

    page = lxml_html.fromstring(pack.read("story.html").decode())
    assert page.xpath("//h1/text()") == [story.title]
    assert page.xpath("//figure/img/@src") == [f"{story.slug}.jpg"]
    assert page.xpath("//figure/img/@alt") == [story.hero_image_alt]
    assert page.xpath("//figure/figcaption/text()") == ["Photo: Sam Lens"]
    assert page.xpath("//article//h2/text()") == ["Why she does it"]
    assert "press@southtyneside.example" in page.text_content()

    image_note = pack.read("image.txt").decode()
    assert story.hero_image_alt in image_note and "Photo: Sam Lens" in image_note
    contact = pack.read("contact.txt").decode()
    assert "South Tyneside Council" in contact
    assert "press@southtyneside.example" in contact and "0191 427 0000" in contact


def test_the_story_page_links_to_its_press_pack(client, council):
    story = StoryFactory(nominations=[approved_nomination()])
    document = lxml_html.fromstring(client.get(f"/stories/{story.slug}/").content.decode())
    link = document.xpath("//a[starts-with(text(), 'Download the press pack')]")[0]
    assert link.get("href") == f"/stories/{story.slug}/press-pack.zip"
    pack = download(client, story)
    assert "image.txt" not in pack.namelist()  # no image, no image note


def test_no_press_pack_unless_everyone_in_the_story_agreed_to_the_press(client, council):
    yes = approved_nomination(name="Maureen Clarke")
    no = approved_nomination(name="Dorothy Pritchard", consent=NOT_THE_PRESS)
    story = StoryFactory(nominations=[yes, no], summary="Two neighbours.")
    page = client.get(f"/stories/{story.slug}/")
    assert page.status_code == 200  # the story itself may be public
    assert "press pack" not in page.content.decode()
    assert client.get(f"/stories/{story.slug}/press-pack.zip").status_code == 404


def test_no_press_pack_once_consent_is_withdrawn_or_the_story_is_down(client, council):
    nomination = approved_nomination()
    story = StoryFactory(nominations=[nomination])
    download(client, story)
    record_consent(nomination.nominee, WITHDRAW)
    assert client.get(f"/stories/{story.slug}/press-pack.zip").status_code == 404

    withdrawn_by_staff = StoryFactory(
        nominations=[approved_nomination(name="Someone Else")],
        status=Story.Status.TAKEN_DOWN,
        takedown_kind=Story.Takedown.WITHDRAWN,
        takedown_notice="Withdrawn while we check a fact.",
    )
    assert client.get(f"/stories/{withdrawn_by_staff.slug}/press-pack.zip").status_code == 404
    page = client.get(f"/stories/{withdrawn_by_staff.slug}/").content.decode()
    assert "press pack" not in page
