"""The questions of the nomination journey, one page each, in GOV.UK's words."""

from django import forms
from django.core.validators import EmailValidator

from council.images import ImageRejected, image_clean
from council.models import Area
from council.postcodes import UK_POSTCODE
from nominations.models import ContactMethod, NameDisplay, NomineeKind

REASON_MAX = 3000
NO_SENSITIVE = "Do not include anyone's health details or criminal record."


def uk_postcode(value: str) -> str:
    """A postcode as Royal Mail writes it, or a GOV.UK message saying what is wrong."""
    postcode = " ".join(value.upper().split())
    if postcode and not UK_POSTCODE.match(postcode):
        raise forms.ValidationError("Enter a full UK postcode, like NE33 2RL")
    return postcode


def _heading(field: forms.Field) -> forms.Field:
    """The question is the page's heading (GOV.UK: one thing per page)."""
    field.govuk_page_heading = True
    return field


class JourneyForm(forms.Form):
    """A question page. `answers` holds everything answered so far, for wording that depends on it."""

    def __init__(self, *args, answers: dict | None = None, campaign=None, **kwargs):
        self.answers = answers or {}
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def stored(self) -> dict:
        """The answers in a form that can be kept in the session."""
        return dict(self.cleaned_data)

    @property
    def heading_in_field(self) -> bool:
        """True when the question itself is the page's heading."""
        return any(getattr(field, "govuk_page_heading", False) for field in self.fields.values())


class NomineeKindForm(JourneyForm):
    nominee_kind = _heading(
        forms.ChoiceField(
            label="Who are you nominating?",
            choices=NomineeKind.choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Select who you are nominating"},
        )
    )


class CategoryForm(JourneyForm):
    category = _heading(
        forms.ChoiceField(
            label="Which category best describes what they did?",
            widget=forms.RadioSelect,
            error_messages={"required": "Select a category", "invalid_choice": "Select a category"},
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (str(category.pk), category.name) for category in self.campaign.categories.all()
        ]


NAME_LABELS = {
    NomineeKind.PERSON: ("What is their name?", "Enter their name"),
    NomineeKind.YOUNG_PERSON: ("What is the young person's name?", "Enter the young person's name"),
    NomineeKind.BUSINESS: ("What is the name of the business?", "Enter the name of the business"),
    NomineeKind.GROUP: (
        "What is the name of the group or organisation?",
        "Enter the name of the group or organisation",
    ),
}


class NomineeNameForm(JourneyForm):
    nominee_name = _heading(
        forms.CharField(
            max_length=150,
            error_messages={"max_length": "The name must be 150 characters or fewer"},
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label, required = NAME_LABELS.get(
            self.answers.get("nominee_kind"), NAME_LABELS[NomineeKind.PERSON]
        )
        field = self.fields["nominee_name"]
        field.label, field.error_messages["required"] = label, required
        field.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class GuardianForm(JourneyForm):
    guardian_name = forms.CharField(
        label="Parent or guardian's full name",
        max_length=150,
        error_messages={
            "required": "Enter the parent or guardian's name",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    guardian_email = forms.EmailField(
        label="Parent or guardian's email address (optional)",
        required=False,
        max_length=254,
        help_text="We ask a parent or guardian before we publish anything about a young person.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )


class ContactMethodsForm(JourneyForm):
    contact_methods = _heading(
        forms.MultipleChoiceField(
            label="How can we contact them?",
            help_text="Select all that apply.",
            choices=ContactMethod.choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select how we can contact them"},
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.answers.get("nominee_kind") == NomineeKind.YOUNG_PERSON:
            self.fields[
                "contact_methods"
            ].help_text = "We will write to the young person's family. Select all that apply."


class NomineeEmailForm(JourneyForm):
    nominee_email = _heading(
        forms.EmailField(
            label="What is their email address?",
            max_length=254,
            error_messages={
                "required": "Enter their email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
            },
        )
    )


class AddressForm(JourneyForm):
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=100,
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", max_length=100, required=False
    )
    town = forms.CharField(
        label="Town or city", max_length=60, error_messages={"required": "Enter town or city"}
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter postcode"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, autocomplete in (
            ("address_line_1", "address-line1"),
            ("address_line_2", "address-line2"),
            ("town", "address-level2"),
            ("postcode", "postal-code"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["postcode"].widget.attrs["class"] = "govuk-input--width-10"

    def clean_postcode(self):
        return uk_postcode(self.cleaned_data["postcode"])


class EmployerForm(JourneyForm):
    employer = _heading(
        forms.CharField(
            label="Where do they work or volunteer?",
            max_length=150,
            help_text="We will send the Mayor's letter to them there.",
            error_messages={"required": "Enter where they work or volunteer"},
        )
    )


class AreaForm(JourneyForm):
    area = _heading(
        forms.ChoiceField(
            label="Which ward do they live or work in?",
            help_text="If you are not sure, choose 'I do not know'.",
            error_messages={
                "required": "Select a ward, or 'I do not know'",
                "invalid_choice": "Select a ward, or 'I do not know'",
            },
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            ("", "Select a ward"),
            *[(str(area.pk), area.name) for area in Area.objects.filter(active=True)],
            ("unknown", "I do not know"),
        ]


class ReasonForm(JourneyForm):
    reason = _heading(
        forms.CharField(
            label="Why are you nominating them?",
            help_text=f"Tell us what they did and the difference it made. {NO_SENSITIVE}",
            max_length=REASON_MAX,
            widget=forms.Textarea(attrs={"rows": 8}),
            error_messages={
                "required": "Enter why you are nominating them",
                "max_length": f"Why you are nominating them must be {REASON_MAX:,} characters or fewer",
            },
        )
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 20:
            raise forms.ValidationError(
                "Tell us a little more about why you are nominating them (at least 20 characters)"
            )
        return reason


class PhotoForm(JourneyForm):
    photo = forms.FileField(
        label="Upload a photo (optional)",
        required=False,
        help_text="A JPG, PNG or WEBP photo, smaller than 10MB.",
    )
    photo_alt = forms.CharField(
        label="Describe the photo for someone who cannot see it",
        max_length=250,
        required=False,
        help_text="For example: Maureen smiling outside the community centre with her volunteers.",
    )
    photo_permission = forms.BooleanField(
        label="I have permission to share this photo with the council", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.clean_image = None

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            self.clean_image = image_clean(upload)
        except ImageRejected as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean(self):
        data = super().clean()
        has_photo = self.clean_image is not None or (
            self.answers.get("photo_file") and not self.errors.get("photo")
        )
        if has_photo and not data.get("photo_alt", "").strip():
            self.add_error("photo_alt", "Describe the photo for someone who cannot see it")
        if has_photo and not data.get("photo_permission"):
            self.add_error("photo_permission", "Confirm you have permission to share this photo")
        return data

    def stored(self) -> dict:
        return {
            "photo_alt": self.cleaned_data.get("photo_alt", "").strip(),
            "photo_permission": bool(self.cleaned_data.get("photo_permission")),
        }


class AboutYouForm(JourneyForm):
    nominator_name = forms.CharField(
        label="Your full name", max_length=150, error_messages={"required": "Enter your full name"}
    )
    nominator_email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We will send you a link to confirm your nomination.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    nominator_relationship = forms.CharField(
        label="How do you know them?",
        max_length=100,
        help_text="For example: neighbour, colleague, parent at the same school, their GP practice.",
        error_messages={"required": "Enter how you know them"},
    )
    nominator_organisation = forms.CharField(
        label="Organisation you are nominating on behalf of (optional)",
        max_length=150,
        required=False,
        help_text="For example, a GP practice, pharmacy, school or business.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominator_name"].widget.attrs["autocomplete"] = "name"
        self.fields["nominator_email"].widget.attrs["autocomplete"] = "email"
        self.fields["nominator_organisation"].widget.attrs["autocomplete"] = "organization"

    def clean_nominator_email(self):
        email = self.cleaned_data["nominator_email"].strip().lower()
        EmailValidator()(email)
        return email


DECLARATIONS = [
    ("true", "The information I have given is true to the best of my knowledge."),
    (
        "contact",
        "I understand the council will contact the person I have nominated, and may tell them who nominated them.",
    ),
    (
        "privacy",
        "I have read the privacy notice, which explains how my information and theirs is used.",
    ),
]


class DeclarationForm(JourneyForm):
    declarations = _heading(
        forms.MultipleChoiceField(
            label="Before you send your nomination",
            help_text="Select each statement to confirm it.",
            choices=DECLARATIONS,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Confirm each statement before you send your nomination"},
        )
    )

    def clean_declarations(self):
        chosen = set(self.cleaned_data["declarations"])
        if chosen != {value for value, _label in DECLARATIONS}:
            raise forms.ValidationError("Confirm each statement before you send your nomination")
        return sorted(chosen)


class ResendForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Staff can see this reason. The nominator is not told it.",
        error_messages={"required": "Enter the reason for rejecting the nomination"},
    )


CONSENT_CHANNELS = [
    ("roll_of_honour", "Our roll of honour of everyone nominated, on the council's website"),
    ("website_story", "A story about you on the council's website"),
    ("social_media", "Posts on the council's social media accounts"),
    ("press", "Articles in the local newspaper and other press"),
]


class ConsentForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="Where may we say that you were nominated?",
        help_text="Select all that you are happy with. You can change your mind at any time.",
        choices=CONSENT_CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    name_display = forms.ChoiceField(
        label="How should your name be shown?",
        choices=NameDisplay.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how your name should be shown"},
    )
    photo_allowed = forms.ChoiceField(
        label="May we use a photo of you?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we may use a photo of you"},
    )

    def __init__(
        self,
        *args,
        guardian: bool = False,
        nominee_name: str = "",
        has_died: bool = False,
        kind: str = NomineeKind.PERSON,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if kind in (NomineeKind.BUSINESS, NomineeKind.GROUP):
            # A business or group has a name, not a first name and a surname.
            self.fields["channels"].choices = [
                (value, label.replace("about you", f"about {nominee_name}"))
                for value, label in CONSENT_CHANNELS
            ]
            self.fields["name_display"].label = f"May we show the name {nominee_name}?"
            self.fields["name_display"].choices = [
                (NameDisplay.FULL, f"Yes, show {nominee_name}"),
                (NameDisplay.ANONYMOUS, "No, do not show the name"),
            ]
            self.fields["name_display"].error_messages["required"] = (
                "Select yes if we may show the name"
            )
            self.fields[
                "photo_allowed"
            ].label = "May we use a photo, for example of your team or your premises?"
            self.fields["photo_allowed"].error_messages["required"] = (
                "Select yes if we may use a photo"
            )
            return
        if has_died:
            # The family answers; nothing about someone who has died goes on social media.
            guardian = True
            self.fields["channels"].choices = [
                (value, label.replace("about you", f"about {nominee_name}"))
                for value, label in CONSENT_CHANNELS
                if value != "social_media"
            ]
        if guardian:
            self.fields["channels"].choices = [
                (value, label.replace("about you", f"about {nominee_name}"))
                for value, label in self.fields["channels"].choices
            ]
            self.fields["channels"].label = f"Where may we say that {nominee_name} was nominated?"
            self.fields["name_display"].label = f"How should {nominee_name}'s name be shown?"
            self.fields["photo_allowed"].label = f"May we use a photo of {nominee_name}?"
            self.fields["name_display"].choices = [
                (NameDisplay.FULL, "Their full name"),
                (
                    NameDisplay.FIRST_AND_INITIAL,
                    "Their first name and the first letter of their last name",
                ),
                (NameDisplay.ANONYMOUS, "Do not show their name"),
            ]


class ConsentCodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=12,
        help_text="It is on the last page of the Mayor's letter, like K7PD 3XQ2.",
        error_messages={"required": "Enter the code from your letter"},
    )
