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
