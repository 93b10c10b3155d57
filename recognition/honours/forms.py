"""Forms of the roll of honour: the public search, the staff filters and the citation."""

from django import forms

from council.models import Area
from recognition.honours.models import CITATION_MAX_LENGTH, ListingStatus
from recognition.honours.selectors import FilterOptions, HeroFilters

SEARCH_MAX_LENGTH = 100


class HeroSearchForm(forms.Form):
    """The search on /heroes/: a GET form, so every result page has its own address."""

    q = forms.CharField(
        label="Search by name or words",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text="For example, a first name, or a word such as “litter” or “football”.",
        error_messages={
            "max_length": f"Search words must be {SEARCH_MAX_LENGTH} characters or fewer"
        },
    )
    campaign = forms.TypedChoiceField(
        label="Campaign",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a campaign from the list"},
    )
    category = forms.TypedChoiceField(
        label="Category",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a category from the list"},
    )
    area = forms.TypedChoiceField(
        label="Ward",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a ward from the list"},
    )

    def __init__(self, *args, options: FilterOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        # A search box (browsers offer to clear it); names are not for spelling suggestions.
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["spellcheck"] = "false"
        # Callables: the lists are only gone through when the form is checked or shown,
        # and a page whose search form is cached shows it without either.
        self.fields["campaign"].choices = lambda: [("", "All campaigns"), *options.campaigns]
        self.fields["category"].choices = lambda: [("", "All categories"), *options.categories]
        self.fields["area"].choices = lambda: [("", "All wards"), *options.wards]

    def filters(self) -> HeroFilters:
        """The filters to apply: only the answers that are valid (a wrong one is shown as an error)."""
        if not self.is_bound:
            return HeroFilters()
        self.is_valid()
        data = self.cleaned_data
        return HeroFilters(
            q=(data.get("q") or "").strip(),
            campaign=data.get("campaign"),
            category=data.get("category"),
            area=data.get("area"),
        )


class StaffFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, help_text="A nominee's name or words from a citation."
    )
    citation = forms.ChoiceField(
        label="Citation",
        required=False,
        choices=[
            ("", "Any"),
            ("needed", "Needs writing"),
            ("awaiting", "Waiting for approval"),
            ("approved", "Approved"),
        ],
    )
    listing = forms.ChoiceField(label="On the roll of honour", required=False)
    campaign = forms.TypedChoiceField(
        label="Campaign", required=False, coerce=int, empty_value=None
    )
    area = forms.ModelChoiceField(
        label="Ward", queryset=Area.objects.all(), required=False, empty_label="All wards"
    )

    def __init__(self, *args, options: FilterOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "All campaigns"), *options.campaigns]
        self.fields["listing"].choices = [
            ("", "Approved nominees"),
            ("listed", "Listed"),
            ("not_listed", "Not listed yet"),
            *[
                (value, f"Not listed: {label[0].lower()}{label[1:]}")
                for value, label in ListingStatus.choices
                if value
                not in (ListingStatus.LISTED, ListingStatus.NOT_APPROVED, ListingStatus.MERGED)
            ],
            ("removed", "No longer approved, or merged"),
        ]


class CitationForm(forms.Form):
    citation = forms.CharField(
        label="Citation",
        max_length=CITATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One or two sentences of thanks for the public roll of honour, in your own words. "
            "Leave out addresses, health details, schools and anything else that identifies them "
            "beyond the name they chose."
        ),
        error_messages={
            "required": "Enter a citation",
            "max_length": f"The citation must be {CITATION_MAX_LENGTH} characters or fewer",
        },
    )
    # The revision the person started from: a colleague's change meanwhile is caught, not lost.
    revision = forms.IntegerField(widget=forms.HiddenInput)
