"""Every change to the council's own records, and the audit log that all apps write to."""

import base64
import logging
import re
from collections.abc import Iterable
from email.mime.base import MIMEBase
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from council import outgoing
from council.models import (
    Area,
    AuditLogEntry,
    CivicYear,
    CouncilSettings,
    DeliveryEvent,
    EmailSuppression,
    OutboundEmail,
)
from council.selectors import AREAS_CACHE_KEY, SETTINGS_CACHE_KEY, civic_year_cache_key

logger = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return actor.email or actor.get_username()


def audit_log(
    *, actor, action: str, obj: models.Model | None = None, data: dict | None = None
) -> AuditLogEntry:
    """Record who did what to which object. Call it inside the service's transaction."""
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
    )


def changes(before: dict, after: dict) -> dict:
    """The before/after summary of the fields that changed, for an audit row."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in after
        if before.get(key) != after.get(key)
    }


def header_safe(value: str) -> str:
    """A value fit for an email header: line breaks of every kind become spaces."""
    return _LINE_BREAKS.sub(" ", value).strip()


# Tries before a provider that keeps failing is given up on (see council.outgoing.retry_later).
EMAIL_MAX_ATTEMPTS = OutboundEmail.max_attempts


def _is_passing_fault(error: Exception) -> bool:
    """A network fault, a rate limit or a provider's server error: worth another try."""
    if isinstance(error, OSError):
        return True
    status = getattr(error, "status_code", None)
    if status is None:
        # anymail raises AnymailRequestsAPIError without a status when the request never got an answer.
        return type(error).__name__ == "AnymailRequestsAPIError"
    return status == 429 or status >= 500


def email_queue(
    *,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    from_email: str | None = None,
    reply_to: Iterable[str] = (),
    metadata: dict | None = None,
    tags: Iterable[str] = (),
    attachments: Iterable[dict] = (),
    publish: bool = True,
) -> OutboundEmail:
    """Keep an email in the outbox and send it from the worker once this transaction commits.

    `publish=False` leaves publishing to the caller, who has many to send
    together (`outgoing.enqueue_many`); the row is queued either way, so the
    sweeper sends it even if the caller never gets that far.
    """
    # Part of the caller's transaction when there is one (no savepoint needed:
    # if the email cannot be kept, the change that asked for it fails with it).
    with transaction.atomic(savepoint=False):
        email = OutboundEmail.objects.create(
            to=[header_safe(address) for address in to],
            subject=header_safe(subject)[:255],
            body_text=body_text,
            body_html=body_html,
            from_email=header_safe(from_email or settings.DEFAULT_FROM_EMAIL),
            reply_to=[header_safe(address) for address in reply_to],
            metadata=metadata or {},
            tags=list(tags),
            attachments=list(attachments),
        )
        if publish:
            outgoing.enqueue(email)
    return email


def email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one queued email through the configured backend, once."""
    sent = emails_send(email_ids=[email_id])
    return sent[0] if sent else None


def emails_send(*, email_ids: Iterable[int]) -> list[OutboundEmail]:
    """Send queued emails over one connection to the provider, each exactly once.

    The emails are claimed together; each is then sent and recorded on its own,
    straight after the provider takes it, so a worker that dies part-way has
    sent again only the one it was handing over. The rest it had claimed wait
    in `sending` until the sweeper queues them again (`stale_after`). An
    address that asked not to be emailed fails only its own email; a provider
    that is busy or out of reach puts each email back to wait its turn
    (`outgoing.retry_later`). Returns the emails it claimed.
    """
    with outgoing.records_without_waiting_for_disk(OutboundEmail):
        return _emails_send(list(email_ids))


def _emails_send(email_ids: list[int]) -> list[OutboundEmail]:
    emails = outgoing.claim_many(OutboundEmail, email_ids)
    if not emails:
        return []
    suppressed = set(
        EmailSuppression.objects.filter(
            address__in={address.strip().lower() for email in emails for address in email.to}
        ).values_list("address", flat=True)
    )
    connection = get_connection()
    try:
        connection.open()  # one connection for all of them (SMTP, or the provider's session)
    except Exception as error:  # the provider cannot be reached at all
        for email in emails:
            _email_not_sent(email, error)
        return emails
    try:
        for email in emails:
            stopped = [address for address in email.to if address.strip().lower() in suppressed]
            if stopped:
                outgoing.fail(
                    email,
                    f"Not sent: {', '.join(stopped)} asked not to be emailed, or does not exist.",
                )
                continue
            message = _email_message(email, connection)
            try:
                message.send()
            except Exception as error:  # the provider said no, or could not be reached
                _email_not_sent(email, error)
                continue
            status = getattr(message, "anymail_status", None)
            outgoing.finish(
                email, provider_message_id=(getattr(status, "message_id", None) or "")[:255]
            )
    finally:
        try:
            connection.close()
        except Exception:  # closing a connection the provider already dropped
            logger.info("The email connection did not close cleanly", exc_info=True)
    return emails


class OutgoingEmailMessage(EmailMultiAlternatives):
    """Django's email, with a binary attachment's base64 made straight from its bytes.

    Django sets a binary attachment's bytes as the MIME part's payload, which
    the standard library turns into text byte by byte (surrogateescape) and
    back again before encoding it: for a letter's PDF that round trip cost more
    than all the rest of building the email. Here the bytes are encoded once,
    in the same 76-character lines. Only how the message is written out
    changes (SMTP, the file and in-memory backends); the attachments stay
    (filename, bytes, type) for anymail to send as they are.
    """

    def _create_mime_attachment(self, content, mimetype):
        basetype, _, subtype = mimetype.partition("/")
        if basetype in ("text", "message") or not isinstance(content, bytes):
            return super()._create_mime_attachment(content, mimetype)
        part = MIMEBase(basetype, subtype)
        part.set_payload(base64.encodebytes(content).decode("ascii"))
        part["Content-Transfer-Encoding"] = "base64"
        return part


def _email_message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = OutgoingEmailMessage(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=email.to,
        reply_to=email.reply_to or None,
        headers=email.headers or None,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        with default_storage.open(attachment["path"], "rb") as handle:
            message.attach(
                header_safe(attachment["filename"]), handle.read(), attachment["mimetype"]
            )
    # anymail reads these; other backends ignore them.
    message.metadata = {**email.metadata, "outbound_email_id": str(email.pk)}
    message.tags = email.tags
    return message


def _email_not_sent(email: OutboundEmail, error: Exception) -> None:
    reason = f"{type(error).__name__}: {error}"
    logger.warning("Email %s was not sent: %s", email.pk, reason)
    if _is_passing_fault(error):
        outgoing.retry_later(email, reason)  # or failed, after the last try
    else:
        outgoing.fail(email, reason)


def _snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value):
    if hasattr(value, "name") and hasattr(value, "url"):  # a file
        return value.name or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def council_settings_update(*, actor, data: dict) -> CouncilSettings:
    """Change the council's settings; the new branding shows on the next page load."""
    with transaction.atomic():
        council = CouncilSettings.objects.select_for_update().get(pk=CouncilSettings.load().pk)
        before = _snapshot(council, data)
        for name, value in data.items():
            setattr(council, name, value)
        council.full_clean()
        council.save()
        audit_log(
            actor=actor,
            action="council.settings.updated",
            obj=council,
            data=changes(before, _snapshot(council, data)),
        )
        # Cleared now and again after commit, in case another request cached
        # the old settings in between.
        cache.delete(SETTINGS_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))
    return council


def publishing_pause(*, actor, reason: str) -> CouncilSettings:
    """Pause all publishing (before an election): nothing scheduled goes out until it resumes."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CouncilError("Enter the reason for pausing publishing")
    with transaction.atomic():
        council = CouncilSettings.objects.select_for_update().get(pk=CouncilSettings.load().pk)
        if council.publishing_paused_at is not None:
            raise CouncilError("Publishing is already paused.")
        council.publishing_paused_at = timezone.now()
        council.publishing_paused_by = actor
        council.publishing_pause_reason = reason[:200]
        council.save(
            update_fields=[
                "publishing_paused_at",
                "publishing_paused_by",
                "publishing_pause_reason",
                "updated_at",
            ]
        )
        audit_log(
            actor=actor, action="council.publishing.paused", obj=council, data={"reason": reason}
        )
        transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))
    return council


def publishing_resume(*, actor) -> CouncilSettings:
    """End the pause. What it held back waits for staff to confirm each item: nothing goes out by itself."""
    with transaction.atomic():
        council = CouncilSettings.objects.select_for_update().get(pk=CouncilSettings.load().pk)
        if council.publishing_paused_at is None:
            raise CouncilError("Publishing is not paused.")
        since = council.publishing_paused_at
        council.publishing_paused_at = None
        council.publishing_paused_by = None
        council.publishing_pause_reason = ""
        council.save(
            update_fields=[
                "publishing_paused_at",
                "publishing_paused_by",
                "publishing_pause_reason",
                "updated_at",
            ]
        )
        audit_log(
            actor=actor,
            action="council.publishing.resumed",
            obj=council,
            data={"paused_since": since.isoformat()},
        )
        transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))
    return council


def civic_year_save(*, actor, civic_year: CivicYear, changed: Iterable[str] = ()) -> CivicYear:
    """Add a civic year, or correct one: the Mayor named on letters from that year."""
    with transaction.atomic():
        created = civic_year.pk is None
        civic_year.full_clean()
        civic_year.save()
        # The Mayor named on pages changes now, not when the cache runs out.
        cache.delete(civic_year_cache_key(timezone.localdate()))
        transaction.on_commit(lambda: cache.delete(civic_year_cache_key(timezone.localdate())))
        audit_log(
            actor=actor,
            action="council.civic_year.created" if created else "council.civic_year.updated",
            obj=civic_year,
            data=_snapshot(
                civic_year, changed or ["starts_on", "ends_on", "mayor_name", "mayor_title"]
            ),
        )
    return civic_year


def area_save(*, actor, area: Area, changed: Iterable[str] = ()) -> Area:
    with transaction.atomic():
        created = area.pk is None
        area.full_clean()
        area.save()
        audit_log(
            actor=actor,
            action="council.area.created" if created else "council.area.updated",
            obj=area,
            data=_snapshot(area, changed or ["name", "code", "active"]),
        )
        _areas_changed()
    return area


def _areas_changed() -> None:
    """Forms and nominations see a ward change now, not when the cache runs out."""
    cache.delete(AREAS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(AREAS_CACHE_KEY))


class CouncilError(Exception):
    """A rule of the council app was broken; the message is for the person who tried."""

    def __init__(self, message: str, *, rows: dict[int, list[str]] | None = None):
        super().__init__(message)
        self.rows = rows or {}


def areas_import(*, rows: Iterable[dict], actor=None, progress=None) -> dict[str, int]:
    """Add or update wards from CSV rows (code, name, optional active); all or nothing.

    Every row is checked before anything is saved; a file with any bad row
    changes nothing and says which rows are wrong and why.
    """
    rows = list(rows)
    problems: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    cleaned = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        code = (row.get("code") or "").strip().upper()
        name = " ".join((row.get("name") or "").split())
        active_text = (row.get("active") or "yes").strip().lower()
        errors = []
        if not code:
            errors.append("Enter the ward code")
        elif len(code) > 20:
            errors.append("The ward code must be 20 characters or fewer")
        elif code in seen:
            errors.append(f"The code {code} is also on row {seen[code]}")
        if not name:
            errors.append("Enter the ward name")
        elif len(name) > 120:
            errors.append("The ward name must be 120 characters or fewer")
        if active_text not in ("yes", "no", "true", "false", "1", "0"):
            errors.append("Active must be yes or no")
        if errors:
            problems[number] = errors
        else:
            seen[code] = number
            cleaned.append((code, name, active_text in ("yes", "true", "1")))
    if not rows:
        raise CouncilError("The file has no wards in it. The first row must be code,name.")
    if problems:
        raise CouncilError(
            f"{len(problems)} rows have problems, so no wards were imported.", rows=problems
        )

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {
            area.code: area for area in Area.objects.select_for_update().filter(code__in=seen)
        }
        for done, (code, name, active) in enumerate(cleaned, start=1):
            area = existing.get(code)
            if area is None:
                Area.objects.create(code=code, name=name, active=active)
                counts["created"] += 1
            elif (area.name, area.active) != (name, active):
                area.name, area.active = name, active
                area.save(update_fields=["name", "active"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            if progress:
                progress(done, len(cleaned))
        audit_log(actor=actor, action="council.areas.imported", data=counts)
        _areas_changed()
    return counts


def account_ensure(
    *,
    email: str,
    password: str | None = None,
    roles: Iterable[str] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    actor=None,
):
    """Create an account with a verified email address, or bring an existing one up to date."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from council.roles import role_group

    User = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=email[:150], email=email)
        user.is_staff = is_staff or is_superuser
        user.is_superuser = is_superuser
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        user.groups.set([role_group(role) for role in roles])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        audit_log(
            actor=actor,
            action="council.account.created" if created else "council.account.updated",
            obj=user,
            data={"roles": sorted(roles), "is_staff": user.is_staff},
        )
    return user


# --- Delivery events from the email provider ------------------------------------------------

# Events that mean the address will not take mail from us again.
_STOPS_EMAIL = {
    "complained": "The recipient reported our email as spam.",
    "rejected": "The provider will not send to this address.",
}


def delivery_event_record(*, event, provider: str) -> DeliveryEvent | None:
    """Keep one tracking event from the provider's webhook, once, and apply it on the worker."""
    key = (
        event.event_id
        or f"{event.message_id}:{event.event_type}:{event.timestamp.isoformat() if event.timestamp else ''}"
    )
    with transaction.atomic():
        row, created = DeliveryEvent.objects.get_or_create(
            key=f"{provider}:{key}"[:255],
            defaults={
                "provider": provider,
                "event_type": str(event.event_type or ""),
                "reject_reason": str(event.reject_reason or ""),
                "description": (event.description or event.mta_response or "")[:2000],
                "recipient": (event.recipient or "")[:254],
                "message_id": str(event.message_id or "")[:255],
                "metadata": dict(event.metadata or {}),
                "occurred_at": event.timestamp,
            },
        )
        if created:
            outgoing.enqueue(row)
    return row if created else None


def delivery_event_apply(*, event_id: int) -> DeliveryEvent | None:
    """Move the email (and whatever it carried, such as a letter) forward by one event."""
    event = outgoing.claim(DeliveryEvent, event_id)
    if event is None:
        return None
    with transaction.atomic():
        email = _email_for(event)
        if email is not None and event.event_type in (
            "delivered",
            "bounced",
            "rejected",
            "complained",
        ):
            email.delivery = event.event_type
            email.save(update_fields=["delivery"])
        hard_bounce = event.event_type == "bounced" and event.reject_reason in (
            "bounced",
            "invalid",
        )
        if event.recipient and (event.event_type in _STOPS_EMAIL or hard_bounce):
            EmailSuppression.objects.get_or_create(
                address=event.recipient.lower(),
                defaults={"reason": _STOPS_EMAIL.get(event.event_type, "The address bounced.")},
            )
        for app in apps.get_app_configs():
            if app.name in ("nominations", "recognition", "volunteers") and module_has_submodule(
                app.module, "delivery"
            ):
                import_module(f"{app.name}.delivery").on_delivery_event(event=event, email=email)
        outgoing.finish(event)
    return event


def _email_for(event: DeliveryEvent) -> OutboundEmail | None:
    email_id = (event.metadata or {}).get("outbound_email_id")
    if email_id and str(email_id).isdigit():
        found = OutboundEmail.objects.filter(pk=int(email_id)).first()
        if found:
            return found
    return (
        OutboundEmail.objects.filter(provider_message_id=event.message_id).first()
        if event.message_id
        else None
    )


def is_suppressed(address: str) -> bool:
    return EmailSuppression.objects.filter(address=address.strip().lower()).exists()
