"""Search the roll of honour by name and words, through an index on either database.

Both databases see the same words: `search_words` turns text into lower-case
words without accents, and entries store them space-separated in
`HonourEntry.search_text`. Every word typed matches the start of a word in the
name or the citation ("maur cla" finds Maureen Clarke), and all must match.

- PostgreSQL: a stored `tsvector` column generated from `search_text` with the
  'simple' configuration (no stemming, no stop words), and a GIN index on it.
- SQLite: an FTS5 table with the same words, kept in step with the table by
  triggers.

Neither exists in the models, so `ensure_search_index` makes them: the migration
calls it, and so does every `migrate` afterwards (post_migrate), which repairs
the SQLite triggers should a later migration rebuild the table (SQLite drops a
table's triggers with it).
"""

import re
import unicodedata

from django.db import connection as default_connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

TABLE = "honours_honourentry"
FTS_TABLE = "honours_search"
PG_COLUMN = "search_vector"
PG_INDEX = "honours_search_vector_gin"
# The SQL below is put together from the constant names above only; every value is a parameter.
SQLITE_TRIGGERS = {
    "honours_search_insert": f"""
        CREATE TRIGGER honours_search_insert AFTER INSERT ON {TABLE}
        WHEN new.search_text != '' BEGIN
            INSERT INTO {FTS_TABLE}(rowid, words) VALUES (new.id, new.search_text);
        END""",  # noqa: S608  (constant names)
    "honours_search_update": f"""
        CREATE TRIGGER honours_search_update AFTER UPDATE OF search_text ON {TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT INTO {FTS_TABLE}(rowid, words)
                SELECT new.id, new.search_text WHERE new.search_text != '';
        END""",  # noqa: S608  (constant names)
    "honours_search_delete": f"""
        CREATE TRIGGER honours_search_delete AFTER DELETE ON {TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",  # noqa: S608  (constant names)
}

# More words than this in one search are ignored: each one narrows the results anyway.
MAX_TERMS = 6
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[^\W_]+")
# Joining characters inside a name: O'Neill is also found as "oneill", Smith-Jones as "smithjones".
_JOINED = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def search_words(text: str) -> list[str]:
    """The words of `text` as the index holds them: lower case, accents removed."""
    return _WORD.findall(_plain(text))


def indexed_text(*parts: str) -> str:
    """What an entry stores for the index: its words, plus joined-up forms of names like O'Neill."""
    words = []
    for part in parts:
        plain = _plain(part)
        words += _WORD.findall(plain)
        words += [re.sub(r"['’\-]", "", joined) for joined in _JOINED.findall(plain)]
    return " ".join(words)


def query_terms(query: str) -> list[str]:
    """The words of a search as typed, at most MAX_TERMS, each cut to a sensible length."""
    return [word[:MAX_TERM_LENGTH] for word in search_words(query)][:MAX_TERMS]


def matching(queryset: QuerySet, terms: list[str], *, connection=None) -> QuerySet:
    """Only the entries whose name or citation has a word starting with each of `terms`."""
    if not terms:
        return queryset
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        # Each term is letters and digits only, so it cannot break the query syntax.
        tsquery = " & ".join(f"'{term}':*" for term in terms)
        return queryset.filter(
            RawSQL(  # noqa: S611  (constant names; the query is a parameter)
                f"{TABLE}.{PG_COLUMN} @@ to_tsquery('simple'::regconfig, %s)",
                (tsquery,),
                output_field=BooleanField(),
            )
        )
    fts_query = " ".join(f'"{term}"*' for term in terms)
    return queryset.filter(
        pk__in=RawSQL(  # noqa: S611  (constant names; the query is a parameter)
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            (fts_query,),
        )
    )


def ensure_search_index(connection=None) -> None:
    """Make the search column or table and its index if missing. Safe to run again."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin ({PG_COLUMN})"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                "words, tokenize = 'unicode61 remove_diacritics 2')"
            )
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in SQLITE_TRIGGERS if name not in present]
            for name in missing:
                cursor.execute(SQLITE_TRIGGERS[name])
            if missing:
                # Triggers were lost (or never made): fill the index again from the table.
                cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608  (constant names)
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}(rowid, words) "  # noqa: S608  (constant names)
                    f"SELECT id, search_text FROM {TABLE} WHERE search_text != ''"
                )


def drop_search_index(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {PG_COLUMN}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
