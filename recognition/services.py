"""Every change to the Mayor's letters."""

import uuid

import nh3
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from council import outgoing
from council.images import ImageRejected, image_clean
from council.models import OutboundEmail
from council.selectors import council_settings
from council.services import audit_log, email_queue
from recognition import merge
from recognition.models import Letter, LetterTemplate, PrintBatch

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


class LetterError(Exception):
    """A letter template cannot be saved; `errors` says why, by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def sanitise(html: str) -> str:
    """The letter's HTML with only paragraphs, emphasis, lists and links left."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "mailto"},
        link_rel=None,
    )


def letter_template_save(
    *, variant: str, salutation: str, body: str, letterhead: str = "", signature=None, actor
) -> LetterTemplate:
    """Save the words of one letter; unknown merge fields are refused now, not at sending time."""
    errors: dict[str, list[str]] = {}
    for field, text in (("salutation", salutation), ("body", body), ("letterhead", letterhead)):
        problems = merge.check(text)
        if problems:
            errors[field] = problems
    clean_signature = None
    if signature is not None:
        try:
            clean_signature = image_clean(signature, max_side=1200)
        except ImageRejected as error:
            errors["signature"] = [str(error)]
    if errors:
        raise LetterError(errors)
    with transaction.atomic():
        template, created = LetterTemplate.objects.select_for_update().get_or_create(
            variant=variant, defaults={"salutation": salutation, "body": ""}
        )
        before = {
            "salutation": template.salutation,
            "body": template.body,
            "letterhead": template.letterhead,
        }
        template.salutation = " ".join(salutation.split())
        template.body = sanitise(body)
        template.letterhead = sanitise(letterhead)
        template.updated_at, template.updated_by = (
            timezone.now(),
            actor if getattr(actor, "is_authenticated", False) else None,
        )
        if clean_signature is not None:
            template.signature.save(
                clean_signature.file.name, ContentFile(clean_signature.file.read()), save=False
            )
        template.save()
        changed = [name for name, old in before.items() if old != getattr(template, name)] + (
            ["signature"] if clean_signature else []
        )
        audit_log(
            actor=actor,
            action="recognition.letter_template.saved",
            obj=template,
            data={"changed": changed, "created": created},
        )
    return template


# --- Letters: one per nominee, released by the Mayor's office ----------------------------------


def _route(facts) -> tuple[str, str]:
    """Email where an address is known (a parent or guardian's for an under-18), else post.

    A letter to the family of someone who has died always goes by post.
    """
    if facts.has_died:
        return Letter.Route.POST, ""
    email = facts.guardian_email if facts.under_18 else facts.email
    return (Letter.Route.EMAIL, email) if email else (Letter.Route.POST, "")


def letters_create_for_approved(*, limit: int = 500) -> int:
    """Make the letter row for every approved nominee who has none yet (beat, every minute)."""
    from nominations.selectors import approved_nominees, letter_facts
    from recognition.letter_pdf import AddressProblem, format_address
    from recognition.letters import recipient

    created = 0
    waiting = (
        approved_nominees()
        .exclude(pk__in=Letter.objects.values("nominee_id"))
        .values_list("pk", flat=True)[:limit]
    )
    for nominee_id in waiting:
        facts = letter_facts(nominee_id)
        route, email = _route(facts)
        problem = ""
        if route == Letter.Route.POST:
            try:
                format_address([recipient(facts), *facts.address])
            except AddressProblem as error:
                problem = error.reason[:300]
        with transaction.atomic():
            letter, was_created = Letter.objects.get_or_create(
                nominee_id=nominee_id,
                defaults={
                    "route": route,
                    "email_to": email,
                    "address_problem": problem,
                    "status": Letter.Status.HELD,
                },
            )
            if was_created:
                audit_log(
                    actor=None,
                    action="recognition.letter.created",
                    obj=letter,
                    data={"route": route, "address_problem": problem},
                )
                created += 1
    return created


def letters_release(*, actor) -> dict[str, int]:
    """The Mayor's office releases every letter waiting: emails are sent, post waits for a print batch."""
    counts = {"email": 0, "post": 0}
    with transaction.atomic():
        waiting = list(
            Letter.objects.select_for_update().filter(stage=Letter.Stage.AWAITING_RELEASE)
        )
        now = timezone.now()
        for letter in waiting:
            letter.released_at, letter.released_by = now, actor
            if letter.route == Letter.Route.EMAIL:
                letter.stage, letter.status, letter.status_changed_at = (
                    Letter.Stage.EMAIL_QUEUED,
                    Letter.Status.QUEUED,
                    now,
                )
                outgoing.enqueue(letter)
            else:
                letter.stage = Letter.Stage.FOR_PRINT
            letter.save(
                update_fields=["released_at", "released_by", "stage", "status", "status_changed_at"]
            )
            counts[letter.route] += 1
        audit_log(actor=actor, action="recognition.letters.released", data=counts)
    return counts


def letter_send(*, letter_id: int) -> Letter | None:
    """Render one released letter and put it in the outbox with its PDF, exactly once."""
    from recognition.letter_pdf import LetterProblem
    from recognition.letters import LetterNotReady, letter_pdf

    letter = outgoing.claim(Letter, letter_id)
    if letter is None:
        return None
    try:
        pdf = letter_pdf(nominee_id=letter.nominee_id)
    except (LetterProblem, LetterNotReady) as error:
        reason = getattr(error, "reason", None) or str(error)
        with transaction.atomic():
            outgoing.fail(letter, reason)
            letter.stage = Letter.Stage.FAILED
            letter.save(update_fields=["stage"])
        return letter
    with transaction.atomic():
        letter = Letter.objects.select_for_update().select_related("nominee").get(pk=letter.pk)
        if letter.status != Letter.Status.SENDING:
            return letter  # settled by someone else meanwhile
        letter.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
        letter.outbound_email = email_queue(
            to=[letter.email_to],
            subject="A letter of thanks from the Mayor",
            body_text=render_to_string(
                "recognition/email/letter.txt", {"letter": letter, "council": council_settings()}
            ),
            attachments=[
                {
                    "path": letter.pdf.name,
                    "filename": "Letter from the Mayor.pdf",
                    "mimetype": "application/pdf",
                }
            ],
            metadata={"letter_id": str(letter.pk)},
            tags=["letter"],
        )
        letter.stage = Letter.Stage.EMAILED
        letter.save(update_fields=["pdf", "outbound_email", "stage"])
        outgoing.finish(letter)
        audit_log(
            actor=None,
            action="recognition.letter.emailed",
            obj=letter,
            data={"to": letter.email_to},
        )
    return letter


# --- Print batches ---------------------------------------------------------------------------


class PrintBatchError(Exception):
    pass


def print_batch_create(*, actor) -> PrintBatch:
    """Gather every released letter waiting for the post whose address can be printed."""
    with transaction.atomic():
        letters = Letter.objects.select_for_update().filter(
            stage=Letter.Stage.FOR_PRINT, print_batch__isnull=True, address_problem=""
        )
        count = letters.count()
        if not count:
            raise PrintBatchError("There are no letters waiting for a print batch.")
        batch = PrintBatch.objects.create(created_by=actor, letter_count=count)
        letters.update(print_batch=batch)
        audit_log(
            actor=actor,
            action="recognition.print_batch.created",
            obj=batch,
            data={"letters": count},
        )
        outgoing.enqueue(batch)
    return batch


def _postcode_order(letter: Letter) -> tuple:
    from nominations.selectors import letter_facts

    postcode = (letter_facts(letter.nominee_id).address or [""])[-1]
    return (postcode.replace(" ", ""), letter.pk)


def print_batch_build(*, batch_id: int) -> PrintBatch | None:
    """One PDF of every letter in postcode order, and the address list for the print room.

    Letters are rendered one at a time and progress is saved as it goes. The
    combined document is held by pypdf until it is written, so memory grows with
    the batch (about 360 MB for 1,000 letters, bench/bench_letters.py).
    """
    import csv
    import io
    import tempfile

    from pypdf import PdfReader, PdfWriter

    from nominations.selectors import letter_facts
    from recognition.letter_pdf import LetterProblem, format_address
    from recognition.letters import LetterNotReady, letter_pdf, recipient

    batch = outgoing.claim(PrintBatch, batch_id)
    if batch is None:
        return None
    letters = sorted(Letter.objects.filter(print_batch=batch), key=_postcode_order)
    writer = PdfWriter()
    rows = []
    try:
        for number, letter in enumerate(letters, start=1):
            writer.append(PdfReader(io.BytesIO(letter_pdf(nominee_id=letter.nominee_id))))
            facts = letter_facts(letter.nominee_id)
            lines = format_address([recipient(facts), *facts.address])
            rows.append([letter.pk, *lines, *[""] * (7 - len(lines)), 1])
            if number % 10 == 0 or number == len(letters):
                PrintBatch.objects.filter(pk=batch.pk).update(built_count=number)
    except (LetterProblem, LetterNotReady) as error:
        outgoing.fail(
            batch,
            f"The letter to {letter.nominee} could not be made: {getattr(error, 'reason', None) or error}",
        )
        return batch
    with tempfile.TemporaryFile() as combined:
        writer.write(combined)
        combined.seek(0)
        batch.pdf.save(
            f"batch-{batch.pk}-{uuid.uuid4().hex[:8]}.pdf", ContentFile(combined.read()), save=False
        )
    table = io.StringIO()
    out = csv.writer(table)
    out.writerow(
        [
            "letter",
            "line_1",
            "line_2",
            "line_3",
            "line_4",
            "line_5",
            "line_6",
            "line_7",
            "pin_badges",
        ]
    )
    out.writerows(rows)
    batch.addresses.save(
        f"batch-{batch.pk}-{uuid.uuid4().hex[:8]}.csv",
        ContentFile(table.getvalue().encode("utf-8")),
        save=False,
    )
    with transaction.atomic():
        batch.save(update_fields=["pdf", "addresses"])
        outgoing.finish(batch, built_count=len(letters))
    return batch


def print_batch_mark_posted(*, batch: PrintBatch, actor) -> PrintBatch:
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PrintBatch.Status.SENT:
            raise PrintBatchError("Only a finished batch can be marked as posted.")
        if batch.posted_at is None:
            batch.posted_at, batch.posted_by = timezone.now(), actor
            batch.save(update_fields=["posted_at", "posted_by"])
            Letter.objects.filter(print_batch=batch).update(stage=Letter.Stage.POSTED)
            audit_log(
                actor=actor,
                action="recognition.print_batch.posted",
                obj=batch,
                data={"letters": batch.letter_count},
            )
    return batch


def letter_retry(*, letter: Letter, actor) -> Letter:
    """Try a letter again after it failed: made afresh and emailed, or its email sent again."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        email = (
            OutboundEmail.objects.select_for_update().filter(pk=letter.outbound_email_id).first()
        )
        if letter.stage == Letter.Stage.FAILED:
            letter.stage, letter.status, letter.status_changed_at, letter.last_error = (
                Letter.Stage.EMAIL_QUEUED,
                Letter.Status.QUEUED,
                timezone.now(),
                "",
            )
            letter.save(update_fields=["stage", "status", "status_changed_at", "last_error"])
            outgoing.enqueue(letter)
        elif email is not None and email.status == email.Status.FAILED:
            email.status, email.status_changed_at, email.attempts = (
                email.Status.QUEUED,
                timezone.now(),
                0,
            )
            email.save(update_fields=["status", "status_changed_at", "attempts"])
            outgoing.enqueue(email)
        else:
            raise PrintBatchError("Only a letter that failed can be tried again.")
        audit_log(actor=actor, action="recognition.letter.retried", obj=letter)
    return letter


def letters_needing_attention():
    """Letters staff must act on: not made, not emailed after every try, or bounced with no address."""
    from django.db.models import Q

    return (
        Letter.objects.filter(
            Q(stage__in=[Letter.Stage.FAILED, Letter.Stage.BOUNCED])
            | Q(outbound_email__status=OutboundEmail.Status.FAILED)
        )
        .select_related("nominee", "outbound_email")
        .order_by("nominee__name")
    )
