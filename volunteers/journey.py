"""The pages of the volunteer profile: one question each, in the order services ask them.

Unlike the nomination journey, answers are saved to the volunteer's profile as
each page is sent (volunteer_answer_save), so closing the tab, or carrying on
from another device after signing in, loses nothing. Which questions apply and
which are answered come from the profile itself (services.profile.steps_for).
"""

from dataclasses import dataclass

from django.utils.formats import date_format

from volunteers import forms
from volunteers.forms import TRAVEL_LABELS
from volunteers.models import DAYS, PARTS_OF_DAY, Skill, Volunteer, availability_slots
from volunteers.services.profile import profile_missing_steps, steps_for


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.ProfileForm]
    title: str


STEPS = [
    Step("date-of-birth", forms.DateOfBirthForm, "Your date of birth"),
    Step("guardian", forms.GuardianForm, "Your parent or guardian"),
    Step("name", forms.NameForm, "Your name and phone number"),
    Step("postcode", forms.PostcodeForm, "Your postcode"),
    Step("travel", forms.TravelForm, "How far you would travel"),
    Step("skills", forms.SkillsForm, "Your skills and experience"),
    Step("interests", forms.InterestsForm, "What you would like to help with"),
    Step("availability", forms.AvailabilityForm, "When could you volunteer?"),
    Step("heard", forms.HeardFromForm, "How you heard about us"),
    Step("anything-else", forms.AnythingElseForm, "Anything else"),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


class Journey:
    """Where one volunteer (or someone about to become one) is in the questions."""

    def __init__(self, volunteer: Volunteer | None):
        self.volunteer = volunteer

    def steps(self) -> list[Step]:
        return [STEP_BY_SLUG[slug] for slug in steps_for(self.volunteer)]

    def applies(self, step: Step) -> bool:
        return step.slug in steps_for(self.volunteer)

    def first_unanswered(self) -> Step | None:
        missing = profile_missing_steps(self.volunteer)
        return STEP_BY_SLUG[missing[0]] if missing else None

    def is_complete(self) -> bool:
        return self.first_unanswered() is None

    def may_visit(self, step: Step) -> bool:
        """A question opens once every question before it is answered; a finished profile opens them all."""
        missing = set(profile_missing_steps(self.volunteer))
        for earlier in self.steps():
            if earlier.slug == step.slug:
                return True
            if earlier.slug in missing:
                return False
        return False

    def next_step(self, step: Step) -> Step | None:
        steps = self.steps()
        slugs = [s.slug for s in steps]
        index = slugs.index(step.slug)
        return steps[index + 1] if index + 1 < len(steps) else None

    def previous_step(self, step: Step) -> Step | None:
        steps = self.steps()
        slugs = [s.slug for s in steps]
        index = slugs.index(step.slug) if step.slug in slugs else 0
        return steps[index - 1] if index > 0 else None


def _lines(values) -> str:
    return "\n".join(str(value) for value in values)


def availability_lines(mask: int) -> list[str]:
    """Lines like 'Monday: morning, evening', one for each day with a time chosen."""
    slots = set(availability_slots(mask))
    lines = []
    for day, day_label in DAYS:
        parts = [str(label).lower() for part, label in PARTS_OF_DAY if f"{day}_{part}" in slots]
        if parts:
            lines.append(f"{day_label}: {', '.join(parts)}")
    return lines


def summary_rows(volunteer: Volunteer) -> list[dict]:
    """Every answer with its change link, for the check page and the volunteer's own page."""
    rows = []

    def row(key: str, value: str, step: str, hidden: str):
        rows.append({"key": key, "value": value, "step": step, "hidden": hidden})

    born = volunteer.date_of_birth
    row(
        "Date of birth",
        date_format(born, "j F Y") if born else "",
        "date-of-birth",
        "your date of birth",
    )
    if volunteer.needs_guardian:
        row(
            "Parent or guardian",
            _lines(filter(None, [volunteer.guardian_name, volunteer.guardian_email])),
            "guardian",
            "your parent or guardian",
        )
    row("Full name", volunteer.full_name, "name", "your name")
    row("Phone number", volunteer.phone or "Not given", "name", "your phone number")
    row("Postcode", volunteer.postcode, "postcode", "your postcode")
    if volunteer.remote_only:
        travel = TRAVEL_LABELS["remote"]
    else:
        travel = TRAVEL_LABELS.get(
            str(volunteer.travel_km),
            f"Up to {volunteer.travel_km} km" if volunteer.travel_km else "",
        )
    row("How far you would travel", travel, "travel", "how far you would travel")
    skills = list(volunteer.skills.all())
    row(
        "Work or background",
        _lines(s.name for s in skills if s.kind == Skill.Kind.CAREER) or "None chosen",
        "skills",
        "your work or background",
    )
    row(
        "Skills",
        _lines(s.name for s in skills if s.kind == Skill.Kind.SKILL) or "None chosen",
        "skills",
        "your skills",
    )
    row(
        "What you would like to help with",
        _lines(interest.name for interest in volunteer.interests.all()),
        "interests",
        "what you would like to help with",
    )
    row(
        "When you could volunteer",
        _lines(availability_lines(volunteer.availability)),
        "availability",
        "when you could volunteer",
    )
    row(
        "How you heard about us",
        volunteer.get_heard_from_display() if volunteer.heard_from else "",
        "heard",
        "how you heard about us",
    )
    row("Anything else", volunteer.about or "Nothing added", "anything-else", "anything else")
    return rows
