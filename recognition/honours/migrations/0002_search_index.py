"""The search index of the roll of honour, which the models do not describe.

PostgreSQL: a generated tsvector column with a GIN index. SQLite: an FTS5 table
kept in step by triggers. See recognition/honours/search.py, whose
`ensure_search_index` also runs after every later `migrate`.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    from recognition.honours import search

    search.ensure_search_index(schema_editor.connection)


def drop_index(apps, schema_editor):
    from recognition.honours import search

    search.drop_search_index(schema_editor.connection)


def create_version(apps, schema_editor):
    apps.get_model("honours", "RollVersion").objects.using(
        schema_editor.connection.alias
    ).get_or_create(pk=1)  # counted when the first entry is listed


class Migration(migrations.Migration):
    dependencies = [("honours", "0001_roll_of_honour")]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
        migrations.RunPython(create_version, migrations.RunPython.noop),
    ]
