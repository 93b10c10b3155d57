from django.contrib import admin

from council.admin import ReadOnlyAdmin
from nominations import services
from nominations.models import Campaign, Category, NominationReceipt


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "opens_at", "closes_at", "is_award"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]

    def save_model(self, request, obj, form, change):
        services.campaign_save(campaign=obj, actor=request.user, changed=form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Categories changed with the campaign: the journey must offer the new ones.
        services.campaign_save(campaign=form.instance, actor=request.user, changed=["categories"])


@admin.register(NominationReceipt)
class NominationReceiptAdmin(ReadOnlyAdmin):
    """Nominations sent on the form, as received; the worker files them (read only here)."""

    list_display = ["reference", "received_at", "filed_at", "attempts", "last_error"]
    list_filter = [("filed_at", admin.EmptyFieldListFilter)]
    search_fields = ["reference"]
