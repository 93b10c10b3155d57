"""Putting a nominee's letter together: which words, to whom, and the merge values."""

from django.utils import timezone

from council.selectors import council_settings, current_civic_year
from nominations.selectors import LetterFacts, letter_facts
from recognition import merge
from recognition.letter_pdf import LetterContent, format_address, render_letter
from recognition.models import LetterTemplate, LetterVariant
from recognition.services import sanitise


class LetterNotReady(Exception):
    """The letter cannot be made yet; the message says what is missing."""


def variant_for(facts: LetterFacts) -> str:
    if facts.has_died:
        return LetterVariant.DECEASED
    if facts.under_18:
        return LetterVariant.YOUNG_PERSON
    if facts.kind in ("business", "group"):
        return LetterVariant.BUSINESS_OR_GROUP
    return LetterVariant.PERSON


def recipient(facts: LetterFacts) -> str:
    """The first line of the address: the nominee, their family, or their parent or guardian."""
    if facts.has_died:
        return f"The family of {facts.name}"
    if facts.under_18:
        return (
            f"The parent or guardian of {facts.name}"
            if not facts.guardian_name
            else facts.guardian_name
        )
    return facts.name


def merge_values(facts: LetterFacts) -> dict[str, str]:
    year = current_civic_year()
    council = council_settings()
    return {
        "display_name": facts.name,
        "first_name": facts.first_name,
        "category": " and ".join(facts.categories),
        "campaign": facts.campaign,
        "nomination_words": "\n\n".join(facts.nomination_words),
        "ward": facts.ward,
        "mayor_name": year.mayor_name if year else "",
        "mayor_title": year.mayor_title if year else "",
        "council_name": council.name,
    }


def letter_content(
    *, nominee_id: int, template: LetterTemplate | None = None, large_print: bool = False
) -> LetterContent:
    """Everything the PDF needs for one nominee's letter."""
    facts = letter_facts(nominee_id)
    variant = variant_for(facts)
    template = template or LetterTemplate.objects.filter(variant=variant).first()
    if template is None:
        raise LetterNotReady(
            f"There is no letter yet for {LetterVariant(variant).label.lower()}. The Mayor's office writes it at /staff/letters/."
        )
    year = current_civic_year()
    if year is None:
        raise LetterNotReady(
            "No civic year covers today, so the letter cannot name the Mayor. An administrator adds one in the council settings."
        )
    council = council_settings()
    values = merge_values(facts)
    address = format_address([recipient(facts), *facts.address]) if facts.address else []
    signature = template.signature.read() if template.signature else None
    logo = council.logo.read() if council.logo else None
    return LetterContent(
        title=f"Letter of thanks to {facts.name}",
        address_lines=address,
        date_text=f"{timezone.localdate():%-d %B %Y}",
        salutation=merge.fill(template.salutation, values),
        body_html=sanitise(merge.fill(template.body, values)),
        signatory_name=year.mayor_name,
        signatory_title=year.mayor_title,
        council_name=council.name,
        council_address_lines=[
            line for line in council.postal_address.splitlines() if line.strip()
        ],
        letterhead_html=sanitise(merge.fill(template.letterhead, values)),
        logo=logo,
        signature=signature,
        large_print=large_print,
    )


def letter_pdf(
    *, nominee_id: int, template: LetterTemplate | None = None, large_print: bool = False
) -> bytes:
    return render_letter(
        letter_content(nominee_id=nominee_id, template=template, large_print=large_print)
    )
