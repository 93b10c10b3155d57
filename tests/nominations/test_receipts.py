"""A nomination sent on the public form is one row until the worker files it."""

import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import app
from council.models import AuditLogEntry, OutboundEmail
from council.roles import Role
from nominations import services
from nominations.models import Nomination, NominationReceipt, Nominee
from nominations.tasks import file_received
from tests.council.factories import StaffFactory
from tests.nominations.images import jpeg_bytes
from tests.nominations.test_journey import walk

pytestmark = pytest.mark.django_db


def receive(campaign, answers, **fields):
    return services.nomination_receive(campaign=campaign, answers=answers, **fields)


def test_filing_makes_the_nominee_the_audit_row_and_the_confirmation_email(campaign, answers):
    receipt = receive(campaign, answers)
    assert not Nominee.objects.exists() and not AuditLogEntry.objects.exists()

    nomination = services.nomination_file(receipt_id=receipt.pk)

    assert nomination.reference == receipt.reference
    assert nomination.nominee.email == "maureen@example.net"
    entry = AuditLogEntry.objects.get(action="nominations.nomination.submitted")
    assert entry.object_id == str(nomination.pk)
    assert entry.data["received_at"] == receipt.received_at.isoformat()
    email = OutboundEmail.objects.get()
    assert email.to == ["jo@example.net"] and nomination.reference in email.body_text
    assert services.nomination_file(receipt_id=receipt.pk) is None
    assert Nomination.objects.count() == 1 and OutboundEmail.objects.count() == 1


def test_a_nomination_received_before_the_campaign_closed_is_still_filed(campaign, answers):
    receipt = receive(campaign, answers)
    campaign.closes_at = timezone.now() - timedelta(minutes=1)
    campaign.save()
    assert file_received() == 1
    assert Nomination.objects.get().reference == receipt.reference
    with pytest.raises(services.NominationError):
        receive(campaign, answers)  # but the form takes no more


def test_a_receipt_that_cannot_be_filed_keeps_its_answers_and_the_rest_still_go(
    campaign, answers, caplog
):
    broken = receive(campaign, answers)
    broken.answers = {**broken.answers, "category": 999999}
    broken.save()
    good = receive(campaign, {**answers, "nominee_name": "Ann Other"})

    assert file_received() == 1
    assert Nomination.objects.get().reference == good.reference
    broken.refresh_from_db()
    assert broken.filed_at is None and broken.attempts == 1
    assert "Category" in broken.last_error
    assert broken.answers["nominee_name"] == "Maureen Clarke"
    assert f"Nomination receipt {broken.pk} could not be filed" in caplog.text

    assert file_received() == 0  # tried again on every run, and said again
    broken.refresh_from_db()
    assert broken.attempts == 2


def test_the_photo_waits_in_the_pending_folder_until_filed(
    client, campaign, ward, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("snap.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
    walk(client, campaign, ward, photo=upload)
    client.post("/nominate/check/")
    receipt = NominationReceipt.objects.get()
    assert receipt.photo_name.startswith("pending/")
    assert default_storage.exists(receipt.photo_name)
    # The nightly purge of abandoned uploads leaves it, however long it has waited.
    old = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(default_storage.path(receipt.photo_name), (old, old))
    assert services.pending_photos_purge() == 0
    assert default_storage.exists(receipt.photo_name)

    with django_capture_on_commit_callbacks(execute=True):
        file_received()

    nomination = Nomination.objects.get()
    assert nomination.photo.name.startswith("nominations/")
    assert nomination.photo_alt == "Maureen at her front door"
    assert not default_storage.exists(receipt.photo_name)


def test_filed_receipts_are_deleted_with_the_unconfirmed_nominations_after_30_days(
    campaign, answers
):
    receipt = receive(campaign, answers)
    file_received()
    later = timezone.now() + services.UNCONFIRMED_KEPT_FOR + timedelta(days=1)
    assert services.nominations_purge_unconfirmed(now=later) == 1
    assert not NominationReceipt.objects.filter(pk=receipt.pk).exists()
    assert not Nomination.objects.exists()


def test_beat_files_received_nominations_every_few_seconds():
    entry = next(
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "nominations.tasks.file_received"
    )
    assert entry["schedule"] <= 10


def test_comms_staff_are_told_of_nominations_the_worker_has_not_filed(client, campaign, answers):
    client.force_login(StaffFactory(roles=[Role.COMMS], authenticator=True))
    fresh = receive(campaign, answers)
    assert "not been filed yet" not in client.get("/staff/nominations/").content.decode()
    # A resident phoning with their reference is found at once, before it is filed.
    page = client.get("/staff/nominations/", {"q": fresh.reference.lower()}).content.decode()
    assert f"{fresh.reference} is the nomination of Maureen Clarke sent on the public form" in page
    assert "by jo@example.net" in page and "within seconds once the background worker" in page

    NominationReceipt.objects.filter(pk=fresh.pk).update(
        received_at=timezone.now() - timedelta(minutes=10)
    )
    page = client.get("/staff/nominations/").content.decode()
    assert "1 nomination sent on the public form has not been filed yet" in page
    assert "ask an administrator to check it" in page
    assert fresh.reference in page and "Waiting for the worker" in page

    broken = receive(campaign, {**answers, "nominee_name": "Ann Other"})
    NominationReceipt.objects.filter(pk=broken.pk).update(attempts=1, last_error="Category")
    page = client.get("/staff/nominations/").content.decode()
    assert "2 nominations sent on the public form have not been filed yet" in page
    assert "1 could not be filed" in page and "Could not be filed" in page
    assert "Ann Other" in page

    file_received()
    page = client.get("/staff/nominations/", {"q": fresh.reference}).content.decode()
    assert "not been filed yet" not in page and "is the nomination of" not in page
