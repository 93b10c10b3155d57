from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from council.models import OutboundEmail
from council.outgoing import OutgoingWork


class LetterVariant(models.TextChoices):
    PERSON = "person", _("A person")
    YOUNG_PERSON = "young_person", _("A young person under 18 (through a parent or guardian)")
    BUSINESS_OR_GROUP = "business_or_group", _("A business, group or organisation")
    DECEASED = "deceased", _("A nominee who has died (to the family)")


class LetterTemplate(models.Model):
    """The words of the Mayor's letter for one kind of nominee, edited by the Mayor's office."""

    variant = models.CharField(max_length=20, choices=LetterVariant.choices, unique=True)
    salutation = models.CharField(max_length=200, help_text=_("For example: Dear {first_name}"))
    body = models.TextField(help_text=_("The letter itself. Sanitised when saved."))
    letterhead = models.TextField(
        blank=True,
        help_text=_("A line or two under the council's name, such as the Mayor's office address."),
    )
    signature = models.ImageField(upload_to="signatures/", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["variant"]

    def __str__(self) -> str:
        return self.get_variant_display()


class Letter(OutgoingWork):
    """One letter per nominee, however many nominations, from approval to delivery.

    `status` is the worker's progress on the email route (the outgoing-work
    pattern); `stage` is where the letter is in its life, as staff see it.
    """

    class Stage(models.TextChoices):
        AWAITING_RELEASE = "awaiting_release", _("Waiting for the Mayor's office to release it")
        EMAIL_QUEUED = "email_queued", _("Released: being emailed")
        EMAILED = "emailed", _("Emailed")
        DELIVERED = "delivered", _("Delivered")
        FOR_PRINT = "for_print", _("Waiting for a print batch")
        POSTED = "posted", _("Posted")
        BOUNCED = "bounced", _("Email bounced")
        FAILED = "failed", _("Could not be made")

    class Route(models.TextChoices):
        EMAIL = "email", _("By email")
        POST = "post", _("By post")

    task_name: ClassVar[str] = "recognition.tasks.letter_send"
    # Released together, letters are made twenty to a task (each claimed on its
    # own as its turn comes) and their twenty emails go in one message.
    batch_task_name: ClassVar[str] = "recognition.tasks.letters_send"
    batch_size: ClassVar[int] = 20
    # The email is created in the same transaction that marks the letter sent,
    # so a letter a dead worker left in `sending` never reached the outbox.
    stale_sending: ClassVar[str] = OutgoingWork.Status.QUEUED

    nominee = models.OneToOneField(
        "nominations.Nominee", on_delete=models.PROTECT, related_name="letter"
    )
    stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.AWAITING_RELEASE, db_index=True
    )
    route = models.CharField(max_length=10, choices=Route.choices)
    email_to = models.EmailField(blank=True)
    address_problem = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Why the address cannot be printed; keeps the letter out of print batches."),
    )
    pdf = models.FileField(upload_to="letters/", blank=True)
    # The PDF kept above is the large-print one (what was emailed, if it was).
    pdf_large_print = models.BooleanField(default=False)
    large_print = models.BooleanField(
        default=False,
        help_text=_(
            "Asked for by the nominee or the Mayor's office: emailed and printed in large print."
        ),
    )
    outbound_email = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    print_batch = models.ForeignKey(
        "recognition.PrintBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )

    class Meta(OutgoingWork.Meta):
        verbose_name = _("letter")

    def __str__(self) -> str:
        return f"Letter to {self.nominee} ({self.get_stage_display().lower()})"

    @property
    def large_print_in_time(self) -> bool:
        """Whether the letter that goes out is still to be made, so large print can change it."""
        if self.print_batch_id is not None:
            return False  # printed, or being printed, in a batch
        if self.stage == self.Stage.EMAIL_QUEUED:
            return self.status == self.Status.QUEUED
        return self.stage in (self.Stage.AWAITING_RELEASE, self.Stage.FOR_PRINT, self.Stage.FAILED)


class PrintBatch(OutgoingWork):
    """Letters for the print room: one PDF in postcode order, an address list and a badge count."""

    task_name: ClassVar[str] = "recognition.tasks.print_batch_build"
    # Building again from the start is harmless: nothing has left the building.
    stale_sending: ClassVar[str] = OutgoingWork.Status.QUEUED

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    letter_count = models.PositiveIntegerField(default=0)
    built_count = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="print-batches/", blank=True)
    addresses = models.FileField(upload_to="print-batches/", blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(OutgoingWork.Meta):
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return f"Print batch {self.pk} ({self.letter_count} letters)"

    @property
    def badge_count(self) -> int:
        """One pin badge goes in each envelope."""
        return self.letter_count


class PrintBatchPart(OutgoingWork):
    """A run of a print batch's letters, made by one task, so a batch is spread over workers.

    The batch is cut into parts when its build starts; each part renders its
    letters into a PDF of its own, and once every part is made the batch task
    joins them into the one PDF for the print room.
    """

    task_name: ClassVar[str] = "recognition.tasks.print_batch_part_build"
    # Making a part again is harmless: nothing has left the building.
    stale_sending: ClassVar[str] = OutgoingWork.Status.QUEUED

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField(help_text=_("Its place in the batch, from 1."))
    letter_ids = models.JSONField(help_text=_("Its letters, in postcode order."))
    built_count = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="print-batches/parts/", blank=True)
    # The address list's rows for these letters, joined in order with the other parts'.
    address_rows = models.JSONField(default=list, blank=True)

    class Meta(OutgoingWork.Meta):
        verbose_name = _("print batch part")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="print_batch_part_unique")
        ]

    def __str__(self) -> str:
        return f"Part {self.number} of print batch {self.batch_id}"
