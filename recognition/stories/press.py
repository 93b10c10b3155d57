"""The press pack for a story: one zip file a journalist can use as it is.

It holds the story as plain text and as HTML, the image with a note of its
description (alt text) and credit, and the council's press contact. It is only
made while everyone in the story has agreed to the press
(recognition.stories.selectors.story_press_pack decides).
"""

import io
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import PurePosixPath

from django.template.loader import render_to_string

from council.selectors import council_settings

_BLOCKS = {"p", "h2", "h3", "ul", "ol", "blockquote"}


class _PlainText(HTMLParser):
    """Sanitised story HTML as plain paragraphs: headings and list items on lines of their own,
    links followed by their address."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        self.parts.append(data)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()


def plain_text(html: str) -> str:
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return unescape(parser.text())


def press_pack_zip(pack: dict) -> bytes:
    """The zip file's bytes for a pack from selectors.story_press_pack."""
    story = pack["story"]
    council = council_settings()
    image = pack["image"]
    image_file = f"{story.slug}{PurePosixPath(image.name).suffix.lower()}" if image else ""
    context = {
        **pack,
        "council": council,
        "body_text": plain_text(str(pack["body"])),
        "image_file": image_file,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("story.txt", render_to_string("stories/press/story.txt", context))
        archive.writestr("story.html", render_to_string("stories/press/story.html", context))
        archive.writestr("contact.txt", render_to_string("stories/press/contact.txt", context))
        if image:
            archive.writestr("image.txt", render_to_string("stories/press/image.txt", context))
            with story.hero_image.open("rb") as picture:
                # Already compressed: stored as it is.
                archive.writestr(image_file, picture.read(), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()
