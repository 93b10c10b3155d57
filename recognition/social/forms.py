"""Forms for social posts and channels, with GOV.UK error messages."""

import re
from datetime import datetime

from django import forms
from django.utils import timezone

from council.images import ImageRejected, image_clean
from recognition.social.models import Channel, SocialPost
from recognition.social.text import Limits, counter_message, limits_for


class CountedTextarea(forms.Textarea):
    """A textarea whose counter message (below it) is read out with it by screen readers."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        info = f"{widget_attrs.get('id') or 'id_' + name}-info"
        described = widget_attrs.get("aria-describedby", "")
        if info not in described.split():
            widget_attrs["aria-describedby"] = f"{described} {info}".strip()
        return context


def _counted(field: forms.Field, text: str, limits: Limits, *, graphemes=None, limit=None) -> None:
    """Give a field the channel's counting rules, for the server's message and the live counter."""
    limit = limit or limits.characters
    counting = Limits(
        name=limits.name,
        characters=limit,
        graphemes=limits.graphemes if graphemes is None else graphemes,
        bytes=limits.bytes if limit == limits.characters else None,
        url_length=limits.url_length if limit == limits.characters else None,
        short_mentions=limits.short_mentions and limit == limits.characters,
    )
    field.counter_message = counter_message(text or "", counting)
    field.widget.attrs.update(
        {
            "data-counter-limit": str(counting.characters),
            "data-counter-graphemes": "true" if counting.graphemes else "false",
            "data-counter-bytes": str(counting.bytes or ""),
            "data-counter-url-length": str(counting.url_length or ""),
            "data-counter-short-mentions": "true" if counting.short_mentions else "false",
        }
    )


class PostForm(forms.Form):
    text = forms.CharField(
        label="Words of the post",
        widget=CountedTextarea(attrs={"rows": 8}),
        strip=False,
        template_name="social/counted_field.html",
        error_messages={"required": "Enter the words of the post"},
    )
    image = forms.FileField(
        label="Choose a different picture (optional)",
        required=False,
        help_text="A JPG, PNG or WEBP photo, smaller than 10MB.",
    )
    remove_image = forms.BooleanField(label="Post without a picture", required=False)
    image_alt = forms.CharField(
        label="Describe the picture for people who cannot see it (alt text)",
        required=False,
        widget=CountedTextarea(attrs={"rows": 3}),
        template_name="social/counted_field.html",
    )
    image_shows_nominee = forms.BooleanField(
        label="The picture shows a person from the story", required=False
    )

    def __init__(self, *args, post: SocialPost, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "text": post.text,
                "image_alt": post.image_alt,
                "image_shows_nominee": post.image_shows_nominee,
            },
        )
        super().__init__(*args, **kwargs)
        self.post = post
        limits = limits_for(post.channel)
        source = self.data if self.is_bound else self.initial
        _counted(self.fields["text"], source.get("text", ""), limits)
        _counted(
            self.fields["image_alt"],
            source.get("image_alt", ""),
            limits,
            graphemes=False,
            limit=limits.alt_text or 2000,
        )
        if not post.image:
            del self.fields["remove_image"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        try:
            return image_clean(upload)
        except ImageRejected as error:
            raise forms.ValidationError(str(error)) from None


def _moment(day, time):
    return timezone.make_aware(datetime.combine(day, time), timezone.get_current_timezone())


class ScheduleForm(forms.Form):
    when = forms.ChoiceField(
        label="When should the post go out?",
        choices=[
            ("now", "As soon as possible (within a minute)"),
            ("later", "On a date and at a time"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select when the post should go out"},
    )
    send_on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as a real date, for example 27 3 2027"},
    )
    send_time = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="UK time, for example 09:30.",
        error_messages={"invalid": "Enter the time as hours and minutes, for example 09:30"},
    )

    def clean(self):
        data = super().clean()
        data["send_at"] = timezone.now()
        if data.get("when") != "later":
            return data
        if not data.get("send_on") and "send_on" not in self.errors:
            self.add_error("send_on", "Enter the date the post should go out")
        if not data.get("send_time") and "send_time" not in self.errors:
            self.add_error("send_time", "Enter the time the post should go out")
        if data.get("send_on") and data.get("send_time"):
            moment = _moment(data["send_on"], data["send_time"])
            if moment <= timezone.now():
                self.add_error("send_on", "The date and time must be in the future")
            data["send_at"] = moment
        return data


class ReconcileForm(forms.Form):
    posted = forms.ChoiceField(
        label="Was it posted?",
        choices=[
            ("yes", "Yes, it is on the channel"),
            ("no", "No, it is not there: put it back to approved"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the post is on the channel"},
    )
    url = forms.URLField(
        label="Address of the post (if it was posted)",
        required=False,
        assume_scheme="https",
        help_text="Open the post on the channel and copy its address, starting with https://",
        error_messages={"invalid": "Enter the address of the post, starting with https://"},
    )

    def clean(self):
        data = super().clean()
        if data.get("posted") == "yes" and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "Enter the address of the post, starting with https://")
        return data


class ListFilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label="All channels",
        label="Channel",
    )
    state = forms.ChoiceField(
        choices=[("", "Not sent yet, any state")]
        + [(value, label) for value, label in SocialPost.State.choices if value != "sent"],
        required=False,
        label="State",
    )


class HistoryFilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label="All channels",
        label="Channel",
    )
    removal = forms.ChoiceField(
        choices=[("", "Any")] + [c for c in SocialPost.Removal.choices if c[0]],
        required=False,
        label="Removed after consent changed",
    )


class ChannelKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of channel is it?",
        choices=Channel.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of channel"},
    )


APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
HANDLE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")

SECRET_LABELS = {
    Channel.Kind.MASTODON: (
        "Access token",
        "From the instance's Preferences, Development, New application, with the scopes "
        "read:accounts, write:statuses and write:media.",
    ),
    Channel.Kind.BLUESKY: (
        "App password",
        "From Bluesky's Settings, Privacy and security, App passwords: four groups of four "
        "letters and numbers. Never the account's own password.",
    ),
    Channel.Kind.FACEBOOK: (
        "Page access token",
        "A long-lived Page access token with the pages_manage_posts and pages_read_engagement "
        "permissions.",
    ),
}


class ChannelForm(forms.ModelForm):
    """A channel's settings. The credentials are write-only: never shown, kept when left empty."""

    server_url = forms.URLField(required=False, assume_scheme="https")
    secret_value = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = Channel
        fields = ["name", "active", "server_url", "account", "max_characters"]
        labels = {
            "name": "Name staff see",
            "active": "Active: draft posts for this channel",
            "max_characters": "Longest post, in characters",
        }
        error_messages = {
            "name": {
                "required": "Enter a name for the channel",
                "unique": "There is already a channel with this name",
            },
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        new = self.instance.pk is None
        fields = self.fields
        if kind == Channel.Kind.MASTODON:
            fields["server_url"].label = "Address of the Mastodon server"
            fields["server_url"].help_text = "For example https://mastodon.social"
        elif kind == Channel.Kind.BLUESKY:
            fields["server_url"].label = "Address of the account's server (optional)"
            fields["server_url"].help_text = "Leave empty for accounts on https://bsky.social"
        else:
            del fields["server_url"]
        if kind == Channel.Kind.BLUESKY:
            fields["account"].label = "Handle"
            fields["account"].help_text = "For example council.bsky.social (without the @)"
        elif kind == Channel.Kind.FACEBOOK:
            fields["account"].label = "Page id"
            fields[
                "account"
            ].help_text = "The number in the Page's About section, under Page transparency"
        else:
            del fields["account"]
        if kind not in (Channel.Kind.CONSOLE, Channel.Kind.MEMORY):
            del fields["max_characters"]
        else:
            fields["max_characters"].help_text = "Leave empty for the usual limit."
        if kind in SECRET_LABELS:
            label, hint = SECRET_LABELS[kind]
            fields["secret_value"].label = label if new else f"New {label.lower()} (optional)"
            fields["secret_value"].help_text = (
                hint
                if new
                else (
                    f"The stored {label.lower()} is kept and never shown. Enter a new one to replace it. {hint}"
                )
            )
        else:
            del fields["secret_value"]

    def clean_server_url(self):
        url = (self.cleaned_data.get("server_url") or "").rstrip("/")
        if self.kind == Channel.Kind.MASTODON and not url:
            raise forms.ValidationError("Enter the address of the Mastodon server")
        if url and not url.startswith("https://"):
            raise forms.ValidationError("Enter an address starting with https://")
        return url

    def clean_account(self):
        account = (self.cleaned_data.get("account") or "").strip().lstrip("@").lower()
        if self.kind == Channel.Kind.BLUESKY:
            if not account:
                raise forms.ValidationError("Enter the account's handle, like council.bsky.social")
            if not HANDLE.match(account):
                raise forms.ValidationError(
                    "Enter a handle like council.bsky.social: letters, numbers, dots and hyphens"
                )
        if self.kind == Channel.Kind.FACEBOOK:
            if not account:
                raise forms.ValidationError("Enter the Page id")
            if not account.isdigit():
                raise forms.ValidationError(
                    "Enter the Page id: it is a number, like 104123456789012"
                )
        return account

    def clean_secret_value(self):
        secret = self.cleaned_data.get("secret_value", "")
        label = SECRET_LABELS.get(self.kind, ("credentials", ""))[0].lower()
        if not secret:
            if self.instance.pk is None:
                raise forms.ValidationError(f"Enter the {label}")
            return ""
        if self.kind == Channel.Kind.BLUESKY and not APP_PASSWORD.match(secret.lower()):
            raise forms.ValidationError(
                "Enter an app password, like abcd-efgh-ijkl-mnop. Do not use the account's own password"
            )
        if any(character.isspace() for character in secret):
            raise forms.ValidationError(f"The {label} cannot contain spaces")
        return secret

    def credentials(self) -> dict | None:
        """The new credentials to store, or None to keep the stored ones."""
        secret = self.cleaned_data.get("secret_value")
        if not secret:
            return None
        key = {
            Channel.Kind.MASTODON: "access_token",
            Channel.Kind.BLUESKY: "app_password",
            Channel.Kind.FACEBOOK: "page_token",
        }[self.kind]
        return {key: secret.lower() if self.kind == Channel.Kind.BLUESKY else secret}
