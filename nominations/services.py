"""Every change to campaigns, nominations, nominees and consent."""

import logging
import os
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from council import outgoing
from council.selectors import areas_by_pk
from council.services import audit_log, email_queue
from nominations import matching
from nominations.models import (
    Campaign,
    Category,
    ConsentLink,
    ConsentRecord,
    Nomination,
    NominationImport,
    NominationNote,
    NominationReceipt,
    Nominee,
    NomineeKind,
    NomineeMerge,
    PossibleDuplicate,
)
from nominations.signals import nominee_changed

logger = logging.getLogger(__name__)

CONFIRMATION_MAX_AGE = timedelta(days=7)
CONSENT_LINK_LIFETIME = timedelta(days=90)
UNCONFIRMED_KEPT_FOR = timedelta(days=30)
CONSENT_WORDING_VERSION = "2026-11"


class NominationError(Exception):
    messages = {
        "campaign_closed": "Nominations for {campaign} closed on {date}.",
        "campaign_not_open": "Nominations for {campaign} open on {date}.",
        "category_not_in_campaign": "Choose a category from this campaign",
        "already_decided": "This nomination was already {status}.",
        "reason_required": "Enter the reason for rejecting the nomination",
        "not_merged": "These nominees are not merged.",
        "same_nominee": "A nominee cannot be merged into itself.",
        "link_invalid": "This link is not valid. It may have been copied wrongly.",
        "link_expired": "This link has expired.",
        "link_replaced": "A newer link has been sent, so this one no longer works.",
        "family_needs_died": "Mark the nominee as having died before adding their family's details.",
        "family_name_missing": "Enter who the letter should be addressed to",
        "family_contact_missing": "Enter the family's email address or their postal address",
    }

    def __init__(self, code: str, **params):
        self.code = code
        super().__init__(self.messages[code].format(**params))


# --- Campaigns ---------------------------------------------------------------------------


def campaign_save(*, campaign: Campaign, actor, changed=()) -> Campaign:
    """Add or change a campaign; the public pages see it at once."""
    from django.core.cache import cache

    from nominations.selectors import CAMPAIGN_CACHE_KEY

    with transaction.atomic():
        created = campaign.pk is None
        campaign.full_clean()
        campaign.save()
        audit_log(
            actor=actor,
            action="nominations.campaign.created" if created else "nominations.campaign.updated",
            obj=campaign,
            data={"changed": list(changed)},
        )
        cache.delete(CAMPAIGN_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(CAMPAIGN_CACHE_KEY))
    return campaign


# --- Submitting and confirming ------------------------------------------------------


def _nominee_fields(answers: dict) -> dict:
    name = " ".join(answers["nominee_name"].split())
    return {
        "kind": answers["nominee_kind"],
        "name": name,
        "normalised_name": matching.normalise_name(name)[:150],
        "name_key": matching.name_key(name)[:200],
        "surname_key": matching.surname_key(name),
        "email": (answers.get("nominee_email") or "").strip().lower(),
        "phone": matching.normalise_phone(answers.get("nominee_phone") or ""),
        "address_line_1": answers.get("address_line_1", ""),
        "address_line_2": answers.get("address_line_2", ""),
        "town": answers.get("town", ""),
        "postcode": matching.normalise_postcode(answers.get("postcode") or "")
        if answers.get("postcode")
        else "",
        "employer": answers.get("employer", ""),
        "area": answers.get("area"),
        "guardian_name": answers.get("guardian_name", ""),
        "guardian_email": (answers.get("guardian_email") or "").strip().lower(),
    }


def _new_reference() -> str:
    """A reference people can read out on the phone: N and 7 letters or digits (32^7 of them)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "N" + "".join(secrets.choice(alphabet) for _ in range(7))


def _save_with_new_reference(nomination: Nomination) -> None:
    """Save under a fresh reference; the unique index decides, and a clash draws another."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                nomination.save()
            return
        except IntegrityError:
            if (
                attempt == 4
                or Nomination.objects.filter(reference=nomination.reference).count() == 0
            ):
                raise
            nomination.reference = _new_reference()


def _check_open(campaign: Campaign) -> None:
    now = timezone.now()
    if now >= campaign.closes_at:
        raise NominationError(
            "campaign_closed",
            campaign=campaign.name,
            date=f"{timezone.localtime(campaign.closes_at):%-d %B %Y}",
        )
    if now < campaign.opens_at:
        raise NominationError(
            "campaign_not_open",
            campaign=campaign.name,
            date=f"{timezone.localtime(campaign.opens_at):%-d %B %Y}",
        )


def nomination_submit(
    *,
    campaign: Campaign,
    answers: dict,
    photo=None,
    source: str = Nomination.Source.PUBLIC,
    source_code=None,
    actor=None,
    receipt: NominationReceipt | None = None,
) -> Nomination:
    """Save a nomination. From the public form it waits for the nominator to confirm by email;
    entered by staff or uploaded by a partner, it goes straight to the review queue.

    Filing a receipt (`nomination_file`) passes it: the nomination takes the receipt's
    reference and time, and the campaign is not checked again, as the form took it
    while the campaign was open."""
    category: Category = answers["category"]
    if category.campaign_id != campaign.pk:
        raise NominationError("category_not_in_campaign")
    if source == Nomination.Source.PUBLIC and receipt is None:
        _check_open(campaign)
    with transaction.atomic():
        nominee = Nominee.objects.create(**_nominee_fields(answers))
        nomination = Nomination(
            reference=receipt.reference if receipt else _new_reference(),
            campaign=campaign,
            category=category,
            nominee=nominee,
            source=source,
            nominee_kind=nominee.kind,
            nominee_name=nominee.name,
            contact_methods=list(answers.get("contact_methods") or []),
            nominee_email=nominee.email,
            nominee_phone=answers.get("nominee_phone", ""),
            address_line_1=nominee.address_line_1,
            address_line_2=nominee.address_line_2,
            town=nominee.town,
            postcode=nominee.postcode,
            employer=nominee.employer,
            guardian_name=nominee.guardian_name,
            guardian_email=nominee.guardian_email,
            area=nominee.area,
            reason=answers["reason"].strip(),
            photo_alt=answers.get("photo_alt", "") if photo else "",
            nominator_name=" ".join(answers["nominator_name"].split()),
            nominator_email=(answers.get("nominator_email") or "").strip().lower(),
            nominator_relationship=answers["nominator_relationship"].strip(),
            nominator_organisation=answers.get("nominator_organisation", "").strip(),
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            source_code=source_code,
        )
        if receipt is not None:
            nomination.created_at = receipt.received_at
        if photo is not None:
            nomination.photo.save(os.path.basename(photo.name), photo, save=False)
        if source != Nomination.Source.PUBLIC:
            nomination.status = Nomination.Status.SUBMITTED
            nomination.confirmed_at = timezone.now()
        _save_with_new_reference(nomination)
        data = {"source": source, "campaign": campaign.slug}
        if receipt is not None:
            data["received_at"] = receipt.received_at.isoformat()
        audit_log(actor=actor, action="nominations.nomination.submitted", obj=nomination, data=data)
        if nomination.status == Nomination.Status.SUBMITTED:
            _record_possible_duplicates(nominee)
        else:
            _send_confirmation(nomination)
    return nomination


def nomination_receive(
    *, campaign: Campaign, answers: dict, photo_name: str = "", source_code=None
) -> NominationReceipt:
    """Take a nomination from the public form: one row, filed by the worker within seconds.

    `answers` are the journey's, with the category and the ward as objects (as
    `Journey.for_service` gives them); they are kept as ids. Nothing else is
    written here, so a rush of nominations after a story in the paper is taken
    as fast as the database can insert one row each; `nomination_file` does the
    rest.
    """
    category: Category = answers["category"]
    if category.campaign_id != campaign.pk:
        raise NominationError("category_not_in_campaign")
    _check_open(campaign)
    area = answers.get("area")
    stored = {**answers, "category": category.pk, "area": area.pk if area else None}
    fields = {
        "campaign": campaign,
        "answers": stored,
        "photo_name": photo_name or "",
        "source_code": source_code,
    }
    # Unlike `_save_with_new_reference`, no savepoint: the request is not in a transaction,
    # so the one INSERT is atomic by itself, and BEGIN/COMMIT around it would double its
    # round trips to PostgreSQL on the form's busiest moment.
    for _attempt in range(4):
        try:
            return NominationReceipt.objects.create(reference=_new_reference(), **fields)
        except IntegrityError:  # The reference was drawn before (1 in 34 billion): draw again.
            continue
    return NominationReceipt.objects.create(reference=_new_reference(), **fields)


def _answers_from_receipt(receipt: NominationReceipt) -> dict:
    answers = dict(receipt.answers)
    answers["category"] = Category.objects.get(pk=answers["category"], campaign=receipt.campaign)
    area = answers.get("area")
    answers["area"] = areas_by_pk().get(int(area)) if area else None
    return answers


def nomination_file(*, receipt_id: int) -> Nomination | None:
    """Make the nomination a receipt holds, once: its nominee, audit row and confirmation email.

    Everything happens in one transaction with the receipt locked, so a second
    run (two workers, or a message delivered twice) finds it filed and does
    nothing. Returns the nomination, or None if the receipt was already filed.
    """
    with transaction.atomic():
        receipt = (
            # A second worker filing at the same time passes over this row.
            NominationReceipt.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("campaign", "source_code")
            .filter(pk=receipt_id, filed_at__isnull=True)
            .first()
        )
        if receipt is None:
            return None
        photo_name = receipt.photo_name
        photo = (
            default_storage.open(photo_name)
            if photo_name and default_storage.exists(photo_name)
            else None
        )
        try:
            nomination = nomination_submit(
                campaign=receipt.campaign,
                answers=_answers_from_receipt(receipt),
                photo=photo,
                source_code=receipt.source_code,
                receipt=receipt,
            )
        finally:
            if photo is not None:
                photo.close()
        receipt.filed_at = timezone.now()
        receipt.nomination = nomination
        receipt.answers = {}
        receipt.photo_name = ""
        receipt.last_error = ""
        receipt.save(
            update_fields=["filed_at", "nomination", "answers", "photo_name", "last_error"]
        )
        if photo is not None:
            transaction.on_commit(lambda: default_storage.delete(photo_name))
    return nomination


def nominations_file_received(*, limit: int = 1000) -> int:
    """File every receipt waiting (the oldest first, at most `limit`); returns how many.

    A receipt that cannot be filed keeps its answers, counts the attempt and
    records why, and the others carry on; it is tried again on the next run.
    """
    waiting = list(
        NominationReceipt.objects.filter(filed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    filed = 0
    for pk in waiting:
        try:
            if nomination_file(receipt_id=pk) is not None:
                filed += 1
        except Exception as error:  # Kept and said; never lost, and the rest still go.
            logger.exception("Nomination receipt %s could not be filed", pk)
            NominationReceipt.objects.filter(pk=pk).update(
                attempts=models.F("attempts") + 1, last_error=repr(error)[:2000]
            )
    return filed


def confirmation_token(nomination: Nomination) -> str:
    return signing.dumps(
        {"n": nomination.pk, "x": str(nomination.confirmation_nonce)},
        salt="nominations.confirm",
        compress=True,
    )


def _send_confirmation(nomination: Nomination) -> None:
    link = settings.SITE_URL + reverse("nominations:confirm", args=[confirmation_token(nomination)])
    context = {"nomination": nomination, "link": link, "days": CONFIRMATION_MAX_AGE.days}
    email_queue(
        to=[nomination.nominator_email],
        subject=f"Confirm your nomination of {nomination.nominee_name}",
        body_text=render_to_string("nominations/email/confirm.txt", context),
        tags=["nomination-confirmation"],
        metadata={"nomination": nomination.reference},
    )


def _confirmation_payload(token: str) -> dict:
    try:
        return signing.loads(token, salt="nominations.confirm", max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise NominationError("link_expired") from None
    except signing.BadSignature:
        raise NominationError("link_invalid") from None


def _linked_nomination(token: str, nominations) -> Nomination:
    """The nomination a confirmation link names, or why the link cannot be used."""
    payload = _confirmation_payload(token)
    nomination = nominations.filter(pk=payload.get("n")).first()
    if nomination is None:
        raise NominationError("link_invalid")
    if str(nomination.confirmation_nonce) != payload.get("x"):
        raise NominationError("link_replaced")
    return nomination


def nomination_to_confirm(*, token: str) -> Nomination:
    """The nomination a confirmation link is for, changing nothing: the page the link opens
    asks the nominator to press a button, so a mail scanner that follows every link in an
    email cannot confirm a nomination for them."""
    return _linked_nomination(token, Nomination.objects.all())


def nomination_confirm(*, token: str) -> Nomination:
    """The nominator confirmed from the link in the email: the nomination joins the review queue."""
    with transaction.atomic():
        nomination = _linked_nomination(token, Nomination.objects.select_for_update())
        if nomination.status != Nomination.Status.UNCONFIRMED:
            return nomination  # confirming twice is harmless
        nomination.status = Nomination.Status.SUBMITTED
        nomination.confirmed_at = timezone.now()
        nomination.save(update_fields=["status", "confirmed_at"])
        audit_log(actor=None, action="nominations.nomination.confirmed", obj=nomination)
        _record_possible_duplicates(nomination.nominee)
    return nomination


def nomination_resend_confirmation(*, email: str) -> int:
    """Send new confirmation links for every unconfirmed nomination from this address.

    The answer is the same whether or not there are any, so the form reveals nothing.
    """
    import uuid

    count = 0
    with transaction.atomic():
        for nomination in Nomination.objects.select_for_update().filter(
            nominator_email=email.strip().lower(), status=Nomination.Status.UNCONFIRMED
        ):
            nomination.confirmation_nonce = uuid.uuid4()
            nomination.save(update_fields=["confirmation_nonce"])
            _send_confirmation(nomination)
            count += 1
        if count:
            audit_log(
                actor=None, action="nominations.confirmation.resent", data={"nominations": count}
            )
    return count


def nominations_purge_unconfirmed(*, now=None) -> int:
    """Delete nominations never confirmed within 30 days, with their photos and nominees."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_KEPT_FOR
    purged = 0
    for nomination in Nomination.objects.filter(
        status=Nomination.Status.UNCONFIRMED, created_at__lt=cutoff
    ).select_related("nominee"):
        with transaction.atomic():
            nominee = nomination.nominee
            if nomination.photo:
                nomination.photo.delete(save=False)
            reference = nomination.reference
            nomination.delete()
            if not nominee.nominations.exists():
                nominee.delete()
            audit_log(
                actor=None, action="nominations.nomination.purged", data={"reference": reference}
            )
            purged += 1
    # A filed receipt keeps only its reference and times; after as long, it goes too.
    NominationReceipt.objects.filter(filed_at__lt=cutoff).delete()
    return purged


# --- Duplicates ---------------------------------------------------------------------------


def _record_possible_duplicates(nominee: Nominee) -> list[PossibleDuplicate]:
    found = []
    for match in matching.find_matches(nominee):
        pair, _created = PossibleDuplicate.objects.update_or_create(
            nominee=nominee,
            candidate_id=match.candidate_id,
            defaults={"score": match.score, "reasons": match.reasons},
        )
        found.append(pair)
    return found


def nominee_merge(*, nominee: Nominee, into: Nominee, actor) -> NomineeMerge:
    """Staff confirm two nominees are one: every nomination moves to `into`. Undoable."""
    if nominee.pk == into.pk:
        raise NominationError("same_nominee")
    with transaction.atomic():
        nominee = Nominee.objects.select_for_update().get(pk=nominee.pk)
        moved = list(nominee.nominations.values_list("pk", flat=True))
        Nomination.objects.filter(pk__in=moved).update(nominee=into)
        nominee.merged_into = into
        nominee.save(update_fields=["merged_into"])
        merge = NomineeMerge.objects.create(
            merged=nominee, into=into, nomination_ids=moved, merged_by=actor
        )
        PossibleDuplicate.objects.filter(
            nominee__in=[nominee, into], candidate__in=[nominee, into]
        ).update(
            decision=PossibleDuplicate.Decision.MERGED, decided_by=actor, decided_at=timezone.now()
        )
        audit_log(
            actor=actor,
            action="nominations.nominee.merged",
            obj=into,
            data={"merged": nominee.pk, "name": nominee.name, "nominations": moved},
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[nominee.pk, into.pk])
    return merge


def nominee_merge_undo(*, merge: NomineeMerge, actor) -> Nominee:
    """Split a merge again: its nominations go back to the nominee they came from."""
    with transaction.atomic():
        merge = NomineeMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise NominationError("not_merged")
        Nomination.objects.filter(pk__in=merge.nomination_ids, nominee=merge.into).update(
            nominee=merge.merged
        )
        Nominee.objects.filter(pk=merge.merged_id).update(merged_into=None)
        merge.undone_at, merge.undone_by = timezone.now(), actor
        merge.save(update_fields=["undone_at", "undone_by"])
        PossibleDuplicate.objects.filter(
            nominee__in=[merge.merged, merge.into], candidate__in=[merge.merged, merge.into]
        ).update(
            decision=PossibleDuplicate.Decision.DIFFERENT,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit_log(
            actor=actor,
            action="nominations.nominee.split",
            obj=merge.merged,
            data={"from": merge.into_id, "nominations": merge.nomination_ids},
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[merge.merged_id, merge.into_id])
    return merge.merged


def possible_duplicate_dismiss(*, pair: PossibleDuplicate, actor) -> PossibleDuplicate:
    with transaction.atomic():
        pair.decision, pair.decided_by, pair.decided_at = (
            PossibleDuplicate.Decision.DIFFERENT,
            actor,
            timezone.now(),
        )
        pair.save(update_fields=["decision", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="nominations.duplicate.dismissed",
            obj=pair.nominee,
            data={"candidate": pair.candidate_id},
        )
    return pair


# --- Review ---------------------------------------------------------------------------------


def nomination_approve(*, nomination: Nomination, actor) -> Nomination:
    """Approve a nomination: its nominee will be thanked and asked for consent."""
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status in (Nomination.Status.APPROVED, Nomination.Status.REJECTED):
            raise NominationError("already_decided", status=nomination.get_status_display().lower())
        nomination.status = Nomination.Status.APPROVED
        nomination.decided_at, nomination.decided_by = timezone.now(), actor
        nomination.save(update_fields=["status", "decided_at", "decided_by"])
        audit_log(actor=actor, action="nominations.nomination.approved", obj=nomination)
        nominee_changed.send(sender=Nominee, nominee_ids=[nomination.nominee_id])
        nominee = nomination.nominee
        if not nominee.consent_links.exists():
            consent_request(nominee=nominee, actor=actor)
    return nomination


def nomination_reject(*, nomination: Nomination, actor, reason: str) -> Nomination:
    if not reason.strip():
        raise NominationError("reason_required")
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status in (Nomination.Status.APPROVED, Nomination.Status.REJECTED):
            raise NominationError("already_decided", status=nomination.get_status_display().lower())
        nomination.status = Nomination.Status.REJECTED
        nomination.rejection_reason = reason.strip()
        nomination.decided_at, nomination.decided_by = timezone.now(), actor
        nomination.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
        audit_log(
            actor=actor,
            action="nominations.nomination.rejected",
            obj=nomination,
            data={"reason": nomination.rejection_reason},
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[nomination.nominee_id])
    return nomination


def nominations_decide(
    *, nominations: Iterable[Nomination], actor, approve: bool, reason: str = ""
) -> dict[str, list[str]]:
    """Approve or reject many at once; each succeeds or is reported on its own."""
    done, skipped = [], []
    for nomination in nominations:
        try:
            if approve:
                nomination_approve(nomination=nomination, actor=actor)
            else:
                nomination_reject(nomination=nomination, actor=actor, reason=reason)
            done.append(nomination.reference)
        except NominationError as error:
            if error.code == "reason_required":
                raise
            skipped.append(f"{nomination.reference}: {error}")
    return {"done": done, "skipped": skipped}


def nomination_assign(*, nomination: Nomination, assignee, actor) -> Nomination:
    with transaction.atomic():
        before = nomination.assigned_to.email if nomination.assigned_to else None
        nomination.assigned_to = assignee
        nomination.save(update_fields=["assigned_to"])
        audit_log(
            actor=actor,
            action="nominations.nomination.assigned",
            obj=nomination,
            data={"assigned_to": {"before": before, "after": assignee.email if assignee else None}},
        )
    return nomination


def nomination_note_add(*, nomination: Nomination, actor, text: str) -> NominationNote:
    with transaction.atomic():
        note = NominationNote.objects.create(nomination=nomination, author=actor, text=text.strip())
        audit_log(actor=actor, action="nominations.nomination.noted", obj=nomination)
    return note


def nominee_mark_died(*, nominee: Nominee, has_died: bool, actor) -> Nominee:
    """Flag (or unflag) a nominee who has died: letters go to the family, never a social post."""
    with transaction.atomic():
        nominee.has_died = has_died
        nominee.save(update_fields=["has_died"])
        audit_log(
            actor=actor,
            action="nominations.nominee.died_flagged"
            if has_died
            else "nominations.nominee.died_unflagged",
            obj=nominee,
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[nominee.pk])
    return nominee


FAMILY_FIELDS = (
    "family_name",
    "family_email",
    "family_address_line_1",
    "family_address_line_2",
    "family_town",
    "family_postcode",
)


def nominee_family_contact_set(
    *,
    nominee: Nominee,
    name: str,
    email: str = "",
    address_line_1: str = "",
    address_line_2: str = "",
    town: str = "",
    postcode: str = "",
    actor,
) -> Nominee:
    """Record how to reach the family of a nominee who has died.

    The consent link and the Mayor's letter go to the family, never to the
    nominee's own address. A new family email address after consent was first
    asked for gets a fresh link (the old one, perhaps sent to the nominee's own
    address before the death was known, stops working).
    """
    values = {
        "family_name": " ".join(name.split()),
        "family_email": email.strip().lower(),
        "family_address_line_1": " ".join(address_line_1.split()),
        "family_address_line_2": " ".join(address_line_2.split()),
        "family_town": " ".join(town.split()),
        "family_postcode": matching.normalise_postcode(postcode) if postcode.strip() else "",
    }
    if not values["family_name"]:
        raise NominationError("family_name_missing")
    has_address = all(
        values[name] for name in ("family_address_line_1", "family_town", "family_postcode")
    )
    if not (values["family_email"] or has_address):
        raise NominationError("family_contact_missing")
    with transaction.atomic():
        nominee = Nominee.objects.select_for_update().get(pk=nominee.pk)
        if not nominee.has_died:
            raise NominationError("family_needs_died")
        changed = [field for field in FAMILY_FIELDS if getattr(nominee, field) != values[field]]
        for field, value in values.items():
            setattr(nominee, field, value)
        nominee.save(update_fields=list(FAMILY_FIELDS))
        # Which details changed, not the details themselves: the audit log is kept longer.
        audit_log(
            actor=actor,
            action="nominations.nominee.family_contact_set",
            obj=nominee,
            data={"changed": changed},
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[nominee.pk])
        if "family_email" in changed and nominee.family_email and nominee.consent_links.exists():
            consent_request(nominee=nominee, actor=actor)
    return nominee


# --- Consent -------------------------------------------------------------------------------


def consent_token(link: ConsentLink) -> str:
    return signing.dumps(
        {"l": link.pk, "x": str(link.nonce), "r": link.role},
        salt="nominations.consent",
        compress=True,
    )


def _new_short_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        if not ConsentLink.objects.filter(short_code=code).exists():
            return code


def consent_request(*, nominee: Nominee, actor=None) -> list[ConsentLink]:
    """Send fresh consent links (retiring older ones): to the nominee, and for an under-18 to a guardian too."""
    roles = [ConsentLink.Role.NOMINEE]
    if nominee.is_under_18:
        roles.append(ConsentLink.Role.GUARDIAN)
    links = []
    with transaction.atomic():
        now = timezone.now()
        ConsentLink.objects.filter(nominee=nominee, superseded_at__isnull=True).update(
            superseded_at=now
        )
        for role in roles:
            links.append(
                ConsentLink.objects.create(
                    nominee=nominee,
                    role=role,
                    short_code=_new_short_code(),
                    expires_at=now + CONSENT_LINK_LIFETIME,
                )
            )
        audit_log(
            actor=actor,
            action="nominations.consent.requested",
            obj=nominee,
            data={"roles": [str(role) for role in roles]},
        )
        for link in links:
            _send_consent_link(nominee, link)
    return links


def consent_link_email(nominee: Nominee, link: ConsentLink) -> str:
    """Where a consent link is emailed; empty when there is nowhere, and its code goes by post."""
    if nominee.has_died:
        return nominee.family_email  # only ever the family, never the nominee's own address
    to = nominee.guardian_email if link.role == ConsentLink.Role.GUARDIAN else nominee.email
    if nominee.is_under_18 and link.role == ConsentLink.Role.NOMINEE and not to:
        to = nominee.guardian_email  # the guardian passes the young person's own link on
    return to


def nominee_page_url(link: ConsentLink) -> str:
    """The nominee's own page (the Mayor's letter, a card to share), opened with a consent link."""
    return settings.SITE_URL + reverse("recognition:nominee", args=[consent_token(link)])


def nominee_page_url_for_letter(nominee: Nominee) -> str:
    """The own page for whoever the letter is emailed to, from their current consent link; or ""."""
    role = (
        ConsentLink.Role.GUARDIAN
        if nominee.is_under_18 and not nominee.has_died
        else ConsentLink.Role.NOMINEE
    )
    link = ConsentLink.objects.filter(
        nominee=nominee, role=role, superseded_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    return nominee_page_url(link) if link else ""


def _send_consent_link(nominee: Nominee, link: ConsentLink) -> None:
    to = consent_link_email(nominee, link)
    if nominee.has_died:
        template = "family"
        subject = f"{nominee.name} was nominated"
    else:
        template = link.role
        subject = (
            f"You have been nominated: {nominee.name}"
            if link.role == ConsentLink.Role.NOMINEE
            else f"{nominee.name} has been nominated"
        )
    if not to:
        return  # no email: the short code goes with the letter by post
    context = {
        "nominee": nominee,
        "link": link,
        "url": settings.SITE_URL + reverse("nominations:consent", args=[consent_token(link)]),
        "consent_url": settings.SITE_URL + reverse("nominations:consent_code"),
        "page_url": nominee_page_url(link),
    }
    email_queue(
        to=[to],
        subject=subject,
        body_text=render_to_string(f"nominations/email/consent_{template}.txt", context),
        tags=["consent"],
    )


def consent_link_from_token(token: str) -> ConsentLink:
    try:
        payload = signing.loads(token, salt="nominations.consent")
    except signing.BadSignature:
        raise NominationError("link_invalid") from None
    link = ConsentLink.objects.select_related("nominee").filter(pk=payload.get("l")).first()
    if link is None or str(link.nonce) != payload.get("x") or link.role != payload.get("r"):
        raise NominationError("link_invalid")
    return _usable(link)


def normalise_short_code(code: str) -> str:
    """A code as typed (any case, with spaces or hyphens) as it is stored."""
    return re.sub(r"[\s\-‐‑–—]", "", code).upper()


def consent_link_from_code(code: str) -> ConsentLink:
    link = (
        ConsentLink.objects.select_related("nominee")
        .filter(short_code=normalise_short_code(code))
        .first()
    )
    if link is None:
        raise NominationError("link_invalid")
    return _usable(link)


def consent_link_by_id(pk: int) -> ConsentLink:
    link = ConsentLink.objects.select_related("nominee").filter(pk=pk).first()
    if link is None:
        raise NominationError("link_invalid")
    return _usable(link)


def _usable(link: ConsentLink) -> ConsentLink:
    if link.superseded_at is not None:
        raise NominationError("link_replaced")
    if timezone.now() >= link.expires_at:
        raise NominationError("link_expired")
    return link


def consent_record(*, link: ConsentLink, answers: dict) -> ConsentRecord:
    """Keep one answer from the consent page, with the wording it answered."""
    with transaction.atomic():
        link = _usable(ConsentLink.objects.select_for_update().get(pk=link.pk))
        withdrawn = bool(answers.get("withdraw"))
        record = ConsentRecord.objects.create(
            nominee=link.nominee,
            given_by=link.role,
            link=link,
            wording_version=CONSENT_WORDING_VERSION,
            roll_of_honour=not withdrawn and "roll_of_honour" in answers["channels"],
            website_story=not withdrawn and "website_story" in answers["channels"],
            social_media=not withdrawn
            and "social_media" in answers["channels"]
            and not link.nominee.has_died,
            press=not withdrawn and "press" in answers["channels"],
            name_display=answers["name_display"],
            photo_allowed=not withdrawn and answers.get("photo_allowed") == "yes",
            withdrawn=withdrawn,
        )
        audit_log(
            actor=None,
            action="nominations.consent.withdrawn" if withdrawn else "nominations.consent.given",
            obj=link.nominee,
            data={"by": link.role, "wording": CONSENT_WORDING_VERSION},
        )
        nominee_changed.send(sender=Nominee, nominee_ids=[link.nominee_id])
    return record


def kind_label(kind: str) -> str:
    return NomineeKind(kind).label


def pending_photos_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete photos uploaded part-way through a nomination that was never sent."""
    try:
        _folders, files = default_storage.listdir("pending")
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    # A sent nomination's photo waits here until the worker files it.
    waiting = set(
        NominationReceipt.objects.filter(filed_at__isnull=True)
        .exclude(photo_name="")
        .values_list("photo_name", flat=True)
    )
    removed = 0
    for name in files:
        path = f"pending/{name}"
        if path not in waiting and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed


# --- Uploads from partner organisations ---------------------------------------------------

IMPORT_COLUMNS = [
    "nominee_type",
    "category",
    "nominee_name",
    "nominee_email",
    "nominee_phone",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "employer",
    "guardian_name",
    "guardian_email",
    "ward",
    "reason",
    "nominator_name",
    "nominator_email",
    "nominator_relationship",
    "nominator_organisation",
]
IMPORT_REQUIRED_COLUMNS = [
    "nominee_type",
    "category",
    "nominee_name",
    "reason",
    "nominator_name",
    "nominator_email",
    "nominator_relationship",
]
IMPORT_MAX_ROWS = 2000
_KIND_WORDS = {
    "person": NomineeKind.PERSON,
    "a person": NomineeKind.PERSON,
    "young_person": NomineeKind.YOUNG_PERSON,
    "young person": NomineeKind.YOUNG_PERSON,
    "a young person under 18": NomineeKind.YOUNG_PERSON,
    "business": NomineeKind.BUSINESS,
    "a business": NomineeKind.BUSINESS,
    "group": NomineeKind.GROUP,
    "organisation": NomineeKind.GROUP,
    "group or organisation": NomineeKind.GROUP,
    "a group or organisation": NomineeKind.GROUP,
}


def nomination_import_create(
    *, campaign: Campaign, filename: str, content: str, actor
) -> NominationImport:
    """Keep an uploaded CSV and check and save it on the worker, showing progress."""
    with transaction.atomic():
        job = NominationImport.objects.create(
            campaign=campaign, uploaded_by=actor, filename=filename[:200], content=content
        )
        audit_log(
            actor=actor,
            action="nominations.upload.received",
            obj=job,
            data={"filename": job.filename},
        )
        outgoing.enqueue(job)
    return job


def _import_row_data(row: dict, categories: dict, wards: dict) -> tuple[dict, dict[str, str]]:
    """A CSV row as the entry form takes it, and the fields whose words matched nothing."""
    data = {key: (row.get(key) or "").strip() for key in IMPORT_COLUMNS}
    problems: dict[str, str] = {}
    kind = data.pop("nominee_type")
    data["nominee_kind"] = _KIND_WORDS.get(kind.lower(), kind)
    category_name = data["category"]
    category = categories.get(category_name.lower())
    data["category"] = category.pk if category else ""
    names = ", ".join(c.name for c in categories.values())
    if category_name and not category:
        problems["category"] = f"The category '{category_name}' is not one of: {names}"
    elif not category_name:
        problems["category"] = f"The category column is empty: give one of {names}"
    ward = data.pop("ward")
    area = wards.get(ward.lower())
    data["area"] = area.pk if area else ""
    if ward and not area:
        problems["area"] = f"The ward '{ward}' is not a ward name or code we know"
    return data, problems


def nomination_import_run(*, import_id: int):
    """Check every row of an upload; save them all in one transaction only if every row is right."""
    import csv
    import io

    from nominations.staff_forms import NominationEntryForm

    job = outgoing.claim(NominationImport, import_id)
    if job is None:
        return None
    reader = csv.DictReader(io.StringIO(job.content))
    headers = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in IMPORT_REQUIRED_COLUMNS if name not in headers]
    if missing:
        job.row_errors = {
            "1": [
                f"The first row must name the columns of the template; missing: {', '.join(missing)}"
            ]
        }
        job.save(update_fields=["row_errors"])
        outgoing.fail(job, "The file does not have the template's columns.")
        return job
    reader.fieldnames = headers
    rows = [
        row
        for row in reader
        if any((value or "").strip() for value in row.values() if isinstance(value, str))
    ]
    if not rows or len(rows) > IMPORT_MAX_ROWS:
        job.row_errors = {
            "1": [
                "The file has no nominations in it."
                if not rows
                else f"The file has {len(rows):,} nominations; upload at most {IMPORT_MAX_ROWS:,} at a time."
            ]
        }
        job.save(update_fields=["row_errors"])
        outgoing.fail(job, job.row_errors["1"][0])
        return job
    job.total_rows = len(rows)
    job.save(update_fields=["total_rows"])

    from council.models import Area

    categories = {category.name.lower(): category for category in job.campaign.categories.all()}
    wards = {}
    for area in Area.objects.filter(active=True):
        wards[area.name.lower()] = area
        wards[area.code.lower()] = area
    problems: dict[str, list[str]] = {}
    cleaned = []
    for number, row in enumerate(rows, start=2):
        data, unmatched = _import_row_data(row, categories, wards)
        form = NominationEntryForm(data, campaign=job.campaign)
        if form.is_valid() and not unmatched:
            cleaned.append(form.cleaned_data)
        else:
            errors = {name: list(field_errors) for name, field_errors in form.errors.items()}
            errors.update({name: [message] for name, message in unmatched.items()})
            problems[str(number)] = [
                message for field_errors in errors.values() for message in field_errors
            ]
        if number % 25 == 0:
            NominationImport.objects.filter(pk=job.pk).update(rows_checked=number - 1)
    job.rows_checked = len(rows)
    job.row_errors = problems
    job.save(update_fields=["rows_checked", "row_errors"])
    if problems:
        count = len(problems)
        outgoing.fail(
            job,
            f"{count} row{'s have' if count != 1 else ' has'} problems, so no nominations were imported.",
        )
        return job
    references = []
    with transaction.atomic():
        for answers in cleaned:
            nomination = nomination_submit(
                campaign=job.campaign,
                answers=answers,
                source=Nomination.Source.UPLOAD,
                actor=job.uploaded_by,
            )
            references.append(nomination.reference)
        audit_log(
            actor=job.uploaded_by,
            action="nominations.upload.imported",
            obj=job,
            data={"nominations": len(references)},
        )
    outgoing.finish(job, created_references=references)
    return job
