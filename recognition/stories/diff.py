"""A readable comparison of two revisions of a story, word by word.

Added words are wrapped in <ins> and removed words in <del>, each starting with
visually hidden text ("added:", "removed:") because screen readers do not
announce the elements themselves. Everything else is escaped: the text compared
is what staff typed, not HTML.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Words, punctuation and the spaces between them, so the result reads like the original.
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class FieldChange:
    label: str
    changed: bool
    html: SafeString


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


def _mark(tag: str, words: list[str]) -> str:
    text = "".join(words)
    if not text.strip():
        return escape(text)
    hidden = "added" if tag == "ins" else "removed"
    return format_html(
        '<{tag} class="app-diff__{tag}"><span class="govuk-visually-hidden">[{hidden}: </span>{text}<span class="govuk-visually-hidden">]</span></{tag}>',
        tag=tag,
        hidden=hidden,
        text=text,
    )


def word_diff(before: str, after: str) -> SafeString:
    """The later text, with what was added and removed marked up."""
    old, new = _tokens(before), _tokens(after)
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(_mark("del", old[a1:a2]))
        if op in ("insert", "replace"):
            parts.append(_mark("ins", new[b1:b2]))
    # Line breaks as typed; every piece above is escaped.
    return mark_safe("".join(parts).replace("\n", "<br>\n"))  # noqa: S308


def compare(earlier, later) -> list[FieldChange]:
    """Title, summary, story text, picture description and tags of two revisions, side by side."""
    fields = [
        ("Title", "title"),
        ("Summary", "summary"),
        ("The story", "body_source"),
        ("Picture description", "hero_image_alt"),
        ("Picture credit", "image_credit"),
        ("Tags", "tags"),
    ]
    changes = [
        FieldChange(
            label=label,
            changed=getattr(earlier, name) != getattr(later, name),
            html=word_diff(getattr(earlier, name), getattr(later, name)),
        )
        for label, name in fields
    ]
    picture_changed = earlier.hero_image != later.hero_image
    changes.append(
        FieldChange(
            label="Picture",
            changed=picture_changed,
            html=mark_safe(  # noqa: S308  (fixed words only)
                ("A different picture" if later.hero_image else "The picture was removed")
                if picture_changed
                else ("The same picture" if later.hero_image else "No picture")
            ),
        )
    )
    return changes
