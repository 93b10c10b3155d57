"""Forms on the volunteer coordinator's pages, in GOV.UK's words."""

from django import forms

from council.models import Area
from volunteers.models import Interest, Organisation, Referral, Skill

WAITED_CHOICES = [
    ("", "Any time"),
    ("7", "More than a week"),
    ("14", "More than 2 weeks"),
    ("28", "More than 4 weeks"),
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="A name or email address.")
    area = forms.ModelChoiceField(
        label="Ward", queryset=Area.objects.all(), required=False, empty_label="All wards"
    )
    skill = forms.ModelChoiceField(
        label="Skill or background",
        queryset=Skill.objects.all(),
        required=False,
        empty_label="Any",
    )
    interest = forms.ModelChoiceField(
        label="Interest", queryset=Interest.objects.all(), required=False, empty_label="Any"
    )
    waited_days = forms.TypedChoiceField(
        label="Waiting for", choices=WAITED_CHOICES, coerce=int, empty_value=None, required=False
    )
    young = forms.BooleanField(label="16 and 17 year olds only", required=False)
    remote_only = forms.BooleanField(label="Remote only", required=False)
    no_match = forms.BooleanField(label="With no matching role", required=False)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="All organisations",
    )
    overdue = forms.BooleanField(label="Past a time limit only", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *Referral.Status.choices]


class OrganisationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Organisation.Status.choices],
    )


class OrganisationForm(forms.Form):
    """An organisation's details, as its contact registers it or the coordinator adds it."""

    name = forms.CharField(
        label="Name of the organisation",
        max_length=150,
        error_messages={
            "required": "Enter the name of the organisation",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What the organisation does",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The description must be 2,000 characters or fewer"},
    )
    email = forms.EmailField(
        label="Email address for referrals",
        help_text="Each new referral is sent here, as well as to the organisation's contacts.",
        error_messages={
            "required": "Enter the email address for referrals",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        error_messages={"max_length": "The phone number must be 30 characters or fewer"},
    )
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the website address, like https://www.example.org"},
    )
    charity_number = forms.CharField(
        label="Registered charity number (if it has one)",
        max_length=20,
        required=False,
        error_messages={"max_length": "The charity number must be 20 characters or fewer"},
    )
    area = forms.ModelChoiceField(
        label="Ward where it is based",
        queryset=Area.objects.filter(active=True),
        required=False,
        empty_label="Not in one ward",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"An organisation called {name} is already registered")
        return name


class OrganisationAddForm(OrganisationForm):
    contact_email = forms.EmailField(
        label="Email address of a contact (optional)",
        help_text="Their account manages the organisation's roles and referrals. They must have created an account already.",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )

    def __init__(
        self, *args, label: str = "Reason", hint: str = "", required_message: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint
        if required_message:
            self.fields["reason"].error_messages["required"] = required_message


class CheckStageForm(forms.Form):
    stage = forms.ChoiceField(
        label="How far have your checks got?",
        choices=Referral.CheckStage.choices,
        widget=forms.RadioSelect,
        help_text="Only the stage. Never record the result of a check here.",
        error_messages={"required": "Select how far the checks have got"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].govuk_small = True


class ContactForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the new contact",
        help_text="They must have created an account already.",
        error_messages={
            "required": "Enter the email address of the new contact",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
