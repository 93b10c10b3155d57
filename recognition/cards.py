"""The "I was nominated" card a nominee can share, drawn with Pillow in the council's colours."""

import io
from functools import cache

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from recognition.letter_pdf import fonts_dir

WIDTH, HEIGHT = 1200, 630  # the size Open Graph previews use


@cache
def _font_bytes(weight: int) -> bytes:
    """Noto Sans (shipped for the letters) as TrueType, which Pillow reads."""
    font = TTFont(fonts_dir() / "noto-sans" / "files" / f"noto-sans-latin-{weight}-normal.woff")
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _font(weight: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_font_bytes(weight)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def card_line(*, campaign: str, category: str) -> str:
    """The words under "I was nominated" on the card."""
    return f"for {campaign}" + (f": {category}" if category else "")


def card_alt(facts, council_name: str) -> str:
    """The card's words for people who cannot see it: all it says, in its order."""
    category = " and ".join(facts.categories)
    return (
        f"A card saying: I was nominated {card_line(campaign=facts.campaign, category=category)}."
        f" {council_name}."
    )


def card_png(
    *, campaign: str, category: str, council_name: str, brand_colour: str, accent_colour: str
) -> bytes:
    """A 1200 × 630 card: "I was nominated" for the campaign, in the council's colours."""
    image = Image.new("RGB", (WIDTH, HEIGHT), brand_colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, HEIGHT - 24, WIDTH, HEIGHT], fill=accent_colour)
    big, middle, small = _font(700, 88), _font(700, 44), _font(400, 34)
    y = 110
    draw.text((80, y), "I was nominated", font=big, fill="white")
    y += 130
    for line in _wrap(draw, card_line(campaign=campaign, category=category), middle, WIDTH - 160)[
        :3
    ]:
        draw.text((80, y), line, font=middle, fill="white")
        y += 60
    draw.text((80, HEIGHT - 110), council_name, font=small, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
