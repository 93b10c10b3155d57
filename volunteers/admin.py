"""The Django admin for volunteering's reference lists, and a read-only view of volunteers.

Volunteers change their own profiles on their page, through services/profile.py;
the admin only shows them, so no change escapes the audit log.
"""

from django.contrib import admin

from council.admin import ReadOnlyAdmin
from volunteers.models import GuardianConsentLink, Interest, PostcodeCentroid, Skill, Volunteer


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PostcodeCentroid)
class PostcodeCentroidAdmin(admin.ModelAdmin):
    list_display = ["postcode", "latitude", "longitude"]
    search_fields = ["postcode"]


class GuardianConsentLinkInline(admin.TabularInline):
    model = GuardianConsentLink
    fields = ["email", "created_at", "expires_at", "superseded_at", "answered_at", "agreed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "postcode", "waiting_since", "source"]
    list_filter = ["status", "remote_only", "heard_from"]
    search_fields = ["full_name", "user__email", "postcode"]
    list_select_related = ["user", "source"]
    inlines = [GuardianConsentLinkInline]
