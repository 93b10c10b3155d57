"""The public nomination journey, page by page, as a resident goes through it."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from council.models import OutboundEmail
from nominations.models import Nomination, NominationReceipt
from nominations.tasks import file_received
from tests.nominations.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def walk(client, campaign, ward, *, kind="person", photo=None, methods=("email",)):
    """Answer every question; returns the last response (the check page)."""
    category = campaign.categories.get(name="Good neighbour")
    steps = [
        ("who", {"nominee_kind": kind}),
        ("category", {"category": category.pk}),
        ("name", {"nominee_name": "Maureen Clarke"}),
    ]
    if kind == "young_person":
        steps.append(
            ("guardian", {"guardian_name": "Pat Clarke", "guardian_email": "pat@example.net"})
        )
    steps.append(("contact", {"contact_methods": list(methods)}))
    if "email" in methods:
        steps.append(("email", {"nominee_email": "maureen@example.net"}))
    if "post" in methods:
        steps.append(
            (
                "address",
                {
                    "address_line_1": "12 Westoe Road",
                    "town": "South Shields",
                    "postcode": "ne33 4lr",
                },
            )
        )
    steps += [
        ("ward", {"area": ward.pk}),
        ("why", {"reason": "She does the shopping for six housebound neighbours every week."}),
        (
            "photo",
            {"photo": photo, "photo_alt": "Maureen at her front door", "photo_permission": "on"}
            if photo
            else {},
        ),
        (
            "about-you",
            {
                "nominator_name": "Jo Resident",
                "nominator_email": "jo@example.net",
                "nominator_relationship": "Neighbour",
            },
        ),
        ("declaration", {"declarations": ["true", "contact", "privacy"]}),
    ]
    response = None
    for slug, data in steps:
        response = client.post(
            f"/nominate/{slug}/", {key: value for key, value in data.items() if value is not None}
        )
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    assert response["Location"] == "/nominate/check/"
    return client.get("/nominate/check/")


def send(client, data=None):
    """Send the nomination from the check page, then file it as the worker does within seconds."""
    response = client.post("/nominate/check/", data or {})
    file_received()
    return response


def test_start_page_describes_the_campaign(client, campaign):
    page = client.get("/nominate/").content.decode()
    assert "Nominate a local hero" in page
    assert "Start now" in page
    assert "Tell us about someone who made a difference." in page


def test_a_closed_campaign_says_so_and_takes_no_nominations(client, campaign):
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()
    page = client.get("/nominate/").content.decode()
    assert f"Nominations for {campaign.name} closed on" in page
    assert "Start now" not in page
    response = client.post("/nominate/who/", {"nominee_kind": "person"})
    assert response.status_code == 410
    assert "Nominations have closed" in response.content.decode()


def test_the_whole_journey_makes_one_unconfirmed_nomination_and_a_confirmation_email(
    client, campaign, ward
):
    check = walk(client, campaign, ward).content.decode()
    assert "Check your answers before sending your nomination" in check
    for answer in (
        "A person",
        "Good neighbour",
        "Maureen Clarke",
        "maureen@example.net",
        "Westoe",
        "Jo Resident",
    ):
        assert answer in check
    assert 'href="/nominate/name/?change=1"' in check

    response = client.post("/nominate/check/")
    assert response["Location"] == "/nominate/sent/"
    # Sending saved one row, which the worker files: nothing else yet.
    receipt = NominationReceipt.objects.get()
    assert receipt.answers["nominee_name"] == "Maureen Clarke" and receipt.filed_at is None
    assert not Nomination.objects.exists() and not OutboundEmail.objects.exists()
    sent = client.get("/nominate/sent/").content.decode()
    assert receipt.reference in sent and "jo@example.net" in sent and "Maureen Clarke" in sent
    assert "we are sending an email to" in sent  # not sent yet: the worker makes it

    assert file_received() == 1
    assert file_received() == 0  # filed once, however often the worker runs
    nomination = Nomination.objects.get()
    assert nomination.reference == receipt.reference
    assert nomination.created_at == receipt.received_at
    assert nomination.status == Nomination.Status.UNCONFIRMED
    assert nomination.nominee.name == "Maureen Clarke"
    assert nomination.area == ward and nomination.category.name == "Good neighbour"
    receipt.refresh_from_db()
    assert receipt.nomination == nomination and receipt.filed_at is not None
    assert receipt.answers == {}  # the nomination holds them now

    email = OutboundEmail.objects.get(to=["jo@example.net"])
    assert email.subject == "Confirm your nomination of Maureen Clarke"
    link = re.search(r"http://\S+/nominate/confirm/\S+/", email.body_text).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1] if "8000" in link else link
    # Opening the link (as a mail scanner would) confirms nothing: the page asks.
    opened = client.get(path)
    assert opened.status_code == 200
    assert "Confirm nomination" in opened.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.UNCONFIRMED
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "Nomination confirmed" in confirmed.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED
    # Opened again later, the link says so rather than asking again.
    assert "Nomination confirmed" in client.get(path).content.decode()


def test_a_resent_link_replaces_the_old_one(client, campaign, ward):
    walk(client, campaign, ward)
    send(client)
    first = OutboundEmail.objects.get().body_text
    response = client.post("/nominate/resend/", {"email": "JO@example.net"})
    assert "we have sent a new link" in response.content.decode()
    second = OutboundEmail.objects.exclude(body_text=first).get().body_text
    old_path = re.search(r"/nominate/confirm/\S+/", first).group(0)
    new_path = re.search(r"/nominate/confirm/\S+/", second).group(0)
    for method in (client.get, client.post):
        old = method(old_path)
        assert old.status_code == 400
        assert "A newer link has been sent" in old.content.decode()
    assert client.get(new_path).status_code == 200
    assert "Nomination confirmed" in client.post(new_path).content.decode()


def test_resend_reveals_nothing_about_unknown_addresses(client, campaign):
    response = client.post("/nominate/resend/", {"email": "nobody@example.net"})
    assert "If you have a nomination waiting to be confirmed" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_a_tampered_confirmation_link_gets_a_clear_page(client, campaign):
    response = client.get("/nominate/confirm/not-a-real-token/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link is not valid" in page and "Ask for a new link" in page


def test_jumping_ahead_returns_to_the_first_unanswered_question_and_creates_nothing(
    client, campaign, ward
):
    assert client.get("/nominate/why/")["Location"] == "/nominate/who/"
    assert client.post("/nominate/check/")["Location"] == "/nominate/who/"
    client.post("/nominate/who/", {"nominee_kind": "person"})
    assert (
        client.post("/nominate/declaration/", {"declarations": ["true", "contact", "privacy"]})[
            "Location"
        ]
        == "/nominate/category/"
    )
    assert not NominationReceipt.objects.exists() and not Nomination.objects.exists()


def test_each_question_explains_what_is_wrong_next_to_the_field(client, campaign, ward):
    response = client.post("/nominate/who/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_nominee_kind_0">Select who you are nominating</a>' in page
    assert '<span class="govuk-visually-hidden">Error:</span> Select who you are nominating' in page
    assert page.count("<title>Error: ") == 1


def test_a_wrong_postcode_is_explained(client, campaign, ward):
    client.post("/nominate/who/", {"nominee_kind": "person"})
    client.post("/nominate/category/", {"category": campaign.categories.first().pk})
    client.post("/nominate/name/", {"nominee_name": "Maureen Clarke"})
    client.post("/nominate/contact/", {"contact_methods": ["post"]})
    page = client.post(
        "/nominate/address/",
        {"address_line_1": "1 High St", "town": "South Shields", "postcode": "ZZ1"},
    ).content.decode()
    assert "Enter a full UK postcode, like NE33 2RL" in page
    assert 'value="1 High St"' in page  # what was typed is kept


def test_a_young_person_needs_a_parent_or_guardian(client, campaign, ward):
    check = walk(client, campaign, ward, kind="young_person", methods=("post",)).content.decode()
    assert "Pat Clarke" in check
    send(client)
    nomination = Nomination.objects.get()
    assert nomination.is_under_18
    assert nomination.nominee.guardian_email == "pat@example.net"
    body = OutboundEmail.objects.get(to=["jo@example.net"]).body_text
    confirmed = client.post(re.search(r"/nominate/confirm/\S+/", body).group(0)).content.decode()
    assert "We will ask Maureen Clarke and their parent or guardian" in confirmed


def test_changing_an_answer_returns_to_the_check_page(client, campaign, ward):
    walk(client, campaign, ward)
    response = client.post("/nominate/name/?change=1", {"nominee_name": "Maureen Clarke-Smith"})
    assert response["Location"] == "/nominate/check/"
    assert "Maureen Clarke-Smith" in client.get("/nominate/check/").content.decode()


def test_an_organisation_left_blank_can_be_added_from_the_check_page(client, campaign, ward):
    check = walk(client, campaign, ward).content.decode()
    assert "No organisation" in check
    assert (
        'href="/nominate/about-you/?change=1">Add<span class="govuk-visually-hidden"> '
        "the organisation you are nominating on behalf of</span>" in check
    )
    response = client.post(
        "/nominate/about-you/?change=1",
        {
            "nominator_name": "Jo Resident",
            "nominator_email": "jo@example.net",
            "nominator_relationship": "Practice manager",
            "nominator_organisation": "Westoe Surgery",
        },
    )
    assert response["Location"] == "/nominate/check/"
    check = client.get("/nominate/check/").content.decode()
    assert "Westoe Surgery" in check and "No organisation" not in check
    send(client)
    assert Nomination.objects.get().nominator_organisation == "Westoe Surgery"


def test_a_photo_is_re_encoded_stripped_and_stored_under_a_random_name(client, campaign, ward):
    upload = SimpleUploadedFile(
        "my holiday snap.jpg", jpeg_bytes(gps=True), content_type="image/jpeg"
    )
    walk(client, campaign, ward, photo=upload)
    send(client)
    nomination = Nomination.objects.get()
    assert nomination.photo.name.startswith("nominations/")
    assert "holiday" not in nomination.photo.name
    assert re.fullmatch(r"nominations/[0-9a-f]{32}\.jpg", nomination.photo.name)
    from PIL import Image

    with Image.open(nomination.photo.path) as saved:
        assert not saved.getexif()
    assert nomination.photo_alt == "Maureen at her front door"


def test_a_photo_without_a_description_is_refused(client, campaign, ward):
    client.post("/nominate/who/", {"nominee_kind": "person"})
    for slug, data in [
        ("category", {"category": campaign.categories.first().pk}),
        ("name", {"nominee_name": "M"}),
        ("contact", {"contact_methods": ["email"]}),
        ("email", {"nominee_email": "m@example.net"}),
        ("ward", {"area": "unknown"}),
        ("why", {"reason": "A long enough reason to nominate her."}),
    ]:
        client.post(f"/nominate/{slug}/", data)
    upload = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    page = client.post("/nominate/photo/", {"photo": upload}).content.decode()
    assert "Describe the photo for someone who cannot see it" in page
    assert "Confirm you have permission to share this photo" in page


def test_the_honeypot_drops_robots_without_telling_them(client, campaign, ward):
    walk(client, campaign, ward)
    response = client.post("/nominate/check/", {"website": "http://spam.example"})
    assert response["Location"] == "/nominate/sent/"
    assert not NominationReceipt.objects.exists() and not Nomination.objects.exists()


def test_too_many_nominations_from_one_address_get_a_clear_page_and_keep_the_answers(
    client, campaign, ward, settings
):
    from nominations import ratelimits

    settings.RATELIMIT_ENABLE = True
    original = ratelimits.LIMITS["nominate"]
    ratelimits.LIMITS["nominate"] = ("100/h", "2/h", "an hour")
    try:
        for _ in range(2):
            walk(client, campaign, ward)
            assert send(client)["Location"] == "/nominate/sent/"
        walk(client, campaign, ward)
        response = client.post("/nominate/check/")
        assert response.status_code == 429
        page = response.content.decode()
        assert "Try again in an hour" in page and "Your answers have been kept" in page
        assert Nomination.objects.count() == 2
        assert "Maureen Clarke" in client.get("/nominate/check/").content.decode()
    finally:
        ratelimits.LIMITS["nominate"] = original


def test_no_question_asks_for_criminal_record_or_health_information():
    from nominations import forms

    for form_class in vars(forms).values():
        if isinstance(form_class, type) and issubclass(form_class, forms.forms.Form):
            for field in form_class.base_fields.values():
                text = f"{field.label} {field.help_text}".lower()
                for word in ("conviction", "criminal", "dbs", "medical", "diagnos", "disab"):
                    assert word not in text or "do not include" in text, (
                        form_class.__name__,
                        field.label,
                    )
    assert "Do not include anyone's health details or criminal record." in str(
        forms.ReasonForm.base_fields["reason"].help_text
    )


def test_closing_a_campaign_shows_at_once_despite_the_cache(client, campaign):
    from nominations import services

    assert "Start now" in client.get("/nominate/").content.decode()
    campaign.closes_at = timezone.now() - timedelta(minutes=1)
    services.campaign_save(campaign=campaign, actor=None, changed=["closes_at"])
    assert "Start now" not in client.get("/nominate/").content.decode()


def test_a_nomination_after_a_leaflet_code_is_attributed_to_it(client, campaign, ward):
    from council.models import SourceCode

    leaflet = SourceCode.objects.create(
        code="westoe-leaflet",
        label="Leaflet drop, Westoe",
        medium="leaflet",
        destination="nominate",
    )
    assert client.get("/v/westoe-leaflet")["Location"] == "/nominate/"
    walk(client, campaign, ward)
    send(client)
    assert Nomination.objects.get().source_code == leaflet
    # Without a code, nothing is attributed.
    client.logout()
    client.cookies.clear()
    walk(client, campaign, ward)
    send(client)
    assert Nomination.objects.filter(source_code__isnull=True).count() == 1


def test_the_declaration_links_the_privacy_notice_it_asks_about(client, campaign, ward):
    walk(client, campaign, ward)
    page = client.get("/nominate/declaration/").content.decode()
    assert 'href="/privacy/"' in page and "privacy notice (opens in a new tab)" in page
