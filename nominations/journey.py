"""The steps of the public nomination journey and the answers kept between them.

Answers live in the session until the nomination is sent, so a person can go
back, change an answer from the check page, or close the tab and return. A
step asked for before the steps it depends on sends the person back to the
first question they have not answered.
"""

from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage

from council.selectors import areas_by_pk
from nominations import forms
from nominations.models import Category, ContactMethod, NomineeKind

SESSION_KEY = "nomination_journey"


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.JourneyForm]
    title: str

    def applies(self, answers: dict) -> bool:
        methods = answers.get("contact_methods") or []
        match self.slug:
            case "guardian":
                return answers.get("nominee_kind") == NomineeKind.YOUNG_PERSON
            case "email":
                return ContactMethod.EMAIL in methods
            case "address":
                return ContactMethod.POST in methods
            case "employer":
                return ContactMethod.EMPLOYER in methods
        return True


STEPS = [
    Step("who", forms.NomineeKindForm, "Who are you nominating?"),
    Step("category", forms.CategoryForm, "Category"),
    Step("name", forms.NomineeNameForm, "Their name"),
    Step("guardian", forms.GuardianForm, "Their parent or guardian"),
    Step("contact", forms.ContactMethodsForm, "How can we contact them?"),
    Step("email", forms.NomineeEmailForm, "Their email address"),
    Step("address", forms.AddressForm, "Their address"),
    Step("employer", forms.EmployerForm, "Where they work or volunteer"),
    Step("ward", forms.AreaForm, "Their ward"),
    Step("why", forms.ReasonForm, "Why you are nominating them"),
    Step("photo", forms.PhotoForm, "A photo"),
    Step("about-you", forms.AboutYouForm, "About you"),
    Step("declaration", forms.DeclarationForm, "Before you send your nomination"),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


class Journey:
    """The answers one visitor has given so far, kept in their session."""

    def __init__(self, session, campaign):
        self.session = session
        self.campaign = campaign
        stored = session.get(SESSION_KEY) or {}
        if stored.get("campaign") != campaign.pk:
            stored = {"campaign": campaign.pk, "steps": {}}
        self.data = stored

    @property
    def steps_answered(self) -> dict[str, dict]:
        return self.data["steps"]

    def answers(self) -> dict[str, Any]:
        """Every answer to a step that still applies, flattened."""
        merged: dict[str, Any] = {}
        for step in STEPS:
            if step.slug in self.steps_answered and step.applies(merged):
                merged.update(self.steps_answered[step.slug])
        return merged

    def applicable_steps(self) -> list[Step]:
        answers = self.answers()
        return [step for step in STEPS if step.applies(answers)]

    def first_unanswered(self) -> Step | None:
        return next(
            (step for step in self.applicable_steps() if step.slug not in self.steps_answered), None
        )

    def may_visit(self, step: Step) -> bool:
        """A step is open once every applicable step before it has an answer."""
        for earlier in self.applicable_steps():
            if earlier.slug == step.slug:
                return True
            if earlier.slug not in self.steps_answered:
                return False
        return False

    def next_step(self, step: Step) -> Step | None:
        steps = self.applicable_steps()
        slugs = [s.slug for s in steps]
        index = slugs.index(step.slug)
        return steps[index + 1] if index + 1 < len(steps) else None

    def previous_step(self, step: Step) -> Step | None:
        steps = self.applicable_steps()
        slugs = [s.slug for s in steps]
        index = slugs.index(step.slug) if step.slug in slugs else 0
        return steps[index - 1] if index > 0 else None

    def save_step(self, step: Step, values: dict) -> None:
        self.steps_answered[step.slug] = values
        self._save()

    def set_photo(self, name: str | None) -> None:
        old = self.data.get("photo_file")
        if old and old != name:
            default_storage.delete(old)
        self.data["photo_file"] = name
        self._save()

    @property
    def photo_file(self) -> str | None:
        return self.data.get("photo_file")

    def is_complete(self) -> bool:
        return self.first_unanswered() is None

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    def _save(self) -> None:
        self.session[SESSION_KEY] = self.data
        self.session.modified = True

    def for_service(self) -> dict[str, Any]:
        """The answers with their database objects, as nomination_submit takes them."""
        answers = self.answers()
        # The campaign comes from campaign_current with its categories, and the
        # wards are cached, so a submission asks the database for neither.
        categories = {category.pk: category for category in self.campaign.categories.all()}
        try:
            answers["category"] = categories[int(answers["category"])]
        except (KeyError, TypeError, ValueError):
            raise Category.DoesNotExist from None
        area = answers.get("area")
        answers["area"] = areas_by_pk().get(int(area)) if area and area != "unknown" else None
        return answers


def summary_rows(journey: Journey) -> list[dict]:
    """The check-your-answers rows, each with its change link."""
    answers = journey.answers()
    rows = []

    def row(key: str, value: str, step: str, hidden: str):
        rows.append(
            {"key": key, "value": value, "step": step, "hidden": hidden, "action": "Change"}
        )

    kind = answers.get("nominee_kind")
    row(
        "Who you are nominating",
        NomineeKind(kind).label if kind else "",
        "who",
        "who you are nominating",
    )
    category = Category.objects.filter(pk=answers.get("category")).first()
    row("Category", category.name if category else "", "category", "the category")
    row("Their name", answers.get("nominee_name", ""), "name", "their name")
    if "guardian_name" in answers:
        row(
            "Parent or guardian",
            "\n".join(filter(None, [answers.get("guardian_name"), answers.get("guardian_email")])),
            "guardian",
            "the parent or guardian",
        )
    row(
        "How to contact them",
        "\n".join(
            str(ContactMethod(method).label) for method in answers.get("contact_methods", [])
        ),
        "contact",
        "how to contact them",
    )
    if "nominee_email" in answers:
        row("Their email address", answers["nominee_email"], "email", "their email address")
    if "address_line_1" in answers:
        row(
            "Their address",
            "\n".join(
                filter(
                    None,
                    [
                        answers.get("address_line_1"),
                        answers.get("address_line_2"),
                        answers.get("town"),
                        answers.get("postcode"),
                    ],
                )
            ),
            "address",
            "their address",
        )
    if "employer" in answers:
        row(
            "Where they work or volunteer",
            answers["employer"],
            "employer",
            "where they work or volunteer",
        )
    area = answers.get("area")
    row(
        "Ward",
        "I do not know" if area == "unknown" else getattr(areas_by_pk().get(int(area)), "name", ""),
        "ward",
        "the ward",
    )
    row(
        "Why you are nominating them",
        answers.get("reason", ""),
        "why",
        "why you are nominating them",
    )
    row(
        "Photo",
        f"Photo added: {answers.get('photo_alt', '')}" if journey.photo_file else "No photo",
        "photo",
        "the photo",
    )
    row("Your name", answers.get("nominator_name", ""), "about-you", "your name")
    row("Your email address", answers.get("nominator_email", ""), "about-you", "your email address")
    row(
        "How you know them",
        answers.get("nominator_relationship", ""),
        "about-you",
        "how you know them",
    )
    organisation = answers.get("nominator_organisation", "")
    rows.append(
        {
            "key": "On behalf of",
            # Optional: when it was left blank the row offers to add it rather than change it.
            "value": organisation or "No organisation",
            "step": "about-you",
            "hidden": "the organisation you are nominating on behalf of",
            "action": "Change" if organisation else "Add",
        }
    )
    return rows
