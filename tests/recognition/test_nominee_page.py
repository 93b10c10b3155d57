"""The nominee's own page: their letter once released, and a card to share that names nobody."""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image

from council.models import OutboundEmail
from nominations.models import Nominee
from recognition import services
from recognition.views import card_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def maureen(db):
    call_command("load_demo", stdout=io.StringIO())
    return Nominee.objects.get(name="Maureen Clarke")


def own_link(nominee) -> str:
    body = OutboundEmail.objects.filter(to=[nominee.email]).latest("pk").body_text
    token = re.search(r"/consent/([^\s/]+)/", body).group(1)
    return f"/nominee/{token}/"


def test_the_letter_is_there_once_released(client, maureen):
    page_url = own_link(maureen)
    page = client.get(page_url).content.decode()
    assert "Thank you, Maureen Clarke" in page and "Your letter is being prepared" in page
    assert client.get(f"{page_url}letter.pdf").status_code == 404
    services.letters_release(actor=None)
    page = client.get(page_url).content.decode()
    assert "Download your letter (PDF)" in page
    response = client.get(f"{page_url}letter.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_card_previews_well_and_names_nobody(client, maureen):
    card = card_token(maureen.pk)
    page = client.get(f"/cards/{card}/").content.decode()
    assert '<meta property="og:title" content="I was nominated for Proud to Support 2026">' in page
    assert f'<meta property="og:image" content="http://testserver/cards/{card}/card.png">' in page
    # What the card shows, the category included, is in its text alternative.
    alt = (
        "A card saying: I was nominated for Proud to Support 2026: Good neighbour. "
        "South Riverside Council."
    )
    assert f'<meta property="og:image:alt" content="{alt}">' in page
    assert f'alt="{alt}"' in page
    assert "Maureen" not in page
    image = client.get(f"/cards/{card}/card.png")
    with Image.open(io.BytesIO(image.content)) as picture:
        assert picture.size == (1200, 630)
    # The card's name is signed: changing it to reach another nominee's card fails.
    assert client.get(f"/cards/{card[:-2]}xx/card.png").status_code == 404


def test_a_made_up_link_shows_nothing(client, maureen):
    response = client.get("/nominee/made-up/")
    page = response.content.decode()
    assert response.status_code == 400 and "Maureen" not in page
    assert "There is a problem with this link" in page
    assert 'href="/consent/"' in page  # where to type the code from the letter instead
    assert client.get("/nominee/made-up/letter.pdf").status_code == 404
    assert client.get("/cards/made-up/card.png").status_code == 404
