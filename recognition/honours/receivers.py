"""Listens to nominations.signals.nominee_changed (sent inside the nominations services' transactions).

The receivers only hand over to services, in the same transaction: a consent
withdrawal and the name leaving the roll of honour are one change.
"""

from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver

from nominations.signals import nominee_changed
from recognition.honours import search, services
from recognition.honours.models import HonourEntry


@receiver(nominee_changed, dispatch_uid="honours.refresh_on_nominee_changed")
def refresh_entries(sender, nominee_ids, **kwargs):
    services.honour_entries_refresh(nominee_ids=nominee_ids)


@receiver(post_delete, sender=HonourEntry, dispatch_uid="honours.forget_deleted_entry")
def forget_deleted_entry(sender, instance, **kwargs):
    # A nominee erased (with their entry, by cascade) must not stay on a cached page.
    if instance.listed:
        services.roll_version_bump(listed_change=-1)


@receiver(post_migrate, dispatch_uid="honours.ensure_search_index")
def ensure_search_index(sender, app_config=None, using="default", **kwargs):
    if app_config is not None and app_config.label == "honours":
        from django.db import connections

        connection = connections[using]
        if HonourEntry._meta.db_table in connection.introspection.table_names():
            search.ensure_search_index(connection)
