from django.contrib import admin

from nominations.models import Campaign, Category


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "opens_at", "closes_at", "is_award"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]
