"""Putting a nominee's letter together: which words, to whom, and the merge values."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from council.selectors import council_settings, current_civic_year
from nominations.models import ConsentLink
from nominations.selectors import LetterFacts, consent_codes_by_post, letter_facts
from recognition import merge
from recognition.letter_pdf import ConsentCodeLine, LetterContent, format_address, render_letter
from recognition.letter_pdf import letter_document as render_document
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
        return facts.family_name or f"The family of {facts.name}"
    if facts.under_18:
        return (
            f"The parent or guardian of {facts.name}"
            if not facts.guardian_name
            else facts.guardian_name
        )
    return facts.name


def postal_lines(facts: LetterFacts) -> list[str]:
    """The address the letter is posted to, recipient first; empty when none is known.

    For a nominee who has died it is the family's address, or, if staff have
    not given one, the nominee's own (where the family may well live).
    """
    address = (facts.has_died and facts.family_address) or facts.address
    return [recipient(facts), *address] if address else []


def email_to(facts: LetterFacts) -> str:
    """Where the letter is emailed: the family's, a parent or guardian's, or the nominee's own."""
    if facts.has_died:
        return facts.family_email
    return facts.guardian_email if facts.under_18 else facts.email


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
    *,
    nominee_id: int,
    template: LetterTemplate | None = None,
    large_print: bool = False,
    facts: LetterFacts | None = None,
) -> LetterContent:
    """Everything the PDF needs for one nominee's letter (`facts` when already read, for a batch)."""
    facts = facts or letter_facts(nominee_id)
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
    lines = postal_lines(facts)
    address = format_address(lines) if lines else []
    signature = template.signature.read() if template.signature else None
    logo = council.logo.read() if council.logo else None
    return LetterContent(
        **_consent_page(facts, council),
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


def _consent_page(facts: LetterFacts, council) -> dict:
    """The consent codes no email could carry, for the page after a posted letter."""
    codes = consent_codes_by_post(facts.nominee_id)
    if not codes:
        return {}
    lines = []
    for posted in codes:
        if posted.role == ConsentLink.Role.GUARDIAN:
            who = f"For {facts.name}’s parent or guardian"
        elif facts.has_died:
            who = f"For the family of {facts.name}"
        else:
            who = f"For {facts.name}"
        lines.append(
            ConsentCodeLine(
                who=who,
                code=f"{posted.code[:4]} {posted.code[4:]}",
                until=f"{timezone.localdate(posted.expires_at):%-d %B %Y}",
            )
        )
    ways = [f"phone us on {council.contact_phone}"] if council.contact_phone else []
    ways.append(f"email {council.contact_email}")
    return {
        "consent_codes": lines,
        "consent_url": settings.SITE_URL + reverse("nominations:consent_code"),
        "consent_contact": " or ".join(ways),
    }


def letter_pdf(
    *, nominee_id: int, template: LetterTemplate | None = None, large_print: bool = False
) -> bytes:
    return render_letter(
        letter_content(nominee_id=nominee_id, template=template, large_print=large_print)
    )


def letter_document(*, facts: LetterFacts, large_print: bool = False):
    """The letter laid out and checked, for a print batch to write with others, and its address."""
    content = letter_content(nominee_id=facts.nominee_id, facts=facts, large_print=large_print)
    return render_document(content), content.address_lines
