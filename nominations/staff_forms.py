"""Forms on the staff review pages."""

from django import forms
from django.contrib.auth import get_user_model

from council.models import Area
from council.roles import Role
from nominations.models import Campaign, Category, Nomination


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
