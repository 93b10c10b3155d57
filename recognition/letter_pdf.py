"""The Mayor's letter as a PDF, laid out to GOV.UK Notify's letter specification.

A council can post the PDF through GOV.UK Notify or hand it to its own print
room, so the layout keeps to Notify's rules (the ones its print supplier, DVLA,
checks). All figures are millimetres from the top-left corner of an A4
portrait page, 210 x 297 mm:

- Printable area: 15 mm clear at the left and right, 5 mm at the top and
  bottom, on every page. Nothing prints outside it.
- Page 1 is zoned for the window envelope. Only these zones may carry ink:
  the logo area (15-125 across, 5-30 down), the sender's column on the right
  (125-195 across, 5-95 down), the address box, and the body from 95 mm down.
  The rest of the top-left quarter stays blank.
- The address box is 24.6 mm from the left and 39.5 mm from the top,
  95.4 x 26.8 mm. It holds the address and nothing else; Royal Mail reads it
  through the window, so it is at most 7 lines, the post town and postcode in
  capitals and the postcode alone on the last line.
- At most 10 pages and 2 MB (read as 2,000,000 bytes, the stricter reading).

Fonts come from npm (package.json): Noto Sans for Latin, Greek and Cyrillic
and IBM Plex Sans Arabic for Arabic, as WOFF files under node_modules. Nothing
falls back to a system font: a character the fonts cannot draw stops the
letter with a reason instead of printing a box or a different typeface. Each
file is its own CSS family, because WeasyPrint names a PDF font by family,
weight and style, and two files under one family would share glyph numbers.
IBM Plex Sans Arabic is used rather than Noto Sans Arabic because its letters
are whole glyphs, so the PDF's text layer (what a screen reader reads and
copy-and-paste gives) spells Arabic names correctly.

The large-print version follows RNIB's clear print guidance: body text at
16 pt, emphasis in bold rather than italics. The address keeps the same size
and box, since it must still fit the window.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from council.postcodes import UK_POSTCODE

# --- The specification, in millimetres from the page's top-left corner ---------------

MAX_PAGES = 10
MAX_PDF_BYTES = 2_000_000


@dataclass(frozen=True)
class Zone:
    """A rectangle on the page: left, top, right, bottom in millimetres."""

    left: float
    top: float
    right: float
    bottom: float

    def holds(self, left: float, top: float, right: float, bottom: float) -> bool:
        slack = 0.01  # layout arithmetic in CSS pixels leaves hundredths of a millimetre
        return (
            left >= self.left - slack
            and right <= self.right + slack
            and top >= self.top - slack
            and bottom <= self.bottom + slack
        )

    def overlaps(self, left: float, top: float, right: float, bottom: float) -> bool:
        return left < self.right and right > self.left and top < self.bottom and bottom > self.top


PRINTABLE_AREA = Zone(15.0, 5.0, 195.0, 292.0)
LOGO_AREA = Zone(15.0, 5.0, 125.0, 30.0)
SENDER_AREA = Zone(125.0, 5.0, 195.0, 95.0)
ADDRESS_BOX = Zone(24.6, 39.5, 24.6 + 95.4, 39.5 + 26.8)
BODY_AREA = Zone(15.0, 95.0, 195.0, 292.0)
FIRST_PAGE_ZONES = (LOGO_AREA, SENDER_AREA, ADDRESS_BOX, BODY_AREA)

MAX_ADDRESS_LINES = 7
MIN_ADDRESS_LINES = 3
# The address prints at 10 pt on a 10.2 pt line in both versions: seven lines
# with Noto Sans's full ascent and descent come to 74.9 pt of the box's 76 pt.
ADDRESS_FONT_SIZE_PT = 10.0
ADDRESS_LINE_HEIGHT_PT = 10.2
# A line may be this wide at that size: the box's 270.4 pt less a little for
# shaping and kerning that the measurement below does not model.
ADDRESS_MAX_LINE_PT = 266.0

BODY_FONT_SIZE_PT = 12.0
LARGE_PRINT_BODY_FONT_SIZE_PT = 16.0  # RNIB clear print: large print is 16 pt or more

MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels


# --- Problems, in words for the staff who will fix them ------------------------------


class LetterProblem(ValueError):
    """A letter that cannot be printed as it stands; `reason` says what to change."""

    messages = {
        "unprintable": (
            "The letter uses characters its fonts cannot print: {chars}. Remove them from "
            "the letter template or the words of the nomination."
        ),
        "too_many_pages": "The letter runs to {pages} pages; a posted letter can have at most {max} pages.",
        "too_large": (
            "The letter's PDF is {size} MB; a posted letter can be at most 2 MB. Use a smaller "
            "logo or signature image."
        ),
        "sender_too_long": (
            "The letterhead, council address and date do not fit beside the address window: "
            "they run to {bottom:.0f} mm down the page and must end by 95 mm. Shorten the "
            "letterhead or the council's address."
        ),
        "in_window": (
            "Something other than the address would print in the envelope window. Check "
            "the letter template."
        ),
        "logo_too_big": "The council's name is too long to fit in the logo area. Upload a logo instead.",
        "outside_printable_area": (
            "Something on page {page} of the letter falls outside the area a printer can "
            "print. Check the letter template."
        ),
        "not_an_image": "The {what} is not a PNG or JPEG image. Upload it again as PNG or JPEG.",
        "blocked_resource": "The letter template asks for a file the letter may not use ({detail}).",
        "fonts_missing": (
            "The letter fonts are not installed ({path} is missing). Run `npm ci` in the "
            "project folder."
        ),
    }

    def __init__(self, code: str, **params):
        self.code = code
        self.reason = self.messages[code].format(**params)
        super().__init__(self.reason)


class AddressProblem(LetterProblem):
    """An address that cannot go through the envelope window; the letter stays out of a batch."""

    messages = {
        "too_many_lines": "The address has {count} lines; a letter can print at most {max}",
        "too_few_lines": (
            "The address has {count} lines; a letter needs at least {min}: the name, "
            "the street or town, and the postcode"
        ),
        "no_postcode": "There is no postcode",
        "not_a_postcode": "The postcode '{postcode}' is not a UK postcode",
        "postcode_not_last": (
            "The postcode {postcode} must be the last line of the address, but "
            "'{after}' comes after it"
        ),
        "line_too_long": (
            "Line {number} of the address ('{line}') is too long for the envelope window; "
            "shorten it to about {fit} characters"
        ),
        "bad_first_character": (
            "Line {number} of the address starts with '{char}', which cannot begin an address line"
        ),
        "unprintable": "The address uses characters the letter fonts cannot print: {chars}",
        "does_not_fit": "The address does not fit in the envelope window; shorten its longest lines",
    }


# --- What a letter says --------------------------------------------------------------


@dataclass
class LetterContent:
    title: str  # PDF title, e.g. "Letter of thanks to Maureen Clarke"
    address_lines: list[str]  # as returned by format_address(); empty for email only
    date_text: str  # e.g. "27 November 2026"
    salutation: str  # e.g. "Dear Maureen"
    body_html: str  # already merged and sanitised HTML (p, strong, em, ul, ol, li, br, a)
    signatory_name: str  # the Mayor, e.g. "Councillor Pat Okafor"
    signatory_title: str  # e.g. "Mayor of South Riverside"
    council_name: str
    council_address_lines: list[str]
    letterhead_html: str = ""  # optional sanitised HTML under the council name
    logo: bytes | None = None  # PNG or JPEG
    signature: bytes | None = None  # PNG or JPEG of the signature
    language: str = "en-GB"
    large_print: bool = False
    closing: str = "Yours sincerely"
    # For a letter sent by post to someone with no email: a page after the letter
    # with the codes for the consent page (ConsentCodeLine), where to type them
    # and how else to answer.
    consent_codes: list = field(default_factory=list)
    consent_url: str = ""
    consent_contact: str = ""


@dataclass(frozen=True)
class ConsentCodeLine:
    who: str  # e.g. "For Priya Shah" or "For you, as Priya Shah's parent or guardian"
    code: str  # e.g. "ABCD EFGH"
    until: str  # e.g. "6 March 2027"


# --- Fonts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """One WOFF file of an npm font package, as a CSS family of its own."""

    package: str  # under node_modules/@fontsource/
    subset: str
    weight: int
    style: str

    @property
    def family(self) -> str:
        return f"Letter {self.package} {self.subset}"

    @property
    def path(self) -> Path:
        return (
            fonts_dir()
            / self.package
            / "files"
            / f"{self.package}-{self.subset}-{self.weight}-{self.style}.woff"
        )

    @property
    def unicode_range(self) -> str:
        return _unicode_ranges(self.package)[self.subset]


# Family order is fallback order: Latin first, Arabic last.
NOTO_SANS_SUBSETS = (
    "latin",
    "latin-ext",
    "greek",
    "greek-ext",
    "cyrillic",
    "cyrillic-ext",
    "vietnamese",
)
FONT_FACES = tuple(
    FontFace("noto-sans", subset, weight, style)
    for subset in NOTO_SANS_SUBSETS
    for weight in (400, 700)
    for style in ("normal", "italic")
) + tuple(FontFace("ibm-plex-sans-arabic", "arabic", weight, "normal") for weight in (400, 700))


def fonts_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "@fontsource"


def font_families() -> list[str]:
    """The CSS families of the letter, in fallback order."""
    return list(dict.fromkeys(face.family for face in FONT_FACES))


@cache
def _unicode_ranges(package: str) -> dict[str, str]:
    path = fonts_dir() / package / "unicode.json"
    if not path.exists():
        raise LetterProblem("fonts_missing", path=path)
    return json.loads(path.read_text())


def _parse_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.split(","):
        start, _, end = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(start, 16), int(end or start, 16)))
    return ranges


@cache
def _regular_glyph_widths() -> dict[str, float]:
    """Every character the fonts print, with its advance width in ems (regular weight).

    Mirrors how the letter's font stack picks a face: the first family whose
    unicode-range and character map both hold the character.
    """
    widths: dict[str, float] = {}
    for face in FONT_FACES:
        if face.weight != 400 or face.style != "normal":
            continue
        if not face.path.exists():
            raise LetterProblem("fonts_missing", path=face.path)
        font = TTFont(face.path, lazy=True)
        units = font["head"].unitsPerEm
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        for start, end in _parse_ranges(face.unicode_range):
            for codepoint in range(start, end + 1):
                glyph = cmap.get(codepoint)
                if glyph is not None and chr(codepoint) not in widths:
                    widths[chr(codepoint)] = metrics[glyph][0] / units
        font.close()
    return widths


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}


def unprintable_characters(text: str) -> list[str]:
    """Characters in `text` that the letter's fonts cannot draw, in order of first use."""
    widths = _regular_glyph_widths()
    missing = [char for char in text if char not in widths and not _invisible(char)]
    return list(dict.fromkeys(missing))


def _describe(chars: list[str]) -> str:
    return ", ".join(f"{char} (U+{ord(char):04X})" for char in chars)


def text_width_pt(text: str, size_pt: float = ADDRESS_FONT_SIZE_PT) -> float:
    """The width of `text` set in the letter's regular font, without kerning."""
    widths = _regular_glyph_widths()
    return sum(widths.get(char, 1.0) for char in text if not _invisible(char)) * size_pt


# --- Addresses -------------------------------------------------------------------------

# A postcode typed at the end of the town's line: "South Shields NE33 2RL".
TRAILING_POSTCODE = re.compile(
    r"^(?P<town>.*\S)\s+(?P<postcode>[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})$"
)
# Something on the last line that is trying to be a postcode: short, with a digit.
POSTCODE_ATTEMPT = re.compile(r"^(?=.*\d)[A-Za-z\d ]{2,9}$")
UK_COUNTRY_LINES = {
    "UK",
    "U.K.",
    "UNITED KINGDOM",
    "GREAT BRITAIN",
    "GB",
    "ENGLAND",
    "SCOTLAND",
    "WALES",
    "NORTHERN IRELAND",
}
# Notify refuses these at the start of a line (they can make a spreadsheet run a formula).
BAD_FIRST_CHARACTERS = set('@()=[]"\\/,<>~+-')


def _normalise_postcode(text: str) -> str:
    compact = re.sub(r"\s", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def format_address(lines: list[str]) -> list[str]:
    """The address as Royal Mail asks for it, or AddressProblem saying what to fix.

    Blank lines go, spaces are collapsed, a trailing comma is dropped, a
    postcode typed on the town's line moves to a line of its own, and the
    post town (the line before the postcode) and the postcode are put in
    capitals. Formatting a formatted address changes nothing.
    """
    cleaned: list[str] = []
    for line in lines:
        for part in unicodedata.normalize("NFC", str(line)).splitlines():
            text = " ".join(part.split()).rstrip(",").strip()
            if text:
                cleaned.append(text)
    while cleaned and cleaned[-1].upper() in UK_COUNTRY_LINES:
        cleaned.pop()
    if not cleaned:
        raise AddressProblem("no_postcode")

    last = cleaned[-1]
    if not UK_POSTCODE.match(last):
        if trailing := TRAILING_POSTCODE.match(last):
            if UK_POSTCODE.match(_normalise_postcode(trailing["postcode"])):
                cleaned[-1:] = [trailing["town"].rstrip(" ,"), trailing["postcode"]]
            else:
                raise AddressProblem("not_a_postcode", postcode=trailing["postcode"])
        else:
            for line in cleaned[:-1]:
                if UK_POSTCODE.match(line):
                    raise AddressProblem(
                        "postcode_not_last", postcode=_normalise_postcode(line), after=last
                    )
            if POSTCODE_ATTEMPT.match(last) and not re.search(r"[a-z]{3}", last, re.IGNORECASE):
                raise AddressProblem("not_a_postcode", postcode=last)
            raise AddressProblem("no_postcode")
    cleaned[-1] = _normalise_postcode(cleaned[-1])

    if len(cleaned) > MAX_ADDRESS_LINES:
        raise AddressProblem("too_many_lines", count=len(cleaned), max=MAX_ADDRESS_LINES)
    if len(cleaned) < MIN_ADDRESS_LINES:
        raise AddressProblem("too_few_lines", count=len(cleaned), min=MIN_ADDRESS_LINES)
    cleaned[-2] = cleaned[-2].upper()

    for number, line in enumerate(cleaned, start=1):
        if line[0] in BAD_FIRST_CHARACTERS:
            raise AddressProblem("bad_first_character", number=number, char=line[0])
    if missing := unprintable_characters("".join(cleaned)):
        raise AddressProblem("unprintable", chars=_describe(missing))
    for number, line in enumerate(cleaned, start=1):
        width = text_width_pt(line)
        if width > ADDRESS_MAX_LINE_PT:
            fit = int(len(line) * ADDRESS_MAX_LINE_PT / width)
            raise AddressProblem("line_too_long", number=number, line=line, fit=fit)
    return cleaned


def text_direction(text: str) -> str:
    """'rtl' or 'ltr' as HTML's dir="auto" decides: by the first strongly directional letter.

    WeasyPrint does not resolve dir="auto" itself, so the template is given the answer.
    """
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return "ltr"


# --- Rendering -------------------------------------------------------------------------

ALLOWED_TAGS = {"p", "strong", "em", "b", "i", "ul", "ol", "li", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": {"dir", "lang"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}

_thread_state = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread: the fonts are decoded once, not for every letter."""
    config = getattr(_thread_state, "font_config", None)
    if config is None:
        config = _thread_state.font_config = FontConfiguration()
    return config


def _stylesheet(css: str) -> CSS:
    """The letter's stylesheet, parsed once per thread for each version (standard, large print).

    Parsing its 34 @font-face rules was a fifth of the time a letter took to
    render; the parsed stylesheet is only read by later renders, never changed.
    """
    sheets = getattr(_thread_state, "stylesheets", None)
    if sheets is None:
        sheets = _thread_state.stylesheets = {}
    sheet = sheets.get(css)
    if sheet is None:
        if len(sheets) >= 8:  # only a changed template makes new ones; keep the newest few
            sheets.clear()
        sheet = sheets[css] = CSS(
            string=css, font_config=_font_config(), url_fetcher=_LocalOnlyFetcher()
        )
    return sheet


@cache
def _unpacked_font(path: Path) -> bytes:
    """A WOFF file as plain OpenType, unpacked once per process.

    WeasyPrint would unpack it itself, but stamps the font with the time it did,
    so the same letter would come out as different bytes on every machine.
    """
    font = TTFont(path, recalcTimestamp=False)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class _LocalOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read the font files and the letter's own images, and nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self._fonts = fonts_dir().resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self._fonts):
                raise ValueError(f"The letter may not read {url}")
            if path.suffix == ".woff":
                return URLFetcherResponse(url, _unpacked_font(path), {"Content-Type": "font/ttf"})
        return super().fetch(url, headers)


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def _clean_html(html: str) -> str:
    cleaned = nh3.clean(
        unicodedata.normalize("NFC", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )
    return cleaned


def _image_data_uri(data: bytes | None, what: str) -> str:
    if not data:
        return ""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    else:
        raise LetterProblem("not_an_image", what=what)
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def letter_html(content: LetterContent) -> tuple[str, str]:
    """The letter's HTML and CSS, checked for characters the fonts cannot print."""
    # No address for a letter that goes by email only: the window is left blank.
    address_lines = format_address(content.address_lines) if content.address_lines else []
    body_html = _clean_html(content.body_html)
    letterhead_html = _clean_html(content.letterhead_html)
    texts = [
        content.date_text,
        content.salutation,
        content.signatory_name,
        content.signatory_title,
        content.council_name,
        content.closing,
        *content.council_address_lines,
        content.consent_url,
        content.consent_contact,
        *(f"{line.who} {line.code} {line.until}" for line in content.consent_codes),
        _visible_text(body_html),
        _visible_text(letterhead_html),
    ]
    if missing := unprintable_characters(_nfc(" ".join(texts))):
        raise LetterProblem("unprintable", chars=_describe(missing))

    context = {
        "title": _nfc(content.title),
        "language": content.language,
        "address_lines": [{"text": line, "dir": text_direction(line)} for line in address_lines],
        "date_text": _nfc(content.date_text),
        "salutation": _nfc(content.salutation),
        "salutation_dir": text_direction(content.salutation),
        "body_html": body_html,
        "closing": _nfc(content.closing),
        "signatory_name": _nfc(content.signatory_name),
        "signatory_title": _nfc(content.signatory_title),
        "council_name": _nfc(content.council_name),
        "council_address_lines": [_nfc(line) for line in content.council_address_lines],
        "letterhead_html": letterhead_html,
        "logo": _image_data_uri(content.logo, "council's logo"),
        "signature": _image_data_uri(content.signature, "signature image"),
        "large_print": content.large_print,
        "consent_codes": [
            {"who": _nfc(line.who), "code": line.code, "until": line.until}
            for line in content.consent_codes
        ],
        "consent_url": content.consent_url,
        "consent_contact": _nfc(content.consent_contact),
    }
    css_context = {
        "font_faces": [
            {
                "family": face.family,
                "weight": face.weight,
                "style": face.style,
                "url": face.path.as_uri(),
                "unicode_range": face.unicode_range,
            }
            for face in FONT_FACES
        ],
        "font_family": ", ".join(f'"{family}"' for family in font_families()),
        "large_print": content.large_print,
        "body_size": (LARGE_PRINT_BODY_FONT_SIZE_PT if content.large_print else BODY_FONT_SIZE_PT),
        "address_size": ADDRESS_FONT_SIZE_PT,
        "address_line_height": ADDRESS_LINE_HEIGHT_PT,
        "address_box": ADDRESS_BOX,
        "logo_area": LOGO_AREA,
        "sender_area": SENDER_AREA,
        "body_top": BODY_AREA.top,
    }
    html = render_to_string("recognition/letter/letter.html", context)
    css = render_to_string("recognition/letter/letter.css", css_context)
    return html, css


def _check_layout(document) -> None:
    """Refuse a letter whose layout breaks the zones, whatever its template says."""
    for number, page in enumerate(document.pages, start=1):
        for box, in_address, in_sender in _inked_boxes(page._page_box):
            left = box.position_x * MM_PER_PX
            top = box.position_y * MM_PER_PX
            right = left + box.margin_width() * MM_PER_PX
            bottom = top + box.margin_height() * MM_PER_PX
            if isinstance(box, boxes.TextBox):
                # The glyphs' full ascent and descent, centred on the line as CSS does.
                top += (box.margin_height() - box.height) / 2 * MM_PER_PX
                right = left + box.width * MM_PER_PX
                bottom = top + box.height * MM_PER_PX
            if right <= left or bottom <= top:
                continue
            if not PRINTABLE_AREA.holds(left, top, right, bottom):
                raise LetterProblem("outside_printable_area", page=number)
            if number > 1:
                continue
            if in_address:
                if not ADDRESS_BOX.holds(left, top, right, bottom):
                    raise AddressProblem("does_not_fit")
                continue
            if ADDRESS_BOX.overlaps(left, top, right, bottom):
                raise LetterProblem("in_window")
            if in_sender and not SENDER_AREA.holds(left, top, right, bottom):
                raise LetterProblem("sender_too_long", bottom=bottom)
            if not any(zone.holds(left, top, right, bottom) for zone in FIRST_PAGE_ZONES):
                if top < LOGO_AREA.bottom:
                    raise LetterProblem("logo_too_big")
                raise LetterProblem("outside_printable_area", page=number)


def _inked_boxes(box, in_address=False, in_sender=False):
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None):
        classes = (element.get("class") or "").split()
        in_address = in_address or "recipient-address" in classes
        in_sender = in_sender or "sender" in classes
    inked_text = isinstance(box, boxes.TextBox) and box.text.strip()
    if inked_text or isinstance(box, boxes.ReplacedBox):
        yield box, in_address, in_sender
    for child in getattr(box, "children", ()):
        yield from _inked_boxes(child, in_address, in_sender)


# Tagged, so screen readers follow the reading order; pictures kept to 300 dpi.
PDF_OPTIONS = {"pdf_tags": True, "dpi": 300}


def letter_document(content: LetterContent):
    """The letter laid out by WeasyPrint and checked against the specification, not yet a PDF."""
    for face in FONT_FACES:
        if not face.path.exists():
            raise LetterProblem("fonts_missing", path=face.path)
    html, css = letter_html(content)
    try:
        document = HTML(string=html, url_fetcher=_LocalOnlyFetcher()).render(
            stylesheets=[_stylesheet(css)], font_config=_font_config(), **PDF_OPTIONS
        )
    except FatalURLFetchingError as error:
        # Only a template change can get here: the body and letterhead carry no images.
        raise LetterProblem("blocked_resource", detail=str(error)) from error
    if len(document.pages) > MAX_PAGES:
        raise LetterProblem("too_many_pages", pages=len(document.pages), max=MAX_PAGES)
    _check_layout(document)
    return document


def render_letter(content: LetterContent) -> bytes:
    """The letter as a PDF ready for Notify or a print room, or LetterProblem saying why not."""
    pdf = letter_document(content).write_pdf(**PDF_OPTIONS)
    if len(pdf) > MAX_PDF_BYTES:
        raise LetterProblem("too_large", size=f"{len(pdf) / 1_000_000:.1f}")
    return pdf


def write_letters(documents: list, target) -> None:
    """Several laid-out letters as one PDF for a print room, written to the file `target`.

    Their pages are written together, so each font is embedded once for all of
    them rather than once a letter: a tenth of the size, and faster. Notify's
    2 MB limit is for a letter sent on its own, so it is not checked here; the
    tags for screen readers are left out, as the pages are for a printer.
    """
    pages = [page for document in documents for page in document.pages]
    documents[0].copy(pages).write_pdf(target, dpi=PDF_OPTIONS["dpi"])
