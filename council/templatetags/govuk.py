"""GOV.UK Design System markup for Django forms, used by every form on the site.

The form renderer (council.forms.GovukFormRenderer) lays out each field with
templates/govuk/field.html; these helpers give each widget its GOV.UK classes
and points it at its hint and error message for screen readers.
"""

from collections import OrderedDict
from contextlib import suppress

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}

_AUTOCOMPLETE = {"email": "email", "password": "current-password"}


@register.filter(name="govuk_described_by")
def _described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    for number, _error in enumerate(field.errors, start=1):
        ids.append(f"{field.auto_id}-error" + ("" if number == 1 else f"-{number}"))
    return " ".join(ids)


@register.filter
def govuk_character_count(field) -> int | None:
    """The limit shown by GOV.UK's character count, for a long text answer with a maximum."""
    if field.widget_type == "textarea" and getattr(field.field, "max_length", None):
        return field.field.max_length
    return None


@register.simple_tag
def govuk_widget(field):
    widget_type = field.widget_type
    css = _WIDGET_CLASSES.get(widget_type, "govuk-input")
    if field.errors and css != "govuk-checkboxes__input":
        css += f" {css}--error"
    extra = field.field.widget.attrs.get("class")
    attrs = {"class": f"{css} {extra}" if extra else css}
    described_by = _described_by(field)
    if govuk_character_count(field):
        # The count below says how many characters are left; the browser's own
        # hard limit would cut pasted text off without saying so.
        attrs["class"] += " govuk-js-character-count"
        field.field.widget.attrs.pop("maxlength", None)
        described_by = f"{field.auto_id}-info {described_by}".strip()
    if described_by:
        attrs["aria-describedby"] = described_by
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    if (
        input_type in ("text", "email", "number", "tel", "url", "password")
        and "spellcheck" not in widget.attrs
    ):
        # Spelling suggestions help with sentences, not with addresses and codes.
        attrs["spellcheck"] = (
            "true"
            if input_type == "text" and widget.attrs.get("type", "text") == "text"
            else "false"
        )
    # GOV.UK: hints go above the field, never as placeholder text that vanishes
    # as soon as someone types (allauth sets placeholders on its own forms).
    widget.attrs.pop("placeholder", None)
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_first_input_id(field) -> str:
    """Where the error summary's link goes: the field, or its first radio or checkbox."""
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def audit_label(action: str) -> str:
    """The plain-English words for an audit action."""
    from council.audit_labels import label

    return label(action)


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str, prefix: str = ""):
    """One link in the site's navigation, marked as current on its own page (or below `prefix`)."""
    href = reverse(url_name)
    path = context["request"].path if "request" in context else ""
    current = path == href or bool(prefix and path.startswith(prefix))
    if current:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
            href,
            label,
        )
    return format_html(
        '<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="{}">{}</a></li>',
        href,
        label,
    )


# The header and footer are the same for everyone who is not signed in, but for
# which navigation item is current, and they change only with the council's
# settings: each process renders them once per page address (header) or once
# (footer) and keeps the HTML, keyed by what they show, so a public page lays
# out only its own content. Signed-in people get the header rendered each time.
_LAYOUT_KEEP = 500
_kept_layout: OrderedDict[tuple, str] = OrderedDict()


def _council_key(council) -> tuple:
    return (
        council.pk,
        council.updated_at,
        council.name,
        council.short_name,
        council.campaign_name,
        council.logo.name if council.logo else "",
        council.logo_alt_text,
        council.contact_email,
        council.postal_address,
    )


def _kept(key: tuple, render) -> str:
    html = _kept_layout.get(key)
    if html is None:
        html = render()
        _kept_layout[key] = html
        if len(_kept_layout) > _LAYOUT_KEEP:
            with suppress(KeyError):  # another thread took the oldest first
                _kept_layout.popitem(last=False)
    return mark_safe(html)  # noqa: S308  (our own templates, autoescaped when rendered)


@register.simple_tag(takes_context=True)
def public_header(context):
    """The header and navigation for a visitor who is not signed in."""
    request, council, user = context.get("request"), context["council"], context.get("user")
    path = request.path if request is not None else ""
    return _kept(
        ("header", path, _council_key(council)),
        lambda: render_to_string(
            "includes/header.html", {"council": council, "user": user, "request": request}
        ),
    )


@register.simple_tag(takes_context=True)
def site_footer(context):
    council = context["council"]
    return _kept(
        ("footer", _council_key(council)),
        lambda: render_to_string("includes/footer.html", {"council": council}),
    )
