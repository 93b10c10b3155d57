"""Merge fields in the Mayor's letter: what they are, how they are checked, how they are filled.

A template names a field in braces, as in "Dear {first_name}". Every field is
checked when the template is saved, so a misspelt one is refused then, with a
suggestion, never discovered at sending time.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape

FIELDS = {
    "display_name": "The nominee's name as the letter addresses them",
    "first_name": "The nominee's first name (or the business or group's name)",
    "category": "The category they were nominated in",
    "campaign": "The campaign, such as Proud to Support 2026",
    "nomination_words": "What the nominator wrote, word for word",
    "ward": "The ward they live or work in",
    "mayor_name": "The Mayor for the current civic year",
    "mayor_title": "The Mayor's title, such as Mayor of South Tyneside",
    "council_name": "The council's name",
}

_TOKEN = re.compile(r"\{([^{}]*)\}")


@dataclass
class MergeProblem:
    message: str


def check(text: str) -> list[str]:
    """Every problem with the merge fields in `text`, in words the Mayor's office can act on."""
    problems = []
    for name in _TOKEN.findall(text):
        field = name.strip()
        if field in FIELDS:
            continue
        close = difflib.get_close_matches(field, FIELDS, n=1, cutoff=0.6)
        hint = (
            f" Did you mean {{{close[0]}}}?"
            if close
            else f" The fields are: {', '.join('{' + f + '}' for f in FIELDS)}."
        )
        problems.append(f"{{{field}}} is not a merge field.{hint}")
    stripped = _TOKEN.sub("", text)
    if "{" in stripped or "}" in stripped:
        problems.append("A brace { or } is not closed. Merge fields look like {first_name}.")
    return problems


def fill(html: str, values: dict[str, str]) -> str:
    """Put the values (escaped, with line breaks kept) into already-checked HTML."""

    def value(match: re.Match) -> str:
        text = escape(values.get(match.group(1).strip(), ""))
        return text.replace("\n", "<br>")

    return _TOKEN.sub(value, html)
