"""Every change to the Mayor's letters."""

import nh3
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from council.images import ImageRejected, image_clean
from council.services import audit_log
from recognition import merge
from recognition.models import LetterTemplate

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
