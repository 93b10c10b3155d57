from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
