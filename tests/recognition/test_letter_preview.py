"""The Mayor's office previews any nominee's letter as the PDF they will get."""

import io

import pdfplumber
import pytest
from django.core.management import call_command

from council.roles import Role
from nominations import services as nominations
from nominations.models import Nomination, Nominee
from recognition import letters
from tests.council.factories import StaffFactory

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in document.pages)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def mayors_office(client):
    user = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Maureen Clarke",
            [
                "Dear Maureen",
                "Good neighbour",
                "six housebound neighbours",
                "Councillor Pat Okafor",
                "Mayor of South Riverside",
                "MAUREEN CLARKE" if False else "Maureen Clarke",
            ],
        ),
        ("Priya Shah", ["Dear Priya", "Young hero", "sponsored walk", "Anita Shah"]),
        (
            "Westoe Road Bakery",
            [
                "Dear friends at Westoe Road Bakery",
                "Business that went the extra mile",
                "Please pass on my thanks",
            ],
        ),
    ],
)
def test_each_kind_of_nominee_gets_their_own_letter(demo, name, expected):
    nominee = Nominee.objects.get(name=name)
    if not nominee.nominations.filter(status=Nomination.Status.APPROVED).exists():
        nominations.nomination_approve(nomination=nominee.nominations.first(), actor=None)
    text = text_of(letters.letter_pdf(nominee_id=nominee.pk))
    for words in expected:
        assert words in text, (words, text)


def test_a_nominee_who_has_died_gets_a_letter_to_their_family(demo):
    nominee = Nominee.objects.get(name="Dr Amir Haddad")
    nominations.nominee_mark_died(nominee=nominee, has_died=True, actor=None)
    text = text_of(letters.letter_pdf(nominee_id=nominee.pk))
    assert "Dear family of Dr Amir Haddad" in text and "deepest sympathy" in text


def test_the_preview_page_returns_the_pdf(client, demo, mayors_office):
    page = client.get("/staff/letters/preview/").content.decode()
    assert "Preview a letter" in page and "Maureen Clarke" in page
    nominee = Nominee.objects.get(name="Maureen Clarke")
    response = client.get("/staff/letters/preview/", {"nominee": nominee.pk, "large_print": "on"})
    assert response["Content-Type"] == "application/pdf"
    assert "Dear Maureen" in text_of(response.content)


def test_the_preview_says_what_is_missing(client, demo, mayors_office):
    from recognition.models import LetterTemplate

    LetterTemplate.objects.filter(variant="person").delete()
    nominee = Nominee.objects.get(name="Maureen Clarke")
    page = client.get("/staff/letters/preview/", {"nominee": nominee.pk}).content.decode()
    assert "There is no letter yet for a person" in page


def test_the_mayors_office_finds_a_nominee_by_part_of_their_name(client, demo, mayors_office):
    page = client.get("/staff/letters/preview/", {"q": "clarke"}).content.decode()
    assert "approved nominee" in page and "with ‘clarke’ in their name" in page
    assert "Maureen Clarke" in page and "Westoe Road Bakery" not in page
    assert "Choose a nominee" in page and "There is a problem" not in page  # no error for a search
    nominee = Nominee.objects.get(name="Maureen Clarke")
    response = client.get("/staff/letters/preview/", {"q": "clarke", "nominee": nominee.pk})
    assert "Dear Maureen" in text_of(response.content)


def test_a_search_that_finds_no_one_says_so(client, demo, mayors_office):
    page = client.get("/staff/letters/preview/", {"q": "Nobody Atall"}).content.decode()
    assert "No approved nominee has ‘Nobody Atall’ in their name." in page
    assert "Show the letter" not in page


def test_a_long_list_says_how_to_see_the_rest(client, demo, mayors_office, monkeypatch):
    from recognition import staff_views

    monkeypatch.setattr(staff_views, "PREVIEW_CHOICES", 2)
    page = client.get("/staff/letters/preview/").content.decode()
    assert "The list shows the first 2 approved nominees by name." in page
    assert page.count('<option value="') == 3  # "Choose a nominee" and two names


def test_a_link_to_a_nominee_beyond_the_list_still_shows_their_letter(
    client, demo, mayors_office, monkeypatch
):
    from recognition import staff_views

    monkeypatch.setattr(staff_views, "PREVIEW_CHOICES", 2)
    nominee = Nominee.objects.get(name="Maureen Clarke")  # well past the first two by name
    response = client.get("/staff/letters/preview/", {"nominee": nominee.pk})
    assert response["Content-Type"] == "application/pdf"
    assert "Dear Maureen" in text_of(response.content)


def test_nominees_with_the_same_name_can_be_told_apart(db):
    from council.models import Area
    from recognition.forms import nominee_choices

    westoe, harton = (
        Area.objects.create(name=name, code=name[:3]) for name in ("Westoe", "Harton")
    )
    people = [
        Nominee.objects.create(name="Doreen Hedley", area=westoe),
        Nominee.objects.create(name="Doreen Hedley", area=harton),
        Nominee.objects.create(name="Dock Lunch Club", area=westoe),
        Nominee.objects.create(name="Dock Lunch Club", area=westoe),
        Nominee.objects.create(name="Sam Nowhere"),
    ]
    labels = [label for _value, label in nominee_choices(people)]
    assert labels == [
        "Doreen Hedley, Westoe",
        "Doreen Hedley, Harton",
        f"Dock Lunch Club, Westoe (nominee {people[2].pk})",
        f"Dock Lunch Club, Westoe (nominee {people[3].pk})",
        "Sam Nowhere",
    ]


def test_a_curly_apostrophe_finds_a_straight_one(client, demo, mayors_office):
    page = client.get("/staff/letters/preview/", {"q": "o’neill"}).content.decode()
    assert "Margaret O&#x27;Neill" in page or "Margaret O'Neill" in page
