"""Nominees (and guardians of under-18s) choose what may be published, through signed links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from council.models import OutboundEmail
from nominations import services
from nominations.models import ConsentLink, ConsentRecord, Nomination
from nominations.selectors import nominee_consent

pytestmark = pytest.mark.django_db


def approved(campaign, answers, **changes):
    nomination = services.nomination_submit(
        campaign=campaign, answers={**answers, **changes}, source=Nomination.Source.STAFF
    )
    services.nomination_approve(nomination=nomination, actor=None)
    return nomination.nominee


def link_path(to: str, index: int = 0) -> str:
    body = OutboundEmail.objects.filter(to=[to]).order_by("pk")[index].body_text
    return re.search(r"/consent/[^\s/]+/", body).group(0)


EVERYTHING = {
    "channels": ["roll_of_honour", "website_story", "social_media", "press"],
    "name_display": "first_initial",
    "photo_allowed": "yes",
}


def test_a_nominee_gives_consent_from_the_emailed_link(client, campaign, answers):
    nominee = approved(campaign, answers)
    path = link_path("maureen@example.net")
    page = client.get(path).content.decode()
    assert "You have been nominated" in page and "How should your name be shown?" in page
    response = client.post(path, EVERYTHING)
    assert "Your choices are saved" in response.content.decode()
    consent = nominee_consent(nominee)
    assert consent.roll_of_honour and consent.social_media and consent.photo_allowed
    assert consent.display_name(nominee) == "Maureen C."
    record = ConsentRecord.objects.get()
    assert (
        record.wording_version == services.CONSENT_WORDING_VERSION and record.given_by == "nominee"
    )


def test_the_answer_must_say_how_the_name_is_shown(client, campaign, answers):
    approved(campaign, answers)
    page = client.post(link_path("maureen@example.net"), {"channels": ["press"]}).content.decode()
    assert "Select how your name should be shown" in page
    assert not ConsentRecord.objects.exists()


def test_withdrawing_takes_everything_down_at_once(client, campaign, answers):
    nominee = approved(campaign, answers)
    path = link_path("maureen@example.net")
    client.post(path, EVERYTHING)
    assert nominee_consent(nominee).website_story
    response = client.post(path, {"withdraw": "all"})
    assert "Consent withdrawn" in response.content.decode()
    consent = nominee_consent(nominee)
    assert consent.withdrawn and not consent.answered
    assert not (
        consent.roll_of_honour or consent.website_story or consent.social_media or consent.press
    )


ROLL_ONLY = {"channels": ["roll_of_honour"], "name_display": "full", "photo_allowed": "no"}


def young_person(campaign, answers, **changes):
    """An approved under-18 with a guardian: the nominee and their two consent links."""
    nominee = approved(
        campaign,
        answers,
        nominee_kind="young_person",
        guardian_name="Pat",
        guardian_email="pat@example.net",
        **changes,
    )
    young, guardian = (
        ConsentLink.objects.get(nominee=nominee, role=role) for role in ("nominee", "guardian")
    )
    return nominee, young, guardian


def test_an_under_18_is_publishable_only_when_both_agree(client, campaign, answers):
    nominee, young, guardian = young_person(campaign, answers, nominee_email="")
    services.consent_record(link=young, answers=EVERYTHING)
    assert not nominee_consent(nominee).roll_of_honour
    services.consent_record(link=guardian, answers=ROLL_ONLY)
    consent = nominee_consent(nominee)
    assert consent.roll_of_honour and not consent.website_story and not consent.photo_allowed
    assert consent.name_display == "first_initial"  # the more private choice wins
    services.consent_record(
        link=guardian, answers={"withdraw": True, "channels": [], "name_display": "anonymous"}
    )
    assert not nominee_consent(nominee).roll_of_honour


def test_a_nominees_link_cannot_act_as_a_guardians(client, campaign, answers):
    nominee = approved(
        campaign, answers, nominee_kind="young_person", guardian_email="pat@example.net"
    )
    young = ConsentLink.objects.get(nominee=nominee, role="nominee")
    token = services.consent_token(young)
    from django.core import signing

    payload = signing.loads(token, salt="nominations.consent")
    forged = signing.dumps({**payload, "r": "guardian"}, salt="nominations.consent-wrong")
    assert client.get(f"/consent/{forged}/").status_code == 400
    page = client.get(f"/consent/{token}/").content.decode()
    assert (
        "You have been nominated" in page
        and "parent or guardian" not in page.split("<main")[1][:400]
    )


def test_a_new_link_retires_the_old_one_and_expired_links_explain_themselves(
    client, campaign, answers
):
    nominee = approved(campaign, answers)
    old = link_path("maureen@example.net")
    services.consent_request(nominee=nominee)
    response = client.get(old)
    assert response.status_code == 400
    assert "A newer link has been sent" in response.content.decode()
    ConsentLink.objects.filter(superseded_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(link_path("maureen@example.net", 1))
    assert "This link has expired." in response.content.decode()
    assert "enter it here" in response.content.decode()


def test_nominees_without_email_use_the_code_from_their_letter(client, campaign, answers):
    nominee = approved(
        campaign,
        answers,
        nominee_email="",
        contact_methods=["post"],
        address_line_1="1 High St",
        town="South Shields",
        postcode="NE33 2RL",
    )
    assert not OutboundEmail.objects.filter(subject__startswith="You have been nominated").exists()
    link = ConsentLink.objects.get(nominee=nominee)
    page = client.post("/consent/", {"code": "ZZZZ 9999"}).content.decode()
    assert "We cannot find that code." in page
    page = client.post("/consent/", {"code": "ZZZ"}).content.decode()
    assert "Enter the code as it is printed: 8 letters and numbers, like K7PD 3XQ2" in page
    typed = f"{link.short_code[:4].lower()}-{link.short_code[4:]}"  # hyphen and lower case
    response = client.post("/consent/", {"code": typed})
    assert response["Location"] == "/consent/answer/"
    client.post("/consent/answer/", EVERYTHING)
    assert nominee_consent(nominee).press


def checked_channels(page: str) -> set[str]:
    return set(re.findall(r'name="channels" type="checkbox" value="(\w+)"[^>]*checked', page))


def test_each_person_sees_their_own_answer_not_what_both_allow(client, campaign, answers):
    _nominee, young, guardian = young_person(campaign, answers, nominee_email="priya@example.net")
    services.consent_record(link=young, answers=EVERYTHING)
    services.consent_record(link=guardian, answers=ROLL_ONLY)
    page = client.get(f"/consent/{services.consent_token(young)}/").content.decode()
    assert checked_channels(page) == set(EVERYTHING["channels"])
    assert "We share only what your parent or guardian has also agreed to." in page
    # Saving the young person's page again keeps the young person's own answer.
    client.post(f"/consent/{services.consent_token(young)}/", EVERYTHING)
    latest = ConsentRecord.objects.filter(given_by="nominee").latest("pk")
    assert latest.website_story and latest.press and latest.photo_allowed
    page = client.get(f"/consent/{services.consent_token(guardian)}/").content.decode()
    assert checked_channels(page) == {"roll_of_honour"}


def test_a_withdrawn_consent_says_so_when_the_link_is_opened_again(client, campaign, answers):
    approved(campaign, answers)
    path = link_path("maureen@example.net")
    client.post(path, EVERYTHING)
    client.post(path, {"withdraw": "all"})
    page = client.get(path).content.decode()
    assert "You withdrew your consent on" in page and "we share nothing about you" in page
    assert checked_channels(page) == set()
    assert "Withdraw my consent" not in page


def test_the_nominee_is_led_to_their_own_page(client, campaign, answers):
    nominee = approved(campaign, answers)
    email = OutboundEmail.objects.get(to=["maureen@example.net"])
    own_page = re.search(r"http://\S+/nominee/[^\s/]+/", email.body_text).group(0)
    path = own_page.split("127.0.0.1:8000", 1)[-1]
    assert client.get(path).status_code == 200
    saved = client.post(link_path("maureen@example.net"), EVERYTHING).content.decode()
    linked = re.search(r'href="http://[^/"]+(/nominee/[^"]+/)">Go to your own page</a>', saved)
    assert f"Thank you, {nominee.name}" in client.get(linked.group(1)).content.decode()


def test_a_business_is_asked_about_its_name_not_a_first_name(client, campaign, answers):
    approved(campaign, answers, nominee_kind="business", nominee_name="Westoe Road Bakery")
    page = client.get(link_path("maureen@example.net")).content.decode()
    assert "May we show the name Westoe Road Bakery?" in page
    assert "Yes, show Westoe Road Bakery" in page
    assert "first letter of" not in page and "photo of you" not in page
    assert "A story about Westoe Road Bakery on the council" in page


def test_a_guardian_is_asked_about_the_young_person(client, campaign, answers):
    approved(
        campaign,
        answers,
        nominee_kind="young_person",
        nominee_name="Priya Shah",
        guardian_name="Anita Shah",
        guardian_email="anita@example.net",
    )
    page = client.get(link_path("anita@example.net")).content.decode()
    assert "A story about Priya Shah on the council" in page
    assert "about you" not in page.split("<main")[1]
