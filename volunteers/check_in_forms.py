"""The retention check-in question, in GOV.UK's words."""

from django import forms

YES_NO = [("yes", "Yes"), ("no", "No")]


class CheckInForm(forms.Form):
    still = forms.ChoiceField(
        label="Still volunteering?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they are still volunteering"},
    )
    another = forms.ChoiceField(
        label="If you have stopped, would you like us to find you another role?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, by_volunteer: bool, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_volunteer = by_volunteer
        self.fields["still"].label = question
        self.fields["still"].govuk_page_heading = True
        self.fields["still"].govuk_small = True
        self.fields["another"].govuk_small = True
        self.fields["another"].govuk_legend_size = "m"
        if by_volunteer:
            self.fields["still"].error_messages["required"] = (
                "Select yes if you are still volunteering"
            )
        else:
            del self.fields["another"]

    def clean(self):
        data = super().clean()
        if self.by_volunteer and data.get("still") == "no" and not data.get("another"):
            self.add_error("another", "Select yes if you would like another role")
        return data

    def answers(self) -> dict:
        still = self.cleaned_data["still"] == "yes"
        another = self.cleaned_data.get("another")
        return {
            "still_volunteering": still,
            "wants_another_role": (another == "yes") if self.by_volunteer and not still else None,
        }
