"""Delivery events from the email provider: stored once, checked, and moving letters on."""

import base64
import io
import json

import pytest
from django.core.management import call_command

from council.models import DeliveryEvent, EmailSuppression, OutboundEmail
from council.services import delivery_event_apply, email_queue, email_send
from recognition import services as letters
from recognition.models import Letter

pytestmark = pytest.mark.django_db

URL = "/anymail/postmark/tracking/"
AUTH = {
    "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"tracking:test-only-webhook-secret").decode()
}


def post(client, payload, auth=AUTH):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **auth)


def delivered(email, message_id="pm-1"):
    return {
        "RecordType": "Delivery",
        "ServerID": 1,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": email.to[0],
        "Tag": "",
        "DeliveredAt": "2026-11-27T10:00:00Z",
        "Details": "Delivered",
        "Metadata": {"outbound_email_id": str(email.pk), **email.metadata},
    }


def bounced(email, kind="HardBounce", event_id=42):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": kind,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "pm-1",
        "ServerID": 1,
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 unknown user",
        "Email": email.to[0],
        "From": "proud@example.org",
        "BouncedAt": "2026-11-27T10:00:00Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": email.subject,
        "Metadata": {"outbound_email_id": str(email.pk), **email.metadata},
    }


def test_the_webhook_needs_the_secret(client):
    email = email_queue(to=["hero@example.org"], subject="Thanks", body_text="x")
    assert post(client, delivered(email), auth={}).status_code in (400, 401, 403)
    assert not DeliveryEvent.objects.exists()


def test_an_event_is_stored_once_however_often_it_arrives(
    client, django_capture_on_commit_callbacks
):
    email = email_queue(to=["hero@example.org"], subject="Thanks", body_text="x")
    with django_capture_on_commit_callbacks() as queued:
        assert post(client, bounced(email)).status_code == 200
        assert post(client, bounced(email)).status_code == 200
    assert DeliveryEvent.objects.count() == 1
    assert len(queued) == 1


def test_a_complaint_stops_further_email_to_that_address(client):
    email = email_queue(to=["angry@example.org"], subject="Thanks", body_text="x")
    post(
        client, {**bounced(email, kind="SpamComplaint", event_id=7), "RecordType": "SpamComplaint"}
    )
    delivery_event_apply(event_id=DeliveryEvent.objects.get().pk)
    assert EmailSuppression.objects.filter(address="angry@example.org").exists()
    later = email_queue(to=["Angry@example.org"], subject="More", body_text="y")
    email_send(email_id=later.pk)
    later.refresh_from_db()
    assert later.status == OutboundEmail.Status.FAILED
    assert "asked not to be emailed" in later.last_error


@pytest.fixture
def emailed_letters(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", stdout=io.StringIO())
    letters.letters_release(actor=None)
    for letter in Letter.objects.filter(route=Letter.Route.EMAIL):
        letters.letter_send(letter_id=letter.pk)
    return Letter.objects.filter(stage=Letter.Stage.EMAILED)


def apply_all():
    for event in DeliveryEvent.objects.filter(status=DeliveryEvent.Status.QUEUED):
        delivery_event_apply(event_id=event.pk)


def test_delivered_marks_the_letter_delivered(client, emailed_letters):
    letter = emailed_letters.get(nominee__name="Maureen Clarke")
    post(client, delivered(letter.outbound_email))
    apply_all()
    letter.refresh_from_db()
    assert letter.stage == Letter.Stage.DELIVERED
    assert OutboundEmail.objects.get(pk=letter.outbound_email_id).delivery == "delivered"


def test_a_bounce_sends_the_letter_by_post_when_an_address_is_known(client, emailed_letters):
    with_address = emailed_letters.get(
        nominee__name="Maureen Clarke"
    )  # the demo has her postcode too
    without = emailed_letters.get(nominee__name="Dr Amir Haddad")  # email only
    post(client, bounced(with_address.outbound_email, event_id=1))
    post(client, bounced(without.outbound_email, event_id=2))
    apply_all()
    with_address.refresh_from_db()
    without.refresh_from_db()
    assert (with_address.route, with_address.stage) == (Letter.Route.POST, Letter.Stage.FOR_PRINT)
    assert without.stage == Letter.Stage.BOUNCED
