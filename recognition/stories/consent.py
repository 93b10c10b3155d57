"""What a story may show of the people it was written from: checked when it is
published and again on every page view, feed and press pack.

Consent itself is read only through nominations.selectors.nominee_consent, which
already knows that an under-18 needs a parent or guardian as well and that a
withdrawal takes everything back.
"""

import re
from dataclasses import dataclass

import nh3

from nominations.models import Nomination
from nominations.selectors import Consent, nominee_consent


@dataclass(frozen=True)
class Person:
    """One nominee a story was written from, and what they agreed to."""

    nominee_id: int
    name: str
    consent: Consent
    # How they may be named, or None when they asked not to be named.
    shown_as: str | None
    # Whether every nomination of theirs the story was written from is approved.
    approved: bool = True

    @property
    def label(self) -> str:
        """How staff see them in messages: the real name, since staff may see it."""
        return self.name


def people_in(story) -> list[Person]:
    """The nominees behind the story's nominations, once each, in the order written."""
    nominees = {}
    approved: dict[int, bool] = {}
    for nomination in story.nominations.select_related("nominee").order_by("created_at", "pk"):
        nominee = nomination.nominee
        nominees.setdefault(nominee.pk, nominee)
        approved[nominee.pk] = approved.get(nominee.pk, True) and (
            nomination.status == Nomination.Status.APPROVED
        )
    people = []
    for nominee in nominees.values():
        consent = nominee_consent(nominee)
        people.append(
            Person(
                nominee_id=nominee.pk,
                name=nominee.name,
                consent=consent,
                shown_as=consent.display_name(nominee),
                approved=approved[nominee.pk],
            )
        )
    return people


def _words(story) -> str:
    """The public words of the story as plain text, for finding names in them."""
    body = nh3.clean(story.body or "", tags=set())
    return " ".join([story.title or "", story.summary or "", body])


def _mentions(text: str, word: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE))


def _name_problem(person: Person, text: str) -> str | None:
    parts = [part for part in person.name.split() if len(part) > 1]
    if not parts or person.shown_as == person.name:
        return None
    if person.shown_as is None:
        named = [part for part in parts if _mentions(text, part)]
        if named:
            return (
                f"{person.label} asked not to be named, but the story says "
                f"\u201c{named[0]}\u201d. Take their name out of the title, summary and story."
            )
        return None
    # First name and initial: the first name may appear, the rest may not.
    named = [part for part in parts[1:] if _mentions(text, part)]
    if named:
        return (
            f"{person.label} asked to be shown as \u201c{person.shown_as}\u201d, but the story "
            f"says \u201c{named[0]}\u201d. Use \u201c{person.shown_as}\u201d instead."
        )
    return None


def publication_problems(story, *, people: list[Person] | None = None) -> list[str]:
    """Every reason the story may not be public now, in words for comms staff. Empty means it may."""
    people = people_in(story) if people is None else people
    if not people:
        return ["Link the story to the nomination it was written from."]
    problems = []
    text = _words(story)
    for person in people:
        if not person.approved:
            problems.append(
                f"The nomination of {person.label} the story was written from is no longer approved."
            )
            continue
        if person.consent.withdrawn:
            problems.append(f"{person.label} has withdrawn their consent.")
            continue
        if person.consent.waiting_for_guardian:
            problems.append(
                f"{person.label} is under 18 and a parent or guardian has not agreed yet."
            )
            continue
        if not person.consent.answered:
            problems.append(f"{person.label} has not answered the consent request yet.")
            continue
        if not person.consent.website_story:
            problems.append(f"{person.label} has not agreed to a story on the website.")
            continue
        name_problem = _name_problem(person, text)
        if name_problem:
            problems.append(name_problem)
    if story.hero_image:
        if not story.hero_image_alt.strip():
            problems.append("Describe the image for people who cannot see it (alt text).")
        if story.image_shows_nominee:
            refused = [
                p.label for p in people if p.consent.answered and not p.consent.photo_allowed
            ]
            if refused:
                problems.append(
                    f"{', '.join(refused)} did not agree to a photo being used. "
                    "Remove the image, or say it does not show them."
                )
    return problems


def may_show(story) -> bool:
    """Whether the story's words and image may be shown to the public right now."""
    return not publication_problems(story)


def press_problems(story, *, people: list[Person] | None = None) -> list[str]:
    """Reasons the story may not go into a press pack: it must be public and everyone agreed to the press."""
    people = people_in(story) if people is None else people
    problems = publication_problems(story, people=people)
    for person in people:
        if person.consent.answered and not person.consent.press:
            problems.append(f"{person.label} has not agreed to be in the press.")
    return problems
