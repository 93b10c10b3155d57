"""Every change to the Mayor's letters."""

import html
import re
import uuid

import nh3
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from council import outgoing
from council.images import ImageRejected, image_clean
from council.models import OutboundEmail
from council.selectors import council_settings
from council.services import audit_log, email_queue
from nominations.services import nominee_page_url_for_letter
from recognition import merge
from recognition.models import Letter, LetterTemplate, PrintBatch, PrintBatchPart

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


_BLOCK_START = re.compile(r"^<\s*(p|ul|ol)\b", re.IGNORECASE)
_PLAIN_ONLY = re.compile(r"^(?:<p>.*?</p>\s*)+$", re.DOTALL)


def letter_html_from_text(text: str) -> str:
    """The letter's words as written on the edit page, as HTML (sanitised after).

    A blank line starts a new paragraph and a single line break is kept. A
    paragraph may hold tags such as <strong> or a link; one written as HTML
    from its start (<p>, <ul>, <ol>) is kept as it is, so the two can be mixed.
    """
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "\n\n".join(
        part
        if _BLOCK_START.match(part)
        else "<p>" + "<br>".join(line.strip() for line in part.splitlines()) + "</p>"
        for part in paragraphs
    )


def letter_html_for_editing(body: str) -> str:
    """The saved letter as the edit page shows it.

    Plain paragraphs (nothing but <p> and <br>) come back as plain text, a blank
    line between paragraphs; anything richer is shown as HTML laid out a block
    to a line, each list item on a line of its own.
    """
    body = body.strip()
    if _PLAIN_ONLY.match(body) and not re.search(r"<(?!/?p>|br>)", body):
        paragraphs = re.findall(r"<p>(.*?)</p>", body, re.DOTALL)
        return "\n\n".join(
            html.unescape(re.sub(r"<br>\s*", "\n", paragraph)).strip() for paragraph in paragraphs
        )
    laid_out = re.sub(r"\s*(</(?:p|ul|ol)>)\s*", r"\1\n\n", body)
    laid_out = re.sub(r"(<(?:ul|ol)>)\s*", r"\1\n", laid_out)
    laid_out = re.sub(r"\s*<li>", "\n  <li>", laid_out)
    laid_out = re.sub(r"</li>\s*</(ul|ol)>", r"</li>\n</\1>", laid_out)
    return re.sub(r"\n{3,}", "\n\n", laid_out).strip()


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
        template.body = sanitise(letter_html_from_text(body))
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


def _letter_fields(facts) -> dict:
    """How the letter goes, from what is known of the nominee now.

    By email where an address is known (the family's for someone who has died,
    a parent or guardian's for an under-18); otherwise by post, with the
    reason if the address cannot be printed, which keeps it out of batches.
    """
    from recognition.letter_pdf import AddressProblem, format_address
    from recognition.letters import email_to, postal_lines

    email = email_to(facts)
    if email:
        return {"route": Letter.Route.EMAIL, "email_to": email, "address_problem": ""}
    try:
        format_address(postal_lines(facts))
    except AddressProblem as error:
        problem = error.reason[:300]
    else:
        problem = ""
    return {"route": Letter.Route.POST, "email_to": "", "address_problem": problem}


def _letter_create(nominee_id: int) -> tuple[Letter, bool]:
    """The nominee's one letter, held for release; made now if it is not there yet."""
    from nominations.selectors import letter_facts

    fields = _letter_fields(letter_facts(nominee_id))
    with transaction.atomic():
        letter, created = Letter.objects.get_or_create(
            nominee_id=nominee_id, defaults={**fields, "status": Letter.Status.HELD}
        )
        if created:
            audit_log(
                actor=None,
                action="recognition.letter.created",
                obj=letter,
                data={"route": fields["route"], "address_problem": fields["address_problem"]},
            )
    return letter, created


def letters_create_for_approved(*, limit: int = 500) -> int:
    """Make the letter row for every approved nominee who has none yet (beat, every minute)."""
    from nominations.selectors import approved_nominees

    waiting = (
        approved_nominees()
        .exclude(pk__in=Letter.objects.values("nominee_id"))
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_letter_create(nominee_id)[1] for nominee_id in waiting)


def letters_refresh(*, nominee_ids) -> int:
    """Letters not yet sent follow a change to their nominee: died, the family's details, an address.

    Called when nominations says a nominee changed (recognition/receivers.py),
    inside that change's transaction. A letter waiting for release takes the
    new route; one released for print and not yet in a batch is emailed
    instead if an email address is now known, or has its address checked again.
    """
    from nominations.selectors import letter_facts

    changed = 0
    letters = Letter.objects.select_for_update().filter(
        nominee_id__in=list(nominee_ids),
        stage__in=[Letter.Stage.AWAITING_RELEASE, Letter.Stage.FOR_PRINT],
        print_batch__isnull=True,
    )
    for letter in letters:
        fields = _letter_fields(letter_facts(letter.nominee_id))
        if all(getattr(letter, name) == value for name, value in fields.items()):
            continue
        before = {name: getattr(letter, name) for name in fields}
        for name, value in fields.items():
            setattr(letter, name, value)
        update = list(fields)
        if letter.stage == Letter.Stage.FOR_PRINT and letter.route == Letter.Route.EMAIL:
            letter.stage = Letter.Stage.EMAIL_QUEUED
            letter.status, letter.status_changed_at = Letter.Status.QUEUED, timezone.now()
            update += ["stage", "status", "status_changed_at"]
            outgoing.enqueue(letter)
        letter.save(update_fields=update)
        audit_log(
            actor=None,
            action="recognition.letter.rerouted",
            obj=letter,
            data={"route": {"before": before["route"], "after": letter.route}},
        )
        changed += 1
    return changed


def letters_release(*, actor, up_to_id: int | None = None) -> dict[str, int]:
    """The Mayor's office releases the letters waiting: emails are sent, post waits for a print batch.

    `up_to_id` is the newest letter the release page showed: letters made after
    the Mayor's office looked (a nominee approved meanwhile) wait to be checked
    and released in their turn. Without it, every letter waiting is released.
    """
    counts = {"email": 0, "post": 0}
    with transaction.atomic():
        waiting = Letter.objects.select_for_update().filter(stage=Letter.Stage.AWAITING_RELEASE)
        if up_to_id is not None:
            waiting = waiting.filter(pk__lte=up_to_id)
        waiting = list(waiting)
        now = timezone.now()
        to_email = []
        for letter in waiting:
            letter.released_at, letter.released_by = now, actor
            if letter.route == Letter.Route.EMAIL:
                letter.stage, letter.status, letter.status_changed_at = (
                    Letter.Stage.EMAIL_QUEUED,
                    Letter.Status.QUEUED,
                    now,
                )
                to_email.append(letter)
            else:
                letter.stage = Letter.Stage.FOR_PRINT
            letter.save(
                update_fields=["released_at", "released_by", "stage", "status", "status_changed_at"]
            )
            counts[letter.route] += 1
        outgoing.enqueue_many(to_email)
        audit_log(actor=actor, action="recognition.letters.released", data=counts)
    return counts


def letters_send(*, letter_ids: list[int]) -> list[Letter]:
    """Make several released letters one after another, then send their emails together.

    Each letter is claimed, made and put in the outbox on its own (letter_send),
    so a worker that dies part-way leaves only the letter in hand to be made
    again. The emails are published in one message once all are made; any made
    before a worker died are still queued rows, which the sweeper publishes.
    """
    letters = [letter_send(letter_id=letter_id, publish=False) for letter_id in letter_ids]
    emails = [
        letter.outbound_email
        for letter in letters
        if letter is not None
        and letter.stage == Letter.Stage.EMAILED
        and letter.outbound_email is not None
        and letter.outbound_email.status == OutboundEmail.Status.QUEUED
    ]
    outgoing.enqueue_many(emails)  # outside a transaction: published now
    return [letter for letter in letters if letter is not None]


def letter_send(*, letter_id: int, publish: bool = True) -> Letter | None:
    """Render one released letter and put it in the outbox with its PDF, exactly once.

    `publish=False`: the email is left queued for the caller to publish with others.
    """
    from recognition.letter_pdf import LetterProblem
    from recognition.letters import LetterNotReady, letter_pdf

    letter = outgoing.claim(Letter, letter_id)
    if letter is None:
        return None
    large_print = letter.large_print
    try:
        pdf = letter_pdf(nominee_id=letter.nominee_id, large_print=large_print)
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
        letter.pdf_large_print = large_print
        council = council_settings()
        letter.outbound_email = email_queue(
            to=[letter.email_to],
            # The email asks for replies (large print, a copy on paper): they go to the council.
            reply_to=[council.contact_email] if council.contact_email else [],
            subject="A letter of thanks from the Mayor",
            body_text=render_to_string(
                "recognition/email/letter.txt",
                {
                    "letter": letter,
                    "large_print": large_print,
                    "council": council,
                    "page_url": nominee_page_url_for_letter(letter.nominee),
                },
            ),
            attachments=[
                {
                    "path": letter.pdf.name,
                    "filename": "Letter from the Mayor (large print).pdf"
                    if large_print
                    else "Letter from the Mayor.pdf",
                    "mimetype": "application/pdf",
                }
            ],
            metadata={"letter_id": str(letter.pk)},
            tags=["letter"],
            publish=publish,
        )
        letter.stage = Letter.Stage.EMAILED
        letter.save(update_fields=["pdf", "pdf_large_print", "outbound_email", "stage"])
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


# Letters a part of a print batch holds: each part is one task, so a batch is
# spread over as many worker processes as are free. Memory does not grow with
# it (a part's letters are written to its PDF together, then let go).
PRINT_BATCH_PART_SIZE = 50
# The print room's list, a row per letter in the combined PDF's order: where the
# letter starts and how many pages it has (a letter posted to someone with no
# email has a page of consent codes after it), the address and the badges.
ADDRESS_COLUMNS = [
    "letter_id",
    "first_page",
    "pages",
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "line_5",
    "line_6",
    "line_7",
    "pin_badges",
]


def _in_postcode_order(letters: list[Letter]) -> list[Letter]:
    from nominations.selectors import letters_facts
    from recognition.letters import postal_lines

    facts = letters_facts([letter.nominee_id for letter in letters])

    def postcode(letter: Letter) -> tuple:
        lines = postal_lines(facts[letter.nominee_id]) or [""]
        return (lines[-1].replace(" ", ""), letter.pk)

    return sorted(letters, key=postcode)


def print_batch_build(*, batch_id: int) -> PrintBatch | None:
    """Make a print batch: cut it into parts for the workers, then join the parts into one PDF.

    The batch's task runs more than once. First it puts the letters in postcode
    order and queues one task per part; each part renders its letters
    (print_batch_part_build). The batch task runs again when the last part is
    made (that part publishes it) or, should that message be lost, when the
    sweeper finds the batch due; it then joins the parts' PDFs in order into
    one, streamed to a file, and writes the address list. A part that could not
    be made fails the batch with its reason, and its letters wait for the next.
    """
    batch = outgoing.claim(PrintBatch, batch_id)
    if batch is None:
        return None
    if not batch.parts.exists():
        _print_batch_cut(batch)
        return batch
    with transaction.atomic():
        # Locked, so a part finishing now either sees the batch waiting and
        # publishes it, or finishes before this looks.
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        parts = list(batch.parts.order_by("number"))
        failed = next((part for part in parts if part.status == PrintBatchPart.Status.FAILED), None)
        if failed is not None:
            _print_batch_fail(batch, failed.last_error)
            return batch
        if any(part.status != PrintBatchPart.Status.SENT for part in parts):
            outgoing.wait(batch, until=timezone.now() + PrintBatch.requeue_after)
            return batch
    _print_batch_join(batch, parts)
    return batch


def _print_batch_cut(batch: PrintBatch) -> None:
    letters = _in_postcode_order(list(Letter.objects.filter(print_batch=batch)))
    ids = [letter.pk for letter in letters]
    with transaction.atomic():
        if not ids:
            _print_batch_fail(batch, "There are no letters in this batch.")
            return
        for number, start in enumerate(range(0, len(ids), PRINT_BATCH_PART_SIZE), start=1):
            part = PrintBatchPart.objects.create(
                batch=batch, number=number, letter_ids=ids[start : start + PRINT_BATCH_PART_SIZE]
            )
            outgoing.enqueue(part)
        outgoing.wait(batch, until=timezone.now() + PrintBatch.requeue_after)


def _print_batch_fail(batch: PrintBatch, reason: str) -> None:
    """The batch cannot be made: staff see why, and its letters wait for the next batch."""
    outgoing.fail(batch, reason)
    Letter.objects.filter(print_batch=batch).update(print_batch=None)
    part_ids = list(batch.parts.values_list("pk", flat=True))
    transaction.on_commit(lambda: _print_batch_parts_tidy(part_ids))
    audit_log(
        actor=None, action="recognition.print_batch.failed", obj=batch, data={"reason": reason}
    )


def print_batch_part_build(*, part_id: int) -> PrintBatchPart | None:
    """Render one part's letters, in order, into a PDF of its own; exactly once, like any outgoing work."""
    import tempfile

    from django.core.files import File

    from nominations.selectors import letters_facts
    from recognition.letter_pdf import LetterProblem, write_letters
    from recognition.letters import LetterNotReady, letter_document

    part = outgoing.claim(PrintBatchPart, part_id)
    if part is None:
        return None
    if PrintBatch.objects.filter(pk=part.batch_id, status=PrintBatch.Status.FAILED).exists():
        # Another part failed the batch before this one's turn came: its letters
        # wait for the next batch, so nothing here is worth making.
        outgoing.fail(part, "Not made: the print batch had already failed.")
        return part
    letters = Letter.objects.select_related("nominee").in_bulk(part.letter_ids)
    facts = letters_facts([letter.nominee_id for letter in letters.values()])
    documents, rows = [], []
    try:
        for number, letter_id in enumerate(part.letter_ids, start=1):
            letter = letters[letter_id]
            document, lines = letter_document(
                facts=facts[letter.nominee_id], large_print=letter.large_print
            )
            documents.append(document)
            # first_page is filled in when the parts are joined.
            rows.append([letter.pk, len(document.pages), *lines, *[""] * (7 - len(lines)), 1])
            if number % 10 == 0:
                PrintBatchPart.objects.filter(pk=part.pk).update(built_count=number)
    except (LetterProblem, LetterNotReady) as error:
        reason = getattr(error, "reason", None) or str(error)
        with transaction.atomic():
            outgoing.fail(part, f"The letter to {letter.nominee} could not be made: {reason}")
            _print_batch_part_done(part)
        return part
    with tempfile.TemporaryFile() as out:
        write_letters(documents, out)
        documents.clear()
        out.seek(0)
        part.pdf.save(
            f"batch-{part.batch_id}-part-{part.number}-{uuid.uuid4().hex[:8]}.pdf",
            File(out),
            save=False,
        )
    with transaction.atomic():
        part.address_rows = rows
        part.save(update_fields=["pdf", "address_rows"])
        outgoing.finish(part, built_count=len(part.letter_ids))
        _print_batch_part_done(part)
    return part


def _print_batch_part_done(part: PrintBatchPart) -> None:
    """After a part is made (or fails): the batch is published if it has nothing left to wait for."""
    batch = PrintBatch.objects.select_for_update().get(pk=part.batch_id)
    if batch.status == PrintBatch.Status.FAILED:
        # The batch failed while this part was being made, and its parts' files
        # were tidied then: this one's file is not wanted either.
        transaction.on_commit(lambda: _print_batch_parts_tidy([part.pk]))
        return
    unfinished = batch.parts.exclude(
        status__in=[PrintBatchPart.Status.SENT, PrintBatchPart.Status.FAILED]
    )
    if batch.status == PrintBatch.Status.QUEUED and not unfinished.exists():
        batch.next_attempt_at = None
        batch.save(update_fields=["next_attempt_at"])
        outgoing.enqueue(batch)


def _print_batch_join(batch: PrintBatch, parts: list[PrintBatchPart]) -> None:
    import csv
    import io
    import tempfile

    from django.core.files import File

    from recognition.pdf_join import PdfJoiner

    with tempfile.TemporaryFile() as combined:
        joiner = PdfJoiner(combined)
        for part in parts:
            with part.pdf.open("rb") as source:
                joiner.add(source)
        joiner.finish(title=f"Letters from the Mayor: print batch {batch.pk}")
        combined.seek(0)
        batch.pdf.save(f"batch-{batch.pk}-{uuid.uuid4().hex[:8]}.pdf", File(combined), save=False)
    table = io.StringIO()
    out = csv.writer(table)
    out.writerow(ADDRESS_COLUMNS)
    page = 1
    for part in parts:
        for letter_id, pages, *rest in part.address_rows:
            out.writerow([letter_id, page, pages, *rest])
            page += pages
    batch.addresses.save(
        f"batch-{batch.pk}-{uuid.uuid4().hex[:8]}.csv",
        ContentFile(table.getvalue().encode("utf-8")),
        save=False,
    )
    with transaction.atomic():
        batch.save(update_fields=["pdf", "addresses"])
        outgoing.finish(batch, built_count=batch.letter_count)
        part_ids = [part.pk for part in parts]
        transaction.on_commit(lambda: _print_batch_parts_tidy(part_ids))


def _print_batch_parts_tidy(part_ids: list[int]) -> None:
    """The parts' PDFs are in the batch's now: remove them from storage."""
    for part in PrintBatchPart.objects.filter(pk__in=part_ids).exclude(pdf=""):
        part.pdf.delete(save=False)
        PrintBatchPart.objects.filter(pk=part.pk).update(pdf="")


def print_batch_progress(batch: PrintBatch) -> int:
    """How many of the batch's letters are made so far."""
    from django.db.models import Sum

    if batch.status == PrintBatch.Status.SENT:
        return batch.built_count
    return batch.parts.aggregate(made=Sum("built_count"))["made"] or 0


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
            email.status, email.status_changed_at, email.attempts, email.next_attempt_at = (
                email.Status.QUEUED,
                timezone.now(),
                0,
                None,
            )
            email.save(update_fields=["status", "status_changed_at", "attempts", "next_attempt_at"])
            outgoing.enqueue(email)
        else:
            raise PrintBatchError("Only a letter that failed can be tried again.")
        audit_log(actor=actor, action="recognition.letter.retried", obj=letter)
    return letter


NOMINEE, MAYORS_OFFICE = "nominee", "mayors_office"


def letter_large_print_set(*, nominee_id: int, large_print: bool, actor, asked_by: str) -> Letter:
    """Record that a nominee's letter is wanted in large print (or no longer is).

    Asked by the nominee (or their family) on their own page, or by the
    Mayor's office. A letter not yet made follows it: emailed with the
    large-print PDF, or printed in large print in its batch
    (`Letter.large_print_in_time` says whether it is still in time).
    """
    from nominations.selectors import approved_nominees

    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(nominee_id=nominee_id).first()
        if letter is None:
            if not approved_nominees().filter(pk=nominee_id).exists():
                raise PrintBatchError("There is no letter for this nominee.")
            letter, _created = _letter_create(nominee_id)
            letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.large_print != large_print:
            letter.large_print = large_print
            letter.save(update_fields=["large_print"])
            audit_log(
                actor=actor,
                action="recognition.letter.large_print_asked"
                if large_print
                else "recognition.letter.large_print_cancelled",
                obj=letter,
                data={"by": asked_by},
            )
    return letter


def large_print_message(letter: Letter, *, on_own_page: bool = False) -> str:
    """What happens now to a letter whose print size was asked for, in words for the person who asked."""
    size = "large print" if letter.large_print else "standard print"
    if not letter.large_print_in_time:
        where = "below" if on_own_page else "from the nominee's own page"
        return (
            "Thank you. The letter has already been sent, so it stays as it was; "
            f"it can be downloaded in {size} {where}."
        )
    if letter.route == Letter.Route.EMAIL:
        return f"Thank you. The letter will be emailed in {size}."
    return f"Thank you. The letter will be printed and posted in {size}."


def letters_large_print() -> "models.QuerySet[Letter]":
    """Letters asked for in large print, for the Mayor's office."""
    return (
        Letter.objects.filter(large_print=True)
        .select_related("nominee__area", "print_batch")
        .order_by("nominee__name")
    )


def letters_email_retrying():
    """Letters whose email the provider could not take yet, waiting for another try."""
    return (
        Letter.objects.filter(
            outbound_email__status=OutboundEmail.Status.QUEUED,
            outbound_email__attempts__gt=0,
        )
        .select_related("nominee", "outbound_email")
        .order_by("nominee__name")
    )


def letters_unprintable():
    """Letters for the post that no print batch will take until their address is corrected."""
    return Letter.objects.filter(
        route=Letter.Route.POST,
        stage__in=[Letter.Stage.AWAITING_RELEASE, Letter.Stage.FOR_PRINT],
        print_batch__isnull=True,
    ).exclude(address_problem="")


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
