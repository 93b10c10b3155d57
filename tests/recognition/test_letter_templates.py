"""The Mayor's office writes the letters: merge fields checked when saved, HTML sanitised."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from council.models import AuditLogEntry
from council.roles import Role
from recognition import merge, services
from recognition.models import LetterTemplate
from tests.council.factories import StaffFactory
from tests.nominations.images import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def mayors_office(client):
    user = StaffFactory(roles=[Role.MAYORS_OFFICE], authenticator=True)
    client.force_login(user)
    return user


def test_a_misspelt_merge_field_is_refused_with_a_suggestion():
    assert merge.check("Dear {first_nmae}") == [
        "{first_nmae} is not a merge field. Did you mean {first_name}?"
    ]
    assert merge.check("Dear {first_name}, from {mayor_name}") == []
    assert merge.check("Dear {first_name") == [
        "A brace { or } is not closed. Merge fields look like {first_name}."
    ]
    assert "The fields are: {display_name}" in merge.check("{zzz}")[0]


def test_filling_escapes_what_people_wrote_and_keeps_their_line_breaks():
    filled = merge.fill(
        "<p>{nomination_words}</p>", {"nomination_words": "She's <great>\nand kind"}
    )
    assert filled == "<p>She&#x27;s &lt;great&gt;<br>and kind</p>"


def test_saving_sanitises_the_html_and_is_audited(mayors_office):
    template = services.letter_template_save(
        variant="person",
        salutation="Dear   {first_name}",
        body='<p onclick="x()">Thank you</p><script>alert(1)</script><img src=x><a href="javascript:evil()">link</a>',
        actor=mayors_office,
    )
    assert template.salutation == "Dear {first_name}"
    assert template.body == "<p>Thank you</p><a>link</a>"
    assert (
        AuditLogEntry.objects.get(action="recognition.letter_template.saved").actor == mayors_office
    )


def test_the_edit_page_shows_merge_field_problems_next_to_the_field(client, mayors_office):
    response = client.post(
        "/staff/letters/person/",
        {"salutation": "Dear {firstname}", "body": "<p>Thanks from {mayor}</p>"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "{firstname} is not a merge field. Did you mean {first_name}?" in page
    assert "{mayor} is not a merge field. Did you mean {mayor_name}?" in page
    assert not LetterTemplate.objects.exists()


def test_the_mayors_office_saves_a_letter_with_a_signature(client, mayors_office):
    signature = SimpleUploadedFile(
        "signature.jpg", jpeg_bytes(size=(400, 120)), content_type="image/jpeg"
    )
    response = client.post(
        "/staff/letters/business_or_group/",
        {
            "salutation": "Dear friends at {display_name}",
            "body": "<p>Thank you.</p>",
            "signature": signature,
        },
    )
    assert response["Location"] == "/staff/letters/"
    template = LetterTemplate.objects.get(variant="business_or_group")
    assert (
        template.signature.name.startswith("signatures/")
        and "signature.jpg" not in template.signature.name
    )
    page = client.get("/staff/letters/").content.decode()
    assert "Not written yet" in page and "Last changed" in page


def test_only_the_mayors_office_edits_letters(client):
    comms = StaffFactory(roles=[Role.COMMS], authenticator=True)
    client.force_login(comms)
    assert client.get("/staff/letters/").status_code == 403
    assert (
        client.post("/staff/letters/person/", {"salutation": "Hi", "body": "x"}).status_code == 403
    )


def test_the_letter_can_be_written_as_plain_paragraphs(client, mayors_office):
    client.post(
        "/staff/letters/person/",
        {
            "salutation": "Dear {first_name}",
            "body": "Thank you & well done.\n\nYou were nominated for {category}.\nIt means a lot.\n",
        },
    )
    template = LetterTemplate.objects.get(variant="person")
    assert template.body == (
        "<p>Thank you &amp; well done.</p>\n\n"
        "<p>You were nominated for {category}.<br>It means a lot.</p>"
    )
    # Shown again as it was written, to be changed the same way.
    page = client.get("/staff/letters/person/").content.decode()
    assert ">\nThank you &amp; well done.\n\nYou were nominated for {category}.\nIt means" in page


def test_plain_paragraphs_can_follow_html_and_hold_tags(mayors_office):
    template = services.letter_template_save(
        variant="person",
        salutation="Dear {first_name}",
        body="<p>One</p>\n\nYou are <strong>wonderful</strong>.\nTruly.\n\nFish & chips < 5 pounds",
        actor=mayors_office,
    )
    assert template.body == (
        "<p>One</p>\n\n<p>You are <strong>wonderful</strong>.<br>Truly.</p>\n\n"
        "<p>Fish &amp; chips &lt; 5 pounds</p>"
    )
    # With a tag in it the letter is shown as HTML, and saving that again changes nothing.
    shown = services.letter_html_for_editing(template.body)
    assert shown == template.body
    assert services.sanitise(services.letter_html_from_text(shown)) == template.body


def test_html_is_laid_out_for_editing_and_saved_the_same():
    body = "<p>One</p><p>Two</p><ul><li>A</li><li>B</li></ul><p>Three</p>"
    laid_out = services.letter_html_for_editing(body)
    assert laid_out == (
        "<p>One</p>\n\n<p>Two</p>\n\n<ul>\n  <li>A</li>\n  <li>B</li>\n</ul>\n\n<p>Three</p>"
    )
    assert services.letter_html_from_text(laid_out) == laid_out  # HTML is kept as written
