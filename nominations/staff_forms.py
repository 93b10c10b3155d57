"""Forms on the staff review pages."""

from django import forms
from django.contrib.auth import get_user_model

from council.models import Area
from council.roles import Role
from nominations.forms import uk_postcode
from nominations.models import Campaign, Category, Nomination, NomineeKind


def colleagues():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(groups__name=Role.COMMS.value)
        .distinct()
        .order_by("email")
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        help_text="A reference, a name or words from the nomination.",
    )
    status = forms.ChoiceField(label="Status", required=False)
    campaign = forms.ModelChoiceField(
        label="Campaign",
        queryset=Campaign.objects.all(),
        required=False,
        empty_label="All campaigns",
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=Category.objects.select_related("campaign"),
        required=False,
        empty_label="All categories",
    )
    area = forms.ModelChoiceField(
        label="Ward", queryset=Area.objects.all(), required=False, empty_label="All wards"
    )
    assigned_to = forms.ModelChoiceField(
        label="Assigned to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Anyone",
    )
    under_18 = forms.BooleanField(label="Under 18 only", required=False)
    has_photo = forms.BooleanField(label="With a photo only", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Any status"),
            *[
                (value, label)
                for value, label in Nomination.Status.choices
                if value != Nomination.Status.UNCONFIRMED
            ],
        ]
        self.fields["assigned_to"].queryset = colleagues()
        self.fields["assigned_to"].label_from_instance = lambda user: user.email
        self.fields["category"].label_from_instance = lambda category: (
            f"{category.name} ({category.campaign.name})"
        )


class BulkDecisionForm(forms.Form):
    selected = forms.ModelMultipleChoiceField(
        queryset=Nomination.objects.in_review_queue(),
        error_messages={"required": "Select at least one nomination"},
    )
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(label="Reason for rejecting", required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for rejecting the nominations")
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues()
        self.fields["assignee"].label_from_instance = lambda user: user.email


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note for colleagues",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff can see notes.",
        error_messages={"required": "Enter the note"},
    )


class NominationEntryForm(forms.Form):
    """One nomination taken by phone or on paper, or one row of a partner's CSV file."""

    nominee_kind = forms.ChoiceField(
        label="Who is being nominated",
        choices=NomineeKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who is being nominated",
            "invalid_choice": "Who is being nominated must be one of: person, young_person, business, group",
        },
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=Category.objects.none(),
        empty_label="Select a category",
        error_messages={
            "required": "Select a category",
            "invalid_choice": "Select a category from this campaign",
        },
    )
    nominee_name = forms.CharField(
        label="Their name", max_length=150, error_messages={"required": "Enter the nominee's name"}
    )
    nominee_email = forms.EmailField(
        label="Their email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter the nominee's email address in the correct format, like name@example.com"
        },
    )
    nominee_phone = forms.CharField(
        label="Their phone number (optional)", required=False, max_length=30
    )
    address_line_1 = forms.CharField(
        label="Address line 1 (optional)", required=False, max_length=100
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=100
    )
    town = forms.CharField(label="Town or city (optional)", required=False, max_length=60)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    employer = forms.CharField(
        label="Employer or organisation to reach them through (optional)",
        required=False,
        max_length=150,
    )
    guardian_name = forms.CharField(
        label="Parent or guardian's name (for a young person)", required=False, max_length=150
    )
    guardian_email = forms.EmailField(
        label="Parent or guardian's email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter the parent or guardian's email address in the correct format, like name@example.com"
        },
    )
    area = forms.ModelChoiceField(
        label="Ward (optional)",
        queryset=Area.objects.filter(active=True),
        required=False,
        empty_label="Not known",
        error_messages={"invalid_choice": "Select a ward from the list"},
    )
    reason = forms.CharField(
        label="Why they were nominated",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not include anyone's health details or criminal record.",
        error_messages={
            "required": "Enter why they were nominated",
            "max_length": "Why they were nominated must be 3,000 characters or fewer",
        },
    )
    nominator_name = forms.CharField(
        label="Nominator's name",
        max_length=150,
        error_messages={"required": "Enter the nominator's name"},
    )
    nominator_email = forms.EmailField(
        label="Nominator's email address (optional)",
        help_text="Leave it empty if they have no email address.",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter the nominator's email address in the correct format, like name@example.com",
        },
    )
    nominator_relationship = forms.CharField(
        label="How the nominator knows them",
        max_length=100,
        error_messages={"required": "Enter how the nominator knows them"},
    )
    nominator_organisation = forms.CharField(
        label="Nominating on behalf of (optional)", required=False, max_length=150
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["category"].queryset = campaign.categories.all()

    def clean_postcode(self):
        return uk_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        has_address = all(data.get(name) for name in ("address_line_1", "town", "postcode"))
        if (
            any(data.get(name) for name in ("address_line_1", "town", "postcode"))
            and not has_address
        ):
            self.add_error(
                "address_line_1",
                "Enter address line 1, the town and the postcode, or leave the address empty",
            )
        if not (data.get("nominee_email") or has_address or data.get("employer")):
            self.add_error(
                "nominee_email",
                "Enter at least one way to reach them: an email address, a postal address or an employer",
            )
        if data.get("nominee_kind") == NomineeKind.YOUNG_PERSON and not data.get("guardian_name"):
            self.add_error(
                "guardian_name", "Enter the parent or guardian's name for a young person"
            )
        methods = []
        if data.get("nominee_email"):
            methods.append("email")
        if has_address:
            methods.append("post")
        if data.get("employer"):
            methods.append("employer")
        data["contact_methods"] = methods
        return data


class UploadForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="Campaign", queryset=Campaign.objects.all(), empty_label=None
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Saved from a spreadsheet as 'CSV UTF-8', using the columns of the template. Up to 2,000 nominations.",
        error_messages={"required": "Select a CSV file"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2MB")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file must be saved as 'CSV UTF-8' from your spreadsheet"
            ) from None
        if "\x00" in text:
            raise forms.ValidationError("The selected file must be a CSV")
        return text


class FamilyContactForm(forms.Form):
    """How to reach the family of a nominee who has died: the consent link and letter go to them."""

    name = forms.CharField(
        label="Who should the letter be addressed to?",
        help_text="For example, Mrs Jean Clarke or The Clarke family.",
        max_length=150,
        error_messages={"required": "Enter who the letter should be addressed to"},
    )
    email = forms.EmailField(
        label="Family's email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter the family's email address in the correct format, like name@example.com"
        },
    )
    address_line_1 = forms.CharField(
        label="Address line 1 (optional)", required=False, max_length=100
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=100
    )
    town = forms.CharField(label="Town or city (optional)", required=False, max_length=60)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)

    def clean_postcode(self):
        return uk_postcode(self.cleaned_data["postcode"])

    def clean(self):
        data = super().clean()
        address = ("address_line_1", "town", "postcode")
        has_address = all(data.get(name) for name in address)
        if any(data.get(name) for name in address) and not has_address:
            self.add_error(
                "address_line_1",
                "Enter address line 1, the town and the postcode, or leave the address empty",
            )
        elif not (data.get("email") or has_address) and "email" not in self.errors:
            self.add_error("email", "Enter the family's email address or their postal address")
        return data
