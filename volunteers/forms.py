"""The volunteer profile questions, one page each, and the source code form, in GOV.UK's words."""

import re
from datetime import date

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone

from council.models import SourceCode
from council.postcodes import UK_POSTCODE
from volunteers.models import DAYS, PARTS_OF_DAY, Interest, Skill, Volunteer, availability_mask

ABOUT_MAX = 1000
NO_SENSITIVE = (
    "Do not tell us about your health or about any criminal record: organisations ask "
    "for what they need to know themselves."
)
# Radios for "how far would you travel?": kilometres, with miles alongside for people who think in them.
TRAVEL_CHOICES = [
    ("1", "Up to 1 km (about half a mile)"),
    ("3", "Up to 3 km (about 2 miles)"),
    ("5", "Up to 5 km (about 3 miles)"),
    ("10", "Up to 10 km (about 6 miles)"),
    ("20", "Up to 20 km (about 12 miles)"),
    ("remote", "I only want to volunteer from home"),
]
TRAVEL_LABELS = {
    "1": "Up to 1 km",
    "3": "Up to 3 km",
    "5": "Up to 5 km",
    "10": "Up to 10 km",
    "20": "Up to 20 km",
    "remote": "From home only",
}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")


def _heading(field: forms.Field) -> forms.Field:
    """The question is the page's heading (GOV.UK: one thing per page)."""
    field.govuk_page_heading = True
    return field


def uk_postcode(value: str) -> str:
    """A postcode as Royal Mail writes it (upper case, one space), or a GOV.UK message."""
    compact = "".join(value.upper().split())
    if not UK_POSTCODE.match(compact):
        raise forms.ValidationError("Enter a full UK postcode, like NE33 2RL")
    return f"{compact[:-3]} {compact[-3:]}"


# --- A GOV.UK date input: day, month and year, one message for the whole date -------------------


class DateInputWidget(forms.MultiWidget):
    """Three boxes named <field>_day, <field>_month and <field>_year."""

    def __init__(self, attrs=None):
        widgets = {key: forms.TextInput() for key in ("day", "month", "year")}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateBoundField(BoundField):
    @property
    def parts(self) -> list[dict]:
        """Each box with its label, what was typed and whether it is the one at fault."""
        value = self.value()
        if isinstance(value, date):
            value = [value.day, value.month, value.year]
        if not isinstance(value, list | tuple):
            value = ["", "", ""]
        wrong = self.field.wrong_parts if self.errors else set()
        parts = []
        for key, label, width, typed in zip(
            ("day", "month", "year"),
            ("Day", "Month", "Year"),
            (2, 2, 4),
            value,
            strict=True,
        ):
            parts.append(
                {
                    "name": f"{self.html_name}_{key}",
                    # The day box takes the field's own id, so the error summary's link lands there.
                    "id": self.auto_id if key == "day" else f"{self.auto_id}_{key}",
                    "label": label,
                    "value": "" if typed is None else typed,
                    "width": width,
                    "error": key in wrong,
                }
            )
        return parts


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, checked with GOV.UK's messages for each mistake."""

    widget = DateInputWidget

    def __init__(
        self, *, name: str, earliest: date | None = None, autocomplete_prefix: str = "", **kwargs
    ):
        # `name` is how messages name the date: "Date of birth must be a real date".
        self.name = name
        self.earliest = earliest
        # "bday" lets browsers fill in a date of birth: bday-day, bday-month, bday-year.
        self.autocomplete_prefix = autocomplete_prefix
        self.wrong_parts: set[str] = set()
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        kwargs.setdefault("error_messages", {"required": f"Enter your {name.lower()}"})
        kwargs.setdefault("template_name", "volunteers/fields/date.html")
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def get_bound_field(self, form, field_name):
        return DateBoundField(form, self, field_name)

    def clean(self, value):
        self.wrong_parts = {"day", "month", "year"}
        return super().clean(value)

    def compress(self, data_list):
        if not data_list:
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        missing = [
            key
            for key, typed in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not typed
        ]
        if missing:
            self.wrong_parts = set(missing)
            raise forms.ValidationError(f"{self.name} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{self.name} must be a real date")
        if len(year) != 4:
            self.wrong_parts = {"year"}
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{self.name} must be a real date") from None
        if value >= timezone.localdate():
            raise forms.ValidationError(f"{self.name} must be in the past")
        if self.earliest and value < self.earliest:
            raise forms.ValidationError(
                f"{self.name} must be the same as or after {self.earliest:%-d %B %Y}"
            )
        self.wrong_parts = set()
        return value


# --- The profile questions -------------------------------------------------------------------


class ProfileForm(forms.Form):
    """A profile question page. `volunteer` is the profile so far (None before the first answer)."""

    def __init__(self, *args, volunteer: Volunteer | None = None, user=None, **kwargs):
        self.volunteer = volunteer
        self.user = user
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, volunteer: Volunteer | None) -> dict:
        """What the page shows before anything is typed: the answer already saved."""
        if volunteer is None:
            return {}
        return {name: getattr(volunteer, name) for name in cls.base_fields}

    def stored(self) -> dict:
        """The answer as volunteer_answer_save takes it."""
        return dict(self.cleaned_data)

    @property
    def heading_in_field(self) -> bool:
        return any(getattr(field, "govuk_page_heading", False) for field in self.fields.values())


class DateOfBirthForm(ProfileForm):
    date_of_birth = _heading(
        GovukDateField(
            name="Date of birth",
            earliest=date(1900, 1, 1),
            autocomplete_prefix="bday",
            label="What is your date of birth?",
            help_text="For example, 27 3 1980. Some roles have a minimum age.",
        )
    )


class NameForm(ProfileForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter your full name",
            "max_length": "Your name must be 150 characters or fewer",
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        help_text="The coordinator and the organisation may call you to arrange volunteering.",
        error_messages={"max_length": "Your phone number must be 30 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs.update(
            {"autocomplete": "name", "spellcheck": "false"}
        )
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(
            {"autocomplete": "tel", "class": "govuk-input--width-20"}
        )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = re.sub(r"\D", "", phone)
        if phone and (not _PHONE.match(phone) or not 10 <= len(digits) <= 15):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return phone


class GuardianForm(ProfileForm):
    guardian_name = forms.CharField(
        label="Your parent or guardian's full name",
        max_length=150,
        error_messages={
            "required": "Enter your parent or guardian's full name",
            "max_length": "Their name must be 150 characters or fewer",
        },
    )
    guardian_email = forms.EmailField(
        label="Your parent or guardian's email address",
        max_length=254,
        help_text="We will email them a link to say whether they agree. It works for 14 days.",
        error_messages={
            "required": "Enter your parent or guardian's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian_name"].widget.attrs["spellcheck"] = "false"

    def clean_guardian_email(self):
        email = self.cleaned_data["guardian_email"].strip().lower()
        if self.user is not None and email == (self.user.email or "").lower():
            raise forms.ValidationError(
                "Enter your parent or guardian's own email address, not yours"
            )
        return email


class PostcodeForm(ProfileForm):
    postcode = _heading(
        forms.CharField(
            label="What is your postcode?",
            max_length=10,
            help_text="We use it to find roles near you. We never show it to anyone else.",
            error_messages={
                "required": "Enter your postcode",
                "max_length": "Enter a full UK postcode, like NE33 2RL",
            },
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        )

    def clean_postcode(self):
        return uk_postcode(self.cleaned_data["postcode"])


class TravelForm(ProfileForm):
    travel = _heading(
        forms.ChoiceField(
            label="How far would you travel to volunteer?",
            help_text="Distances are in kilometres, in a straight line from your postcode.",
            choices=TRAVEL_CHOICES,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select how far you would travel, or that you only want to volunteer from home",
                "invalid_choice": "Select how far you would travel, or that you only want to volunteer from home",
            },
        )
    )

    @classmethod
    def initial_for(cls, volunteer):
        if volunteer is None:
            return {}
        if volunteer.remote_only:
            return {"travel": "remote"}
        return {"travel": str(volunteer.travel_km)} if volunteer.travel_km else {}

    def stored(self) -> dict:
        travel = self.cleaned_data["travel"]
        if travel == "remote":
            return {"travel_km": None, "remote_only": True}
        return {"travel_km": int(travel), "remote_only": False}


def _skill_choices(kind: str) -> list[tuple[str, str]]:
    return [(str(skill.pk), skill.name) for skill in Skill.objects.filter(kind=kind)]


class SkillsForm(ProfileForm):
    careers = forms.MultipleChoiceField(
        label="Your work or background",
        help_text="Select any that apply, now or in the past.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select your background from the list"},
    )
    skills = forms.MultipleChoiceField(
        label="Skills you could offer",
        help_text="Select any that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select your skills from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["careers"].choices = _skill_choices(Skill.Kind.CAREER)
        self.fields["skills"].choices = _skill_choices(Skill.Kind.SKILL)
        for field in self.fields.values():
            field.govuk_legend_size = "m"

    @classmethod
    def initial_for(cls, volunteer):
        if volunteer is None:
            return {}
        chosen = list(volunteer.skills.values_list("pk", "kind"))
        return {
            "careers": [str(pk) for pk, kind in chosen if kind == Skill.Kind.CAREER],
            "skills": [str(pk) for pk, kind in chosen if kind == Skill.Kind.SKILL],
        }

    def stored(self) -> dict:
        return {
            "skills": [int(pk) for pk in self.cleaned_data["careers"] + self.cleaned_data["skills"]]
        }


class InterestsForm(ProfileForm):
    interests = _heading(
        forms.MultipleChoiceField(
            label="What would you like to help with?",
            help_text="Select all that interest you.",
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "Select at least one thing you would like to help with",
                "invalid_choice": "Select from the list",
            },
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = [
            (str(interest.pk), interest.name) for interest in Interest.objects.all()
        ]

    @classmethod
    def initial_for(cls, volunteer):
        if volunteer is None:
            return {}
        return {"interests": [str(pk) for pk in volunteer.interests.values_list("pk", flat=True)]}

    def stored(self) -> dict:
        return {"interests": [int(pk) for pk in self.cleaned_data["interests"]]}


class AvailabilityForm(ProfileForm):
    """A fieldset of checkboxes per day (morning, afternoon, evening), so each is announced with its day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, day_label in DAYS:
            field = forms.MultipleChoiceField(
                label=str(day_label),
                required=False,
                choices=[(f"{day}_{part}", str(part_label)) for part, part_label in PARTS_OF_DAY],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Select times from the list"},
            )
            field.govuk_small = True
            field.govuk_legend_size = "m"
            self.fields[day] = field

    @classmethod
    def initial_for(cls, volunteer):
        if volunteer is None:
            return {}
        from volunteers.models import availability_slots

        slots = availability_slots(volunteer.availability)
        return {day: [slot for slot in slots if slot.startswith(f"{day}_")] for day, _ in DAYS}

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(day) for day, _label in DAYS):
            raise forms.ValidationError("Select at least one time when you could volunteer")
        return data

    def stored(self) -> dict:
        slots = [slot for day, _label in DAYS for slot in self.cleaned_data.get(day, [])]
        return {"availability": availability_mask(slots)}


class HeardFromForm(ProfileForm):
    heard_from = _heading(
        forms.ChoiceField(
            label="How did you hear about volunteering with us?",
            choices=Volunteer.HeardFrom.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select how you heard about volunteering with us",
                "invalid_choice": "Select how you heard about volunteering with us",
            },
        )
    )


class AnythingElseForm(ProfileForm):
    about = _heading(
        forms.CharField(
            label="Is there anything else you would like the coordinator to know? (optional)",
            help_text=f"For example, what you hope to get from volunteering, or times that suit you best. {NO_SENSITIVE}",
            required=False,
            max_length=ABOUT_MAX,
            widget=forms.Textarea(attrs={"rows": 6}),
            error_messages={
                "max_length": f"What you tell the coordinator must be {ABOUT_MAX:,} characters or fewer"
            },
        )
    )

    def clean_about(self):
        return self.cleaned_data["about"].strip()


class GuardianAnswerForm(forms.Form):
    agrees = forms.ChoiceField(
        label="Do you agree?",
        choices=[("yes", "Yes, I agree"), ("no", "No, I do not agree")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if you agree",
            "invalid_choice": "Select yes if you agree",
        },
    )

    def __init__(self, *args, volunteer_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agrees"].label = f"Do you agree to {volunteer_name} volunteering?"
        self.fields["agrees"].govuk_legend_size = "m"


# --- Source codes (staff) ------------------------------------------------------------------


class SourceCodeForm(forms.Form):
    label = forms.CharField(
        label="What is it?",
        max_length=150,
        help_text="For example: Leaflet drop, Westoe, May. Only staff see this.",
        error_messages={
            "required": "Enter what the code is for",
            "max_length": "The description must be 150 characters or fewer",
        },
    )
    medium = forms.ChoiceField(
        label="Where will it appear?",
        choices=SourceCode.Medium.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the code will appear"},
    )
    destination = forms.ChoiceField(
        label="Where should it take people?",
        choices=SourceCode.Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the code should take people"},
    )
    code = forms.SlugField(
        label="Code (optional)",
        max_length=40,
        required=False,
        help_text="The end of the web address, like westoe-may for /v/westoe-may. Leave it blank and we will make a short one.",
        error_messages={
            "invalid": "Codes can only contain lower case letters, numbers and hyphens",
            "max_length": "The code must be 40 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"class": "govuk-input--width-20", "spellcheck": "false"}
        )
        for name in ("medium", "destination"):
            self.fields[name].govuk_legend_size = "m"

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code != code.lower():
            raise forms.ValidationError(
                "Codes can only contain lower case letters, numbers and hyphens"
            )
        if code and SourceCode.objects.filter(code=code).exists():
            raise forms.ValidationError("That code is already in use. Choose another")
        return code
