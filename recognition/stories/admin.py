"""Stories in the Django admin: to look at, not to change.

Every change to a story goes through recognition/stories/services/workflow.py
(with its permission checks, revisions and audit log), from the staff pages at
/staff/stories/. Tags are simple labels and may be tidied here.
"""

from django.contrib import admin

from council.admin import ReadOnlyAdmin
from recognition.stories.models import Story, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "author", "published_at", "updated_at"]
    list_filter = ["status", "takedown_kind", "held_by_pause"]
    search_fields = ["title", "summary"]
    exclude = ["body", "nominations", "tags"]
