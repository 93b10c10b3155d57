from django.contrib import admin

from council.admin import ReadOnlyAdmin
from recognition.honours.models import HonourEntry


@admin.register(HonourEntry)
class HonourEntryAdmin(ReadOnlyAdmin):
    """Read-only: citations are written and approved on /staff/heroes/, where every change is logged."""

    list_display = ["nominee", "display_name", "status", "listed", "category", "area"]
    list_filter = ["status", "listed", "campaign"]
    search_fields = ["nominee__name", "display_name", "citation"]
    list_select_related = ["nominee", "category", "area"]
    readonly_fields = [field.name for field in HonourEntry._meta.fields]
