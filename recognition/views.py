"""The nominee's own page (from their signed link): the Mayor's letter and a card to share."""

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from council.selectors import council_settings
from nominations.models import ConsentLink
from nominations.selectors import letter_facts, nominee_from_link
from nominations.services import NominationError, consent_link_from_token
from recognition import services
from recognition.cards import card_alt
from recognition.forms import LargePrintForm
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
    try:
        link = consent_link_from_token(token)
    except NominationError as error:
        # A mistyped, expired or replaced link: say which, and how to get a new one,
        # as the consent page does for the same link.
        return TemplateResponse(
            request,
            "nominations/link_problem.html",
            {"problem": str(error), "consent": True},
            status=400,
        )
    nominee = link.nominee
    return _nominee_page(request, token, nominee, guardian=link.role == ConsentLink.Role.GUARDIAN)


def _nominee_page(request, token, nominee, *, form=None, guardian=False):
    letter = Letter.objects.filter(nominee=nominee).first()
    card = card_token(nominee.pk)
    context = {
        "nominee": nominee,
        "letter": letter if letter and letter.released_at else None,
        "large_print": bool(letter and letter.large_print),
        "large_print_form": form
        or LargePrintForm(
            initial={"large_print": "yes" if letter and letter.large_print else None}
        ),
        "token": token,
        "card": card,
        "card_alt": card_alt(letter_facts(nominee.pk), council_settings().name),
        # Opened with a parent's or guardian's link: the page speaks of the young person.
        "guardian": guardian,
        "share_url": request.build_absolute_uri(reverse("recognition:card_page", args=[card])),
    }
    if form is not None:
        context["form"] = form  # the page's error summary
    return TemplateResponse(request, "recognition/nominee.html", context)


@require_POST
def nominee_large_print(request, token):
    """The nominee (or their family) asks for the letter in large print, or no longer needs it."""
    nominee = _nominee_or_404(token)
    form = LargePrintForm(request.POST)
    if not form.is_valid():
        return _nominee_page(request, token, nominee, form=form)
    large = form.cleaned_data["large_print"] == "yes"
    try:
        letter = services.letter_large_print_set(
            nominee_id=nominee.pk, large_print=large, actor=None, asked_by=services.NOMINEE
        )
    except services.PrintBatchError as error:
        form.add_error("large_print", str(error))
        return _nominee_page(request, token, nominee, form=form)
    messages.success(request, services.large_print_message(letter, on_own_page=True))
    return redirect("recognition:nominee", token=token)


@require_safe
def nominee_letter(request, token):
    """The letter as a PDF, once the Mayor's office has released it."""
    from recognition.letters import letter_pdf

    nominee = _nominee_or_404(token)
    letter = Letter.objects.filter(nominee=nominee, released_at__isnull=False).first()
    if letter is None:
        raise Http404
    large_print = request.GET.get("large") == "1"
    # The copy that was emailed, when it is the size asked for; otherwise made now.
    pdf = (
        letter.pdf.read()
        if letter.pdf and letter.pdf_large_print == large_print
        else letter_pdf(nominee_id=nominee.pk, large_print=large_print)
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
        {
            "facts": facts,
            "image": image,
            "url": request.build_absolute_uri(),
            "alt": card_alt(facts, council_settings().name),
        },
    )
