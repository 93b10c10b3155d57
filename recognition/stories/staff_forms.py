"""Forms on the staff story pages: what comms staff type, checked field by field."""

from datetime import datetime

from django import forms
from django.utils import timezone

from council.images import ImageRejected, image_clean
from council.models import Area
from nominations.selectors import nominations_for_stories
from recognition.stories.models import Story, Tag

FORMATTING_HELP = (
    "Leave a blank line between paragraphs. Start a line with ## for a heading and - for a "
    "list. Put **two stars** round words to make them bold, and write a link as "
    "[the words](https://example.org). Anything else, such as HTML, is removed."
)


class StoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, help_text="Words from the title or summary."
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Story.Status.choices]
    )
    area = forms.ModelChoiceField(
        label="Ward", queryset=Area.objects.all(), required=False, empty_label="All wards"
    )
    tag = forms.ModelChoiceField(
        label="Tag", queryset=Tag.objects.all(), required=False, empty_label="All tags"
    )
    mine = forms.BooleanField(label="Only stories I wrote", required=False)


class NominationSearchForm(forms.Form):
    q = forms.CharField(
        label="Search approved nominations",
        required=False,
        help_text="A reference, the nominee's name or words from the nomination.",
    )


class StartStoryForm(forms.Form):
    """The nominations a story is written from, and its working title."""

    nominations = forms.MultipleChoiceField(
        label="Nominations to write from",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every nomination the story tells. Their words are shown beside the editor and never changed.",
        error_messages={
            "required": "Select at least one approved nomination to write the story from",
            "invalid_choice": "Select nominations from the list",
        },
    )
    title = forms.CharField(
        label="Working title",
        max_length=120,
        help_text="You can change it before the story is published.",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 120 characters or fewer",
        },
    )

    SHOWN = 50

    def __init__(self, *args, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        chosen = []
        if self.data:
            chosen = [value for value in self.data.getlist("nominations") if value.isdigit()]
        # Shown: what the search found, plus anything already ticked, so nothing ticked is lost.
        shown = list(nominations_for_stories(search=search)[: self.SHOWN])
        missing = set(map(int, chosen)) - {nomination.pk for nomination in shown}
        if missing:
            shown += list(nominations_for_stories().filter(pk__in=missing))
        self.fields["nominations"].choices = [
            (str(nomination.pk), self.label_for(nomination)) for nomination in shown
        ]
        self.shown = shown

    @staticmethod
    def label_for(nomination) -> str:
        ward = f", {nomination.area.name}" if nomination.area else ""
        return (
            f"{nomination.nominee.name} — {nomination.reference}, {nomination.category.name}{ward}"
        )

    def clean_nominations(self):
        chosen = [int(value) for value in self.cleaned_data["nominations"]]
        found = list(nominations_for_stories().filter(pk__in=chosen))
        if len(found) != len(set(chosen)):
            raise forms.ValidationError("Select nominations from the list")
        return found


class StoryForm(forms.Form):
    """The public words and picture of a story; the nominations' own words are never edited here."""

    title = forms.CharField(
        label="Title",
        max_length=120,
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 120 characters or fewer",
        },
    )
    slug = forms.SlugField(
        label="Web address",
        max_length=140,
        required=False,
        help_text="The end of the story's address: /stories/this-part/. Leave it empty to make it from the title. "
        "If a published story's address changes, the old one still leads to it.",
        error_messages={
            "invalid": "Enter a web address made of lower-case letters, numbers and hyphens",
            "max_length": "The web address must be 140 characters or fewer",
        },
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences, shown in lists, the feed and when the story is shared.",
        error_messages={"max_length": "The summary must be 300 characters or fewer"},
    )
    body_source = forms.CharField(
        label="The story",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=FORMATTING_HELP,
    )
    hero_image = forms.FileField(
        label="Picture (optional)",
        required=False,
        help_text="A JPG, PNG or WEBP picture, smaller than 10MB. If the page shows an error, choose the picture again.",
    )
    remove_image = forms.BooleanField(label="Remove the current picture", required=False)
    hero_image_alt = forms.CharField(
        label="Describe the picture for people who cannot see it",
        max_length=250,
        required=False,
        help_text="Needed when there is a picture. For example: Maureen outside the community centre with two volunteers.",
        error_messages={"max_length": "The description must be 250 characters or fewer"},
    )
    image_credit = forms.CharField(
        label="Picture credit (optional)",
        max_length=150,
        required=False,
        help_text="Who took the picture, as it should appear under it.",
    )
    image_shows_nominee = forms.TypedChoiceField(
        label="Does the picture show a person from the nominations?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="If it does, their consent to a photo is needed before the story is published.",
        error_messages={
            "required": "Select yes if the picture shows a person from the nominations"
        },
    )
    tags = forms.CharField(
        label="Tags (optional)",
        max_length=300,
        required=False,
        help_text="Separate tags with commas, for example: Good neighbour, Young people. New tags are added as you use them.",
    )
    area = forms.ModelChoiceField(
        label="Ward (optional)",
        queryset=Area.objects.filter(active=True),
        required=False,
        empty_label="Not a single ward",
        error_messages={"invalid_choice": "Select a ward from the list"},
    )

    def __init__(self, *args, story: Story, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story
        self.clean_image = None
        self.fields["hero_image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        if not story.hero_image:
            del self.fields["remove_image"]
        if story.area_id and not story.area.active:
            self.fields["area"].queryset = Area.objects.filter(active=True) | Area.objects.filter(
                pk=story.area_id
            )

    @staticmethod
    def initial_for(story: Story) -> dict:
        return {
            "title": story.title,
            "slug": story.slug,
            "summary": story.summary,
            "body_source": story.body_source,
            "hero_image_alt": story.hero_image_alt,
            "image_credit": story.image_credit,
            "image_shows_nominee": "yes" if story.image_shows_nominee else "no",
            "tags": ", ".join(tag.name for tag in story.tags.all()),
            "area": story.area_id,
        }

    def clean_hero_image(self):
        upload = self.cleaned_data.get("hero_image")
        if not upload:
            return None
        try:
            self.clean_image = image_clean(upload)
        except ImageRejected as error:
            raise forms.ValidationError(str(error).replace("photo", "picture")) from None
        return upload

    def clean_tags(self):
        names = [" ".join(name.split()) for name in self.cleaned_data["tags"].split(",")]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > 50]
        if too_long:
            raise forms.ValidationError(
                f"Each tag must be 50 characters or fewer: “{too_long[0][:50]}…” is too long"
            )
        return names

    def clean(self):
        data = super().clean()
        keeps_image = bool(self.story.hero_image) and not data.get("remove_image")
        has_image = self.clean_image is not None or (
            keeps_image and not self.errors.get("hero_image")
        )
        if has_image and not (data.get("hero_image_alt") or "").strip():
            self.add_error("hero_image_alt", "Describe the picture for people who cannot see it")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "slug": data["slug"],
            "summary": data["summary"],
            "body_source": data["body_source"],
            "hero_image_alt": data["hero_image_alt"],
            "image_credit": data["image_credit"],
            "image_shows_nominee": data["image_shows_nominee"],
            "tags": data["tags"],
            "area": data["area"],
            "image": self.clean_image,
            "remove_image": bool(data.get("remove_image")) and self.clean_image is None,
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The writer sees this in the story's history.",
        error_messages={"required": "Enter a comment saying what needs to change"},
    )


class PublishForm(forms.Form):
    when = forms.ChoiceField(
        label="When should the story be published?",
        choices=[("now", "Now"), ("schedule", "On a date and at a time")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select when the story should be published"},
    )
    publish_on = forms.DateField(
        label="Date (for a scheduled story)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as a real date, for example 27 3 2027"},
    )
    publish_time = forms.TimeField(
        label="Time (for a scheduled story)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="UK time, for example 09:30.",
        error_messages={"invalid": "Enter the time as hours and minutes, for example 09:30"},
    )

    def clean(self):
        data = super().clean()
        data["publish_at"] = None
        if data.get("when") != "schedule":
            return data
        if not data.get("publish_on") and "publish_on" not in self.errors:
            self.add_error("publish_on", "Enter the date to publish the story")
        if not data.get("publish_time") and "publish_time" not in self.errors:
            self.add_error("publish_time", "Enter the time to publish the story")
        if data.get("publish_on") and data.get("publish_time"):
            moment = timezone.make_aware(
                datetime.combine(data["publish_on"], data["publish_time"]),
                timezone.get_current_timezone(),
            )
            if moment <= timezone.now():
                self.add_error("publish_on", "The date and time to publish must be in the future")
            data["publish_at"] = moment
        return data


class TakeDownForm(forms.Form):
    kind = forms.ChoiceField(
        label="How should the story be taken down?",
        choices=[
            (Story.Takedown.ERROR, "Published in error: the page will say it is gone (410)"),
            (
                Story.Takedown.SUPERSEDED,
                "Replaced by another page: its address will lead there (301)",
            ),
            (
                Story.Takedown.WITHDRAWN,
                "Withdrawn: the page stays, with a dated notice and your explanation",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the story should be taken down"},
    )
    reason = forms.CharField(
        label="Why is it being taken down?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For staff only: kept in the story's history.",
        error_messages={"required": "Enter the reason for taking the story down"},
    )
    notice = forms.CharField(
        label="Explanation for the public (withdrawn stories)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the page with the date it was withdrawn.",
    )
    superseded_story = forms.ModelChoiceField(
        label="The story that replaces it (replaced stories)",
        queryset=Story.objects.none(),
        required=False,
        empty_label="Not another story",
        error_messages={"invalid_choice": "Choose a story that is published"},
    )
    superseded_path = forms.CharField(
        label="Or the address of a page on this site (replaced stories)",
        max_length=300,
        required=False,
        help_text="Starting with /, for example /heroes/. Only pages on this site.",
    )

    def __init__(self, *args, story: Story, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["superseded_story"].queryset = (
            Story.objects.filter(status=Story.Status.PUBLISHED)
            .exclude(pk=story.pk)
            .order_by("title")
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Story.Takedown.WITHDRAWN and not (data.get("notice") or "").strip():
            self.add_error("notice", "Enter the explanation the public will see on the page")
        if (
            data.get("kind") == Story.Takedown.SUPERSEDED
            and "superseded_story" not in self.errors
            and not data.get("superseded_story")
            and not (data.get("superseded_path") or "").strip()
        ):
            self.add_error(
                "superseded_story",
                "Choose the story that replaces this one, or enter the address of a page on this site",
            )
        return data


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Why is publishing paused?",
        max_length=200,
        help_text="Staff see this on every page while the pause lasts, for example: Pre-election period until 8 May.",
        error_messages={
            "required": "Enter the reason for pausing publishing",
            "max_length": "The reason must be 200 characters or fewer",
        },
    )


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label="Earlier revision", coerce=int)
    b = forms.TypedChoiceField(label="Later revision", coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(number, f"Revision {number}") for number in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
        for name in ("a", "b"):
            self.fields[name].error_messages["invalid_choice"] = "Select a revision from the list"
            self.fields[name].error_messages["required"] = "Select a revision from the list"
