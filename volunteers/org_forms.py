"""Forms in the organisation portal: a role's details, in GOV.UK's words."""

from django import forms

from volunteers.forms import uk_postcode
from volunteers.models import (
    DAYS,
    PARTS_OF_DAY,
    Interest,
    Opportunity,
    Skill,
    availability_mask,
    availability_slots,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _radios(field: forms.Field) -> forms.Field:
    field.govuk_small = True
    return field


class RoleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Select the organisation",
            "invalid_choice": "Select one of your organisations",
        },
    )
    title = forms.CharField(
        label="Title of the role",
        max_length=120,
        help_text="For example, Befriender for older people, or Food bank driver.",
        error_messages={
            "required": "Enter the title of the role",
            "max_length": "The title must be 120 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What the volunteer will do",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what the volunteer will do",
            "max_length": "The description must be 3,000 characters or fewer",
        },
    )
    skills = forms.ModelMultipleChoiceField(
        label="Skills or backgrounds that would help",
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select any that apply. Leave them all empty if anyone could do it.",
        error_messages={"invalid_choice": "Select skills from the list"},
    )
    interests = forms.ModelMultipleChoiceField(
        label="What the role helps with",
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select from the list"},
    )
    remote = _radios(
        forms.ChoiceField(
            label="Where does the role take place?",
            choices=[("no", "At a place"), ("yes", "It can be done from home")],
            widget=forms.RadioSelect,
            error_messages={"required": "Select where the role takes place"},
        )
    )
    postcode = forms.CharField(
        label="Postcode of the place",
        required=False,
        max_length=10,
        help_text="Needed if the role takes place somewhere. Volunteers are matched by how far they will travel.",
        error_messages={"max_length": "Enter a full UK postcode, like NE33 2RL"},
    )
    minimum_age = forms.IntegerField(
        label="Minimum age",
        min_value=16,
        max_value=99,
        initial=18,
        help_text="16 or 17 only for youth-friendly roles.",
        error_messages={
            "required": "Enter the minimum age",
            "invalid": "Enter the minimum age as a number, like 18",
            "min_value": "The minimum age must be 16 or more",
            "max_value": "The minimum age must be 99 or less",
        },
    )
    youth_friendly = _radios(
        forms.ChoiceField(
            label="Is the role youth-friendly?",
            help_text="Suitable for 16 and 17 year olds, who need a parent or guardian's consent.",
            choices=YES_NO,
            widget=forms.RadioSelect,
            error_messages={"required": "Select yes if the role is youth-friendly"},
        )
    )
    capacity = forms.IntegerField(
        label="How many volunteers can the role take at once?",
        min_value=1,
        max_value=500,
        initial=1,
        error_messages={
            "required": "Enter how many volunteers the role can take",
            "invalid": "Enter a number, like 2",
            "min_value": "The role must take at least 1 volunteer",
            "max_value": "The role can take at most 500 volunteers",
        },
    )
    check_level = _radios(
        forms.ChoiceField(
            label="Which check does your organisation run for this role?",
            help_text="Your organisation runs its own checks. We only record which stage they reach, never the result.",
            choices=Opportunity.CheckLevel.choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Select which check your organisation runs"},
        )
    )
    open_to_convictions = _radios(
        forms.ChoiceField(
            label="Is the role open to people with convictions?",
            choices=YES_NO,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select yes if the role is open to people with convictions"
            },
        )
    )
    status = _radios(
        forms.ChoiceField(
            label="Is the role taking referrals?",
            choices=Opportunity.Status.choices,
            widget=forms.RadioSelect,
            initial=Opportunity.Status.OPEN,
            error_messages={"required": "Select whether the role is taking referrals"},
        )
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        # A contact of one organisation is not asked which: it is that one.
        self.only_organisation = organisations[0] if len(organisations) == 1 else None
        if self.only_organisation is not None:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].required = False
            self.fields["organisation"].initial = self.only_organisation.pk
        # One fieldset of morning, afternoon and evening per day, each announced with its day.
        for day, day_label in DAYS:
            field = forms.MultipleChoiceField(
                label=f"{day_label}",
                required=False,
                choices=[(f"{day}_{part}", str(label)) for part, label in PARTS_OF_DAY],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Select times from the list"},
            )
            field.govuk_small = True
            self.fields[f"times_{day}"] = field

    @property
    def detail_fields(self):
        return [
            self[name] for name in ("organisation", "title", "description", "skills", "interests")
        ]

    @property
    def time_fields(self):
        return [self[f"times_{day}"] for day, _label in DAYS]

    @property
    def rule_fields(self):
        return [
            self[name]
            for name in (
                "remote",
                "postcode",
                "minimum_age",
                "youth_friendly",
                "capacity",
                "check_level",
                "open_to_convictions",
                "status",
            )
        ]

    @staticmethod
    def initial_for(role: Opportunity) -> dict:
        slots = availability_slots(role.availability)
        return {
            "organisation": role.organisation_id,
            "title": role.title,
            "description": role.description,
            "skills": list(role.skills.values_list("pk", flat=True)),
            "interests": list(role.interests.values_list("pk", flat=True)),
            "remote": "yes" if role.remote else "no",
            "postcode": role.postcode,
            "minimum_age": role.minimum_age,
            "youth_friendly": "yes" if role.youth_friendly else "no",
            "capacity": role.capacity,
            "check_level": role.check_level,
            "open_to_convictions": "yes" if role.open_to_convictions else "no",
            "status": role.status,
            **{
                f"times_{day}": [slot for slot in slots if slot.startswith(f"{day}_")]
                for day, _label in DAYS
            },
        }

    def clean_organisation(self):
        return self.cleaned_data.get("organisation") or self.only_organisation

    def clean_postcode(self):
        postcode = self.cleaned_data.get("postcode", "").strip()
        return uk_postcode(postcode) if postcode else ""

    def clean(self):
        data = super().clean()
        if (
            data.get("remote") == "no"
            and not data.get("postcode")
            and "postcode" not in self.errors
        ):
            self.add_error(
                "postcode", "Enter the postcode of the place, or say it can be done from home"
            )
        age, youth = data.get("minimum_age"), data.get("youth_friendly")
        if age is not None and youth == "yes" and age > 17:
            self.add_error(
                "minimum_age",
                "A youth-friendly role must take people from 16 or 17: set the minimum age to 16 or 17",
            )
        if age is not None and youth == "no" and age < 18:
            self.add_error(
                "minimum_age", "Set the minimum age to 18, or say the role is youth-friendly"
            )
        return data

    def role_data(self) -> dict:
        """The answers as opportunity_save takes them."""
        data = self.cleaned_data
        return {
            "title": " ".join(data["title"].split()),
            "description": data["description"].strip(),
            "skills": list(data["skills"]),
            "interests": list(data["interests"]),
            "availability": availability_mask(
                slot for day, _label in DAYS for slot in data.get(f"times_{day}", [])
            ),
            "remote": data["remote"] == "yes",
            "postcode": data["postcode"],
            "minimum_age": data["minimum_age"],
            "youth_friendly": data["youth_friendly"] == "yes",
            "capacity": data["capacity"],
            "check_level": data["check_level"],
            "open_to_convictions": data["open_to_convictions"] == "yes",
            "status": data["status"],
        }
