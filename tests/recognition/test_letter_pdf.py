"""The Mayor's letter as a PDF: read back with a real PDF library, measured against Notify's rules.

The figures below are GOV.UK Notify's letter specification, written out here
again on purpose: a wrong constant in recognition/letter_pdf.py must not be
able to move the box and the test together.
"""

import io
import re
import threading
import time
from dataclasses import dataclass

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from PIL import Image, ImageDraw

from recognition import letter_pdf
from recognition.letter_pdf import (
    AddressProblem,
    LetterContent,
    LetterProblem,
    format_address,
    render_letter,
)

MM = 72 / 25.4  # points in a millimetre

A4 = (210.0, 297.0)
ADDRESS_WINDOW = (24.6, 39.5, 24.6 + 95.4, 39.5 + 26.8)  # left, top, right, bottom (mm)
# Notify reads the address from the window and 3 mm around it: keep that clear too.
NOTIFY_READS_ADDRESS_FROM = (24.6 - 3, 39.5 - 3, 24.6 + 95.4 + 3, 39.5 + 26.8 + 3)
PRINTABLE = (15.0, 5.0, 195.0, 292.0)
LOGO_AREA = (15.0, 5.0, 125.0, 30.0)
SENDER_COLUMN = (125.0, 5.0, 195.0, 95.0)
BODY = (15.0, 95.0, 195.0, 292.0)
SLACK = 0.05  # mm: PDF coordinates are rounded to a few decimals

NAMES = [
    "Zoë Brontë",
    "Łukasz Żółć",
    "Ελένη Παπαδοπούλου",
    "Анна Иванова",
    "فاطمة الزهراء",
    "Nguyễn Thị Minh Khai",
]


# --- Making letters --------------------------------------------------------------------


def png_bytes(width, height, colour=(0, 94, 165)):
    picture = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(picture).rectangle([0, 0, height, height - 1], fill=colour)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def signature_bytes():
    picture = Image.new("RGBA", (600, 180), (255, 255, 255, 0))
    ImageDraw.Draw(picture).line(
        [(20, 120), (120, 40), (180, 140), (260, 60), (340, 130), (560, 110)],
        fill=(20, 30, 90, 255),
        width=6,
    )
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


BODY_HTML = (
    "<p>On behalf of everyone in South Riverside, thank you. You were nominated for "
    "<strong>Proud to Support</strong> by a neighbour who wrote:</p>"
    "<p><em>Maureen has run the lunch club at St Hilda's every Tuesday for eleven years.</em></p>"
    "<ul><li>Lunch club</li><li>Street clean-up</li></ul>"
    "<p>With my warmest thanks and best wishes,</p>"
)

SEVEN_LINE_ADDRESS = [
    "Maureen Elizabeth Clarke-Montgomery",
    "c/o The Proud to Support Volunteer Office",
    "Flat 24, Harton Grange Court",
    "114 Ocean Road",
    "Westoe Village",
    "South Shields",
    "NE33 2RL",
]


def letter(**changes) -> LetterContent:
    fields = {
        "title": "Letter of thanks to Maureen Clarke",
        "address_lines": format_address(SEVEN_LINE_ADDRESS),
        "date_text": "27 November 2026",
        "salutation": "Dear Maureen",
        "body_html": BODY_HTML,
        "signatory_name": "Councillor Pat Okafor",
        "signatory_title": "Mayor of South Riverside",
        "council_name": "South Riverside Council",
        "council_address_lines": ["Town Hall", "Westoe Road", "SOUTH SHIELDS", "NE33 2RL"],
        "letterhead_html": "<p>The Mayor's Office</p><p>mayor@example.org<br>0191 427 1717</p>",
        "logo": png_bytes(900, 200),
        "signature": signature_bytes(),
    }
    fields.update(changes)
    return LetterContent(**fields)


def long_body(paragraphs: int) -> str:
    sentence = "Your neighbours wanted the whole borough to know what you have done for them. "
    return "".join(f"<p>{number}. {sentence * 4}</p>" for number in range(1, paragraphs + 1))


# --- Reading PDFs ------------------------------------------------------------------------


@dataclass
class Ink:
    """Something printed: a character, an image or a drawn shape, in mm from the top-left."""

    kind: str
    text: str
    font: str
    size: float
    left: float
    top: float
    right: float
    bottom: float
    baseline: float = 0.0

    def inside(self, zone) -> bool:
        left, top, right, bottom = zone
        return (
            self.left >= left - SLACK
            and self.right <= right + SLACK
            and self.top >= top - SLACK
            and self.bottom <= bottom + SLACK
        )

    def overlaps(self, zone) -> bool:
        left, top, right, bottom = zone
        return (
            self.left < right - SLACK
            and self.right > left + SLACK
            and self.top < bottom - SLACK
            and self.bottom > top + SLACK
        )


@dataclass
class ReadPage:
    width: float
    height: float
    inks: list[Ink]

    @property
    def chars(self) -> list[Ink]:
        return [ink for ink in self.inks if ink.kind == "char"]


@dataclass
class ReadPdf:
    pages: list[ReadPage]
    metadata: dict
    catalog: dict
    fonts: dict  # the font's PDF name → its /Encoding
    text: str


def _font_metrics(page) -> tuple[dict, dict]:
    """Each font's ascent and descent (thousandths of an em) and its encoding, by PDF name."""
    metrics, encodings = {}, {}
    for reference in resolve1(resolve1(page.page_obj.resources).get("Font", {})).values():
        font = resolve1(reference)
        name = font["BaseFont"].name
        encoding = font.get("Encoding")
        encodings[name] = encoding.name if isinstance(encoding, PSLiteral) else "custom CMap"
        descendant = resolve1(resolve1(font["DescendantFonts"])[0])
        descriptor = resolve1(descendant["FontDescriptor"])
        metrics[name] = (descriptor["Ascent"], descriptor["Descent"])
    return metrics, encodings


def read_pdf(pdf: bytes) -> ReadPdf:
    pages, fonts, texts = [], {}, []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            metrics, encodings = _font_metrics(page)
            fonts.update(encodings)
            inks = []
            for char in page.chars:
                ascent, descent = metrics[char["fontname"]]
                # pdfminer's box is one em tall; use the font's full ascent and descent
                # instead, so accents and descenders are counted.
                top = char["bottom"] - char["size"] * (ascent - descent) / 1000
                inks.append(
                    Ink(
                        "char",
                        char["text"],
                        char["fontname"],
                        char["size"],
                        char["x0"] / MM,
                        top / MM,
                        char["x1"] / MM,
                        char["bottom"] / MM,
                        (char["bottom"] + char["size"] * descent / 1000) / MM,
                    )
                )
            for kind, objects in (
                ("image", page.images),
                ("graphic", page.rects + page.lines + page.curves),
            ):
                for obj in objects:
                    inks.append(
                        Ink(
                            kind,
                            "",
                            "",
                            0,
                            obj["x0"] / MM,
                            obj["top"] / MM,
                            obj["x1"] / MM,
                            obj["bottom"] / MM,
                        )
                    )
            pages.append(ReadPage(page.width / MM, page.height / MM, inks))
            texts.append(page.extract_text())
        catalog = {key: resolve1(value) for key, value in document.doc.catalog.items()}
        return ReadPdf(pages, document.metadata, catalog, fonts, "\n".join(texts))


def rows_of(chars: list[Ink]) -> list[list[Ink]]:
    """Characters grouped into lines by baseline (fonts differ in descent), top to bottom.

    Within a line they stay in the PDF's own order, as a screen reader meets them:
    sorting by position would put an accent drawn as a separate mark (Vietnamese
    "ị") after the space that follows it.
    """
    rows: dict[float, list[Ink]] = {}
    for char in chars:
        rows.setdefault(round(char.baseline, 1), []).append(char)
    return [row for _, row in sorted(rows.items())]


def lines_of(chars: list[Ink]) -> list[str]:
    return ["".join(char.text for char in row) for row in rows_of(chars)]


@pytest.fixture(scope="module")
def standard():
    return read_pdf(render_letter(letter()))


@pytest.fixture(scope="module")
def large_print():
    return read_pdf(render_letter(letter(large_print=True)))


@pytest.fixture(params=["standard", "large_print"])
def both_versions(request):
    return request.getfixturevalue(request.param)


# --- Addresses ----------------------------------------------------------------------------


def test_an_address_is_tidied_the_way_royal_mail_asks():
    assert format_address(
        [
            "  Maureen   Clarke ",
            "",
            "Flat 2,",
            "14\tOcean  Road",
            "   ",
            "south shields",
            "ne33 2rl",
        ]
    ) == ["Maureen Clarke", "Flat 2", "14 Ocean Road", "SOUTH SHIELDS", "NE33 2RL"]


def test_a_postcode_typed_on_the_town_line_gets_a_line_of_its_own():
    assert format_address(["Maureen Clarke", "14 Ocean Road", "South Shields, ne332rl"]) == [
        "Maureen Clarke",
        "14 Ocean Road",
        "SOUTH SHIELDS",
        "NE33 2RL",
    ]


def test_a_uk_country_line_after_the_postcode_is_left_off():
    assert format_address(["Maureen Clarke", "South Shields", "NE33 2RL", "United Kingdom"]) == [
        "Maureen Clarke",
        "SOUTH SHIELDS",
        "NE33 2RL",
    ]


@pytest.mark.parametrize(
    "lines",
    [
        SEVEN_LINE_ADDRESS,
        ["Zoë Brontë", "Haworth Parsonage", "Church Street", "Keighley", "bd22 8dr"],
        ["فاطمة الزهراء", "14 Ocean Road", "South Shields", "NE33 2RL"],
    ],
)
def test_formatting_an_address_twice_changes_nothing(lines):
    once = format_address(lines)
    assert format_address(once) == once


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            ["A Person", "1", "2", "3", "4", "5", "6", "South Shields", "NE33 2RL"],
            "The address has 9 lines; a letter can print at most 7",
        ),
        (["Maureen Clarke", "South Shields", "ZZ1"], "The postcode 'ZZ1' is not a UK postcode"),
        (["Maureen Clarke", "14 Ocean Road", "South Shields"], "There is no postcode"),
        (["", "   "], "There is no postcode"),
        (
            ["Maureen Clarke", "South Shields", "NE33 2RL", "Tyne and Wear"],
            "The postcode NE33 2RL must be the last line of the address, but 'Tyne and Wear' comes after it",
        ),
        (
            ["Maureen Clarke", "NE33 2RL"],
            "The address has 2 lines; a letter needs at least 3: the name, the street or town, and the postcode",
        ),
        (
            ["=HYPERLINK(1)", "South Shields", "NE33 2RL"],
            "Line 1 of the address starts with '=', which cannot begin an address line",
        ),
        (
            ["Li 中", "South Shields", "NE33 2RL"],
            "The address uses characters the letter fonts cannot print: 中 (U+4E2D)",
        ),
    ],
)
def test_an_address_that_cannot_be_printed_says_why(lines, reason):
    with pytest.raises(AddressProblem) as problem:
        format_address(lines)
    assert problem.value.reason == reason
    assert isinstance(problem.value, ValueError)


def test_a_line_too_wide_for_the_window_is_refused_with_a_length_to_aim_for():
    with pytest.raises(AddressProblem) as problem:
        format_address(["Maureen Clarke", "W" * 60, "South Shields", "NE33 2RL"])
    assert problem.value.code == "line_too_long"
    assert problem.value.reason.startswith("Line 2 of the address ('WWWW")
    fit = int(re.search(r"shorten it to about (\d+) characters$", problem.value.reason)[1])
    assert 25 <= fit <= 32  # a capital W is nearly a whole em wide: about 29 fit


@pytest.mark.parametrize("letter_shape", ["W", "i", "ش"])
def test_the_widest_line_accepted_still_prints_inside_the_window(letter_shape):
    def address(count):
        return ["Maureen Clarke", letter_shape * count, "South Shields", "NE33 2RL"]

    count = 1
    while True:
        try:
            format_address(address(count + 1))
        except AddressProblem as problem:
            assert problem.code == "line_too_long"
            break
        count += 1

    read = read_pdf(render_letter(letter(address_lines=format_address(address(count)))))
    in_window = [c for c in read.pages[0].chars if c.overlaps(ADDRESS_WINDOW)]
    assert letter_shape * count in [line.replace(" ", "") for line in lines_of(in_window)]
    assert all(char.inside(ADDRESS_WINDOW) for char in in_window)


# --- The page and its zones ------------------------------------------------------------------


def test_every_page_is_a4_portrait(both_versions):
    for page in both_versions.pages:
        assert page.width == pytest.approx(A4[0], abs=0.1)
        assert page.height == pytest.approx(A4[1], abs=0.1)


def test_the_address_prints_inside_the_window_and_nothing_else_does(both_versions):
    first = both_versions.pages[0]
    in_window = [ink for ink in first.inks if ink.overlaps(ADDRESS_WINDOW)]

    assert {ink.kind for ink in in_window} == {"char"}
    assert all(char.inside(ADDRESS_WINDOW) for char in in_window)
    near_window = [
        ink
        for ink in first.inks
        if ink not in in_window and ink.overlaps(NOTIFY_READS_ADDRESS_FROM)
    ]
    assert near_window == []
    assert lines_of(in_window) == format_address(SEVEN_LINE_ADDRESS)
    # Every character of the address is there: nothing was clipped or wrapped out.
    printed = "".join(char.text for char in in_window).replace(" ", "")
    assert len(printed) == sum(
        len(line.replace(" ", "")) for line in format_address(SEVEN_LINE_ADDRESS)
    )


def test_page_one_prints_only_in_the_zones_notify_allows(both_versions):
    first = both_versions.pages[0]
    assert any(ink.kind == "image" for ink in first.inks)  # the logo and signature are checked too
    for ink in first.inks:
        assert ink.inside(PRINTABLE), ink
        if ink.overlaps(ADDRESS_WINDOW):
            continue  # checked above
        assert any(ink.inside(zone) for zone in (LOGO_AREA, SENDER_COLUMN, BODY)), ink


def test_the_letter_reads_as_a_letter_in_order(standard):
    text = " ".join(standard.text.split())
    expected = [
        "South Riverside Council",
        "The Mayor's Office",
        "27 November 2026",
        "Dear Maureen",
        "On behalf of everyone in South Riverside, thank you.",
        "Proud to Support by a neighbour who wrote:",
        "Lunch club",
        "Yours sincerely",
        "Councillor Pat Okafor",
        "Mayor of South Riverside",
    ]
    positions = [text.index(words) for words in expected]
    assert positions[3:] == sorted(positions[3:])


def test_a_letter_for_email_only_has_no_address_and_a_blank_window():
    read = read_pdf(render_letter(letter(address_lines=[])))
    assert not [ink for ink in read.pages[0].inks if ink.overlaps(ADDRESS_WINDOW)]
    assert "Dear Maureen" in read.text


def test_without_a_logo_the_council_name_stands_in_the_logo_area():
    read = read_pdf(render_letter(letter(logo=None, signature=None)))
    first = read.pages[0]
    assert not [ink for ink in first.inks if ink.kind == "image"]
    in_logo_area = [c for c in first.chars if c.inside(LOGO_AREA)]
    assert lines_of(in_logo_area) == ["South Riverside Council"]
    assert {round(c.size) for c in in_logo_area} == {18}


def test_a_council_name_too_long_for_the_logo_area_is_refused():
    with pytest.raises(LetterProblem) as problem:
        render_letter(
            letter(
                logo=None,
                council_name="The Metropolitan Borough Council of South Riverside, "
                "Westoe, Harton and the Villages of the Lower Tyne Valley",
            )
        )
    assert problem.value.code == "logo_too_big"


def test_the_logo_sits_in_the_logo_area_and_the_signature_above_the_name(standard):
    first = standard.pages[0]
    images = sorted((ink for ink in first.inks if ink.kind == "image"), key=lambda ink: ink.top)
    assert len(images) == 2
    logo, signature = images
    assert logo.inside(LOGO_AREA)
    name = next(c for c in first.chars if c.text == "C" and "Bold" in c.font and c.top > 95)
    assert signature.inside(BODY)
    assert signature.bottom <= name.top + SLACK


def test_a_long_letter_keeps_to_the_printable_area_and_numbers_its_pages():
    read = read_pdf(render_letter(letter(body_html=long_body(24))))
    assert len(read.pages) >= 3
    total = len(read.pages)
    for number, page in enumerate(read.pages, start=1):
        assert all(ink.inside(PRINTABLE) for ink in page.inks)
        footer = [line for line in lines_of(page.chars) if line.startswith("Page ")]
        assert footer == ([] if number == 1 else [f"Page {number} of {total}"])
    # The sign-off is not split from the Mayor's name.
    last = lines_of(read.pages[-1].chars)
    assert "Councillor Pat Okafor" in last
    assert "Yours sincerely" in last


def test_a_letter_over_ten_pages_is_refused():
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter(body_html=long_body(90)))
    assert problem.value.code == "too_many_pages"
    assert "a posted letter can have at most 10 pages" in problem.value.reason


def test_a_pdf_over_the_size_limit_is_refused(monkeypatch):
    # Pictures are kept to 300 dpi, so a real letter cannot reach 2 MB; lower the
    # limit below this letter's size to see the check at work.
    size = len(render_letter(letter()))
    assert letter_pdf.MAX_PDF_BYTES == 2_000_000
    monkeypatch.setattr(letter_pdf, "MAX_PDF_BYTES", size - 1)
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter())
    assert problem.value.code == "too_large"
    assert "a posted letter can be at most 2 MB" in problem.value.reason


def test_a_huge_logo_is_scaled_down_to_keep_the_pdf_small():
    pdf = render_letter(letter(logo=png_bytes(6000, 1400)))
    assert len(pdf) < 200_000


def test_a_letterhead_too_long_for_the_column_beside_the_window_is_refused():
    letterhead = "".join(f"<p>Office line {n}</p>" for n in range(30))
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter(letterhead_html=letterhead))
    assert problem.value.code == "sender_too_long"
    assert "must end by 95 mm" in problem.value.reason


def test_pictures_other_than_png_or_jpeg_are_refused():
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter(signature=b"GIF89a not allowed"))
    assert problem.value.reason.startswith("The signature image is not a PNG or JPEG image")


def test_the_body_is_sanitised_again_so_nothing_is_fetched_or_run():
    body = (
        '<p>Thank you.</p><img src="file:///etc/passwd" alt="x">'
        '<script>document.write("bad")</script><p style="color:red">Kind regards</p>'
    )
    read = read_pdf(render_letter(letter(body_html=body)))
    assert len([ink for ink in read.pages[0].inks if ink.kind == "image"]) == 2
    assert "bad" not in read.text
    assert "Kind regards" in read.text


# --- Fonts and names ------------------------------------------------------------------------------


def shipped_font(pdf_font_name: str) -> bool:
    name = pdf_font_name.split("+", 1)[1]  # after the subset tag
    families = [family.replace(" ", "-") for family in letter_pdf.font_families()]
    return any(
        name == family or name.removeprefix(family) in {"-Bold", "-Italic", "-Bold-Italic"}
        for family in families
    )


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_of_our_scripts_print_in_the_shipped_fonts_and_read_back(name):
    address = format_address([name, "14 Ocean Road", "South Shields", "NE33 2RL"])
    read = read_pdf(render_letter(letter(address_lines=address, salutation=f"Dear {name}")))
    first = read.pages[0]

    # Only our fonts, and none of them had to draw a .notdef box (WeasyPrint
    # switches a font from Identity-H to a custom CMap when a glyph is missing).
    assert all(shipped_font(font) for font in read.fonts), read.fonts
    assert set(read.fonts.values()) == {"Identity-H"}, read.fonts
    assert all(shipped_font(char.font) for char in first.chars)

    window = [c for c in first.chars if c.inside(ADDRESS_WINDOW)]
    name_line = rows_of(window)[0]
    printed = "".join(c.text for c in name_line)
    body_lines = lines_of([c for c in first.chars if c.top > 95])
    if letter_pdf.text_direction(name) == "rtl":
        # A PDF holds a right-to-left run in the order it is drawn, left to right,
        # so the name reads back reversed: that is the proof it runs right to left.
        assert printed[::-1] == name
        assert {c.font.split("+")[1] for c in name_line} == {"Letter-ibm-plex-sans-arabic-arabic"}
        assert f"Dear {name[::-1]}" in body_lines
    else:
        assert printed == name
        assert f"Dear {name}" in body_lines


def test_a_character_the_fonts_lack_is_refused_not_printed_in_a_system_font():
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter(body_html="<p>Thank you 🙂 and 谢谢</p>"))
    assert problem.value.code == "unprintable"
    assert "🙂 (U+1F642), 谢 (U+8C22)" in problem.value.reason


def test_combining_accents_are_joined_before_printing():
    decomposed = "Zoe\u0308 Bronte\u0308"
    read = read_pdf(
        render_letter(letter(address_lines=[decomposed, "Church Street", "KEIGHLEY", "BD22 8DR"]))
    )
    assert lines_of([c for c in read.pages[0].chars if c.inside(ADDRESS_WINDOW)])[0] == "Zoë Brontë"
    assert set(read.fonts.values()) == {"Identity-H"}


def test_missing_font_files_give_a_reason_staff_can_act_on(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    with pytest.raises(LetterProblem) as problem:
        render_letter(letter())
    assert problem.value.code == "fonts_missing"
    assert "npm ci" in problem.value.reason


# --- Screen readers and large print --------------------------------------------------------------


def test_the_pdf_has_a_title_and_language_for_screen_readers(standard):
    assert standard.metadata["Title"] == "Letter of thanks to Maureen Clarke"
    assert standard.catalog["Lang"] == b"en-GB"
    assert standard.catalog["MarkInfo"]["Marked"] is True  # tagged, so it is read in order
    assert standard.catalog["ViewerPreferences"]["DisplayDocTitle"] is True


def test_a_letter_in_welsh_says_so():
    read = read_pdf(render_letter(letter(language="cy", title="Llythyr diolch i Maureen Clarke")))
    assert read.catalog["Lang"] == b"cy"
    assert read.metadata["Title"] == "Llythyr diolch i Maureen Clarke"


def body_sizes(read: ReadPdf) -> set[float]:
    return {
        round(char.size, 1)
        for char in read.pages[0].chars
        if char.top > 95 and char.text.strip() and not char.inside(ADDRESS_WINDOW)
    }


def test_large_print_sets_the_body_at_16pt_or_more(large_print, standard):
    assert min(body_sizes(large_print)) >= 16
    assert body_sizes(standard) == {12.0}
    # The address stays the same size in both, so it still fits the window.
    for read in (large_print, standard):
        assert {round(c.size, 1) for c in read.pages[0].chars if c.inside(ADDRESS_WINDOW)} == {10.0}


def test_large_print_emphasises_with_bold_not_italics(large_print, standard):
    def fonts_of(read, line_start):
        row = next(
            row
            for row in rows_of(read.pages[0].chars)
            if "".join(c.text for c in row).startswith(line_start)
        )
        return {char.font.split("+")[1] for char in row if char.text.strip()}

    assert fonts_of(standard, "Maureen has run") == {"Letter-noto-sans-latin-Italic"}
    assert fonts_of(large_print, "Maureen has run") == {"Letter-noto-sans-latin-Bold"}


# --- Determinism and speed ------------------------------------------------------------------------------------------


def test_the_same_letter_gives_the_same_bytes_every_time():
    # Each thread decodes the fonts afresh; a second apart, any timestamp would show.
    results = []

    def render():
        results.append(render_letter(letter()))

    for _ in range(2):
        thread = threading.Thread(target=render)
        thread.start()
        thread.join()
        time.sleep(1.1)
    assert results[0] == results[1]


def test_a_letter_renders_well_under_a_second(standard):
    content = letter()
    started = time.perf_counter()
    render_letter(content)
    assert time.perf_counter() - started < 1.0
