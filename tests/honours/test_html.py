"""Every roll of honour page is valid HTML5 with unique ids, in each of its states."""

import pytest
from lxml import html as lxml_html
from tinyhtml5.parser import HTMLParser

from recognition.honours import generate
from tests.honours.conftest import make_hero

pytestmark = pytest.mark.django_db


def assert_valid_html(response):
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    parser = HTMLParser()
    parser.parse(text)
    assert parser.errors == []
    ids = lxml_html.fromstring(text).xpath("//@id")
    assert len(ids) == len(set(ids)), sorted(ids)


@pytest.fixture
def roll(campaign, ward):
    make_hero(campaign, name="Maureen Clarke", area=ward)
    make_hero(campaign, name="Kwame Osei", citation="", area=ward)
    generate.generate_heroes(campaign=campaign, count=60)


@pytest.mark.parametrize(
    "path",
    [
        "/heroes/",
        "/heroes/?page=2",
        "/heroes/?q=maureen",
        "/heroes/?q=nobody",
        "/heroes/?area=999999",
        "/heroes/?q=" + "x" * 101,
    ],
)
def test_public_pages(client, roll, path):
    assert_valid_html(client.get(path))


def test_staff_pages(client, roll, comms):
    from recognition.honours.models import HonourEntry

    client.force_login(comms)
    assert_valid_html(client.get("/staff/heroes/"))
    assert_valid_html(client.get("/staff/heroes/?listing=needs_citation&q=kwame"))
    waiting = HonourEntry.objects.get(nominee__name="Kwame Osei")
    assert_valid_html(client.get(f"/staff/heroes/{waiting.pk}/"))
    assert_valid_html(
        client.post(
            f"/staff/heroes/{waiting.pk}/", {"citation": "", "revision": 0, "action": "approve"}
        )
    )
    listed = HonourEntry.objects.get(nominee__name="Maureen Clarke")
    assert_valid_html(client.get(f"/staff/heroes/{listed.pk}/"))
