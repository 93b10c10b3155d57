from collections import Counter

from django import forms

from recognition import merge


class LetterTemplateForm(forms.Form):
    salutation = forms.CharField(
        label="Greeting",
        max_length=200,
        help_text="For example: Dear {first_name}",
        error_messages={"required": "Enter the greeting, such as Dear {first_name}"},
    )
    body = forms.CharField(
        label="The letter",
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        help_text=(
            "Leave a blank line between paragraphs. Within a paragraph you can use "
            "&lt;strong&gt; for bold, &lt;em&gt; and links (&lt;a href=…&gt;); a list is "
            "&lt;ul&gt; with an &lt;li&gt; for each item. Merge fields: "
            + ", ".join("{" + name + "}" for name in merge.FIELDS)
            + "."
        ),
        error_messages={"required": "Enter the words of the letter"},
    )
    letterhead = forms.CharField(
        label="Under the council's name (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the Mayor's office and its telephone number.",
    )
    signature = forms.FileField(
        label="The Mayor's signature (optional)",
        required=False,
        help_text="A PNG or JPG of the signature on a white or clear background. Leave empty to keep the current one.",
    )


def nominee_choices(nominees) -> list[tuple[str, str]]:
    """Nominees to pick from by name, with their ward, and a number where names still match."""
    nominees = list({nominee.pk: nominee for nominee in nominees}.values())
    labels = {
        nominee.pk: f"{nominee.name}, {nominee.area.name}" if nominee.area_id else nominee.name
        for nominee in nominees
    }
    repeated = Counter(labels.values())
    return [
        (
            str(nominee.pk),
            f"{labels[nominee.pk]} (nominee {nominee.pk})"
            if repeated[labels[nominee.pk]] > 1
            else labels[nominee.pk],
        )
        for nominee in nominees
    ]


class PreviewForm(forms.Form):
    nominee = forms.ChoiceField(
        label="Preview for",
        error_messages={
            "required": "Choose a nominee",
            "invalid_choice": "Choose a nominee from the list",
        },
    )
    large_print = forms.BooleanField(label="Large print", required=False)

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [("", "Choose a nominee"), *nominee_choices(nominees)]


LARGE_PRINT_CHOICES = [("yes", "Yes, in large print"), ("no", "No, standard print is fine")]


class LargePrintForm(forms.Form):
    """On the nominee's own page: whether their letter should come in large print."""

    large_print = forms.ChoiceField(
        label="Would you like your letter in large print?",
        help_text="Large print uses 16 point text, about a third bigger than usual.",
        choices=LARGE_PRINT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you would like your letter in large print"},
    )


class StaffLargePrintForm(forms.Form):
    """The Mayor's office records a large-print request taken by phone or letter."""

    nominee = forms.ChoiceField(
        label="Nominee who asked for large print",
        error_messages={
            "required": "Choose the nominee who asked for large print",
            "invalid_choice": "Choose a nominee from the list",
        },
    )
    large_print = forms.ChoiceField(
        choices=[("yes", "Large print"), ("no", "Standard print")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose large print or standard print"},
    )

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [("", "Choose a nominee"), *nominee_choices(nominees)]
