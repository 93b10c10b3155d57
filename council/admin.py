from django.contrib import admin

from council import services
from council.models import Area, AuditLogEntry, CivicYear, CouncilSettings, OutboundEmail


@admin.register(CouncilSettings)
class CouncilSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "short_name", "campaign_name", "campaign_hashtag"]}),
        (
            "Contact details",
            {
                "fields": [
                    "contact_email",
                    "contact_phone",
                    "postal_address",
                    "website_url",
                    "data_protection_officer_email",
                ]
            },
        ),
        ("Branding", {"fields": ["logo", "logo_alt_text", "brand_colour", "accent_colour"]}),
        # Pausing all publishing has its own page (/staff/stories/pause/), with a reason.
        ("Stories", {"fields": ["stories_self_approval"]}),
    ]

    def has_add_permission(self, request):
        return not CouncilSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.council_settings_update(
            actor=request.user,
            data={field: form.cleaned_data[field] for field in form.changed_data},
        )


@admin.register(CivicYear)
class CivicYearAdmin(admin.ModelAdmin):
    list_display = ["starts_on", "ends_on", "mayor_name", "mayor_title"]

    def save_model(self, request, obj, form, change):
        services.civic_year_save(actor=request.user, civic_year=obj, changed=form.changed_data)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        services.area_save(actor=request.user, area=obj, changed=form.changed_data)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "last_error"]
    list_filter = ["status"]
    search_fields = ["subject"]
