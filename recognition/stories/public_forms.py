"""The filters on /stories/: a ward and a subject, sent by GET so every result has its own address."""

from django import forms

from council.models import Area
from recognition.stories.models import Tag


class StoryFilterForm(forms.Form):
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Area.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="All wards",
        error_messages={"invalid_choice": "Select a ward from the list"},
    )
    tag = forms.ModelChoiceField(
        label="Subject",
        queryset=Tag.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All subjects",
        error_messages={"invalid_choice": "Select a subject from the list"},
    )

    def __init__(self, *args, areas, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = areas
        self.fields["tag"].queryset = tags

    def chosen(self) -> dict:
        """The filters that were valid: an unknown ward or subject is explained and left out."""
        if not self.is_bound:
            return {"area": None, "tag": None}
        self.is_valid()
        return {"area": self.cleaned_data.get("ward"), "tag": self.cleaned_data.get("tag")}
