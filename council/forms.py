from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Every form and field on the site renders with the GOV.UK templates."""

    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"
