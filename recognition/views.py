"""The nominee's own page (from their signed link): the Mayor's letter and a card to share."""

from django.core import signing
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from council.selectors import council_settings
from nominations.selectors import letter_facts, nominee_from_link
from recognition.models import Letter

CARD_SALT = "recognition.card"


def _nominee_or_404(token):
    nominee = nominee_from_link(token)
    if nominee is None:
        raise Http404
    return nominee


def card_token(nominee_id: int) -> str:
    """A public, signed name for the card; the card itself shows no name."""
    return signing.dumps(nominee_id, salt=CARD_SALT)


@require_safe
def nominee_page(request, token):
    nominee = _nominee_or_404(token)
    letter = Letter.objects.filter(nominee=nominee, released_at__isnull=False).first()
    card = card_token(nominee.pk)
    return TemplateResponse(
        request,
        "recognition/nominee.html",
        {
            "nominee": nominee,
            "letter": letter,
            "token": token,
            "card": card,
            "share_url": request.build_absolute_uri(reverse("recognition:card_page", args=[card])),
        },
    )


@require_safe
def nominee_letter(request, token):
    """The letter as a PDF, once the Mayor's office has released it."""
    from recognition.letters import letter_pdf

    nominee = _nominee_or_404(token)
    letter = Letter.objects.filter(nominee=nominee, released_at__isnull=False).first()
    if letter is None:
        raise Http404
    pdf = (
        letter.pdf.read()
        if letter.pdf
        else letter_pdf(nominee_id=nominee.pk, large_print=request.GET.get("large") == "1")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="Letter from the Mayor.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _card_nominee(card):
    try:
        return signing.loads(card, salt=CARD_SALT)
    except signing.BadSignature:
        raise Http404 from None


@require_safe
def card_image(request, card):
    from recognition.cards import card_png

    facts = letter_facts(_card_nominee(card))
    council = council_settings()
    png = card_png(
        campaign=facts.campaign,
        category=" and ".join(facts.categories),
        council_name=council.name,
        brand_colour=council.brand_colour,
        accent_colour=council.accent_colour,
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def card_page(request, card):
    """What a shared link shows: the card, with Open Graph tags so it previews well."""
    facts = letter_facts(_card_nominee(card))
    image = request.build_absolute_uri(reverse("recognition:card_image", args=[card]))
    return TemplateResponse(
        request,
        "recognition/card.html",
        {"facts": facts, "image": image, "url": request.build_absolute_uri()},
    )
