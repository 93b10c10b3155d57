"""A nominee who has died: staff add the family's details, and the consent link goes to the family."""

import re

import pytest

from council.models import AuditLogEntry, OutboundEmail
from council.roles import Role
from nominations import services
from nominations.models import Nomination, Nominee
from nominations.selectors import nominee_consent
from tests.council.factories import StaffFactory

pytestmark = pytest.mark.django_db

FAMILY = {
    "family-name": "Jean Clarke",
    "family-email": "Jean.Clarke@Example.net",
    "family-address_line_1": "",
    "family-address_line_2": "",
    "family-town": "",
    "family-postcode": "",
}


@pytest.fixture
def comms(client):
    user = StaffFactory(roles=[Role.COMMS], authenticator=True)
    client.force_login(user)
    return user


@pytest.fixture
def nomination(campaign, answers):
    """Maureen, nominated with her own email address, entered by staff."""
    return services.nomination_submit(
        campaign=campaign, answers=answers, source=Nomination.Source.STAFF
    )


def emails_to(address: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=[address]).order_by("pk"))


def consent_path(email: OutboundEmail) -> str:
    return re.search(r"/consent/[^\s/]+/", email.body_text).group(0)


def test_the_family_gets_the_consent_link_never_the_nominees_own_address(client, comms, nomination):
    detail = f"/staff/nominations/{nomination.reference}/"
    client.post(f"{detail}died/", {"has_died": "yes"})
    page = client.get(detail).content.decode()
    assert "Their family" in page and "Who should the letter be addressed to?" in page

    response = client.post(f"{detail}family/", FAMILY, follow=True)
    page = response.content.decode()
    assert "The family&#x27;s details are saved. The letter will go to Jean Clarke." in page
    assert "The letter goes to Jean Clarke, by email to jean.clarke@example.net." in page
    assert "Saved the family&#x27;s details" in page  # the history

    client.post(f"{detail}approve/")
    assert emails_to("maureen@example.net") == []
    (email,) = emails_to("jean.clarke@example.net")
    assert email.subject == "Maureen Clarke was nominated"
    assert email.body_text.startswith("Hello Jean Clarke,\n\nWe are very sorry for your loss.")
    assert "never post about someone who has died on social media" in email.body_text

    # The audit log says what changed, not the family's details themselves.
    entry = AuditLogEntry.objects.get(action="nominations.nominee.family_contact_set")
    assert entry.data == {"changed": ["family_name", "family_email"]}
    assert "jean" not in str(entry.data).lower()


def test_a_family_email_added_after_approval_gets_a_fresh_link_and_the_old_one_stops(
    client, comms, nomination
):
    services.nomination_approve(nomination=nomination, actor=comms)
    (first,) = emails_to("maureen@example.net")
    detail = f"/staff/nominations/{nomination.reference}/"
    client.post(f"{detail}died/", {"has_died": "yes"})
    client.post(f"{detail}family/", FAMILY)
    (fresh,) = emails_to("jean.clarke@example.net")

    client.logout()
    old_page = client.get(consent_path(first)).content.decode()
    assert "A newer link has been sent, so this one no longer works." in old_page
    page = client.get(consent_path(fresh)).content.decode()
    assert "Maureen Clarke was nominated" in page and "sorry for your loss" in page
    assert "How should Maureen Clarke&#x27;s name be shown?" in page
    assert "social media" in page  # said: never posted about someone who has died
    assert 'value="social_media"' not in page  # and not offered as a choice

    saved = client.post(
        consent_path(fresh),
        {"channels": ["roll_of_honour", "press"], "name_display": "full", "photo_allowed": "no"},
    )
    assert "Your choices are saved" in saved.content.decode()
    # Saving the same details again sends nothing more.
    client.force_login(comms)
    client.post(f"{detail}family/", FAMILY)
    assert len(emails_to("jean.clarke@example.net")) == 1
    consent = nominee_consent(Nominee.objects.get(pk=nomination.nominee_id))
    assert consent.roll_of_honour and consent.press and not consent.social_media


def test_each_bad_answer_is_shown_beside_its_field_and_nothing_is_saved(client, comms, nomination):
    detail = f"/staff/nominations/{nomination.reference}/"
    client.post(f"{detail}died/", {"has_died": "yes"})
    bad = {**FAMILY, "family-name": "", "family-email": "not an email"}
    page = client.post(f"{detail}family/", bad).content.decode()
    assert "There is a problem" in page
    assert "Enter who the letter should be addressed to" in page
    assert "Enter the family&#x27;s email address in the correct format" in page

    bad = {
        **FAMILY,
        "family-email": "",
        "family-address_line_1": "2 Harbour View",
        "family-postcode": "NOT A CODE",
    }
    page = client.post(f"{detail}family/", bad).content.decode()
    assert "Enter a full UK postcode, like NE33 2RL" in page
    page = client.post(f"{detail}family/", {**bad, "family-postcode": "NE33 1AA"}).content.decode()
    assert "Enter address line 1, the town and the postcode, or leave the address empty" in page
    page = client.post(f"{detail}family/", {**FAMILY, "family-email": ""}).content.decode()
    assert "Enter the family&#x27;s email address or their postal address" in page
    # What was typed is still there to correct.
    assert 'value="Jean Clarke"' in page

    nominee = Nominee.objects.get(pk=nomination.nominee_id)
    assert (nominee.family_name, nominee.family_email) == ("", "")
    assert not AuditLogEntry.objects.filter(action="nominations.nominee.family_contact_set")


def test_family_details_are_only_for_a_nominee_who_has_died(nomination):
    with pytest.raises(services.NominationError) as refused:
        services.nominee_family_contact_set(
            nominee=nomination.nominee, name="Jean Clarke", email="jean@example.net", actor=None
        )
    assert str(refused.value) == (
        "Mark the nominee as having died before adding their family's details."
    )


def test_a_family_with_only_a_postal_address_gets_no_email(comms, nomination):
    services.nominee_mark_died(nominee=nomination.nominee, has_died=True, actor=comms)
    services.nominee_family_contact_set(
        nominee=nomination.nominee,
        name="The Clarke family",
        address_line_1="2 Harbour View",
        town="South Shields",
        postcode="ne331aa",
        actor=comms,
    )
    services.nomination_approve(nomination=nomination, actor=comms)
    assert not [email for email in OutboundEmail.objects.all() if "consent" in email.tags]
    nominee = Nominee.objects.get(pk=nomination.nominee_id)
    assert nominee.family_postal_address == ["2 Harbour View", "South Shields", "NE33 1AA"]
