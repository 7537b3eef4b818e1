"""Trigram indexes for the search (tasks.search), PostgreSQL only: the pg_trgm extension and a GIN
index (`gin_trgm_ops`) on task.search and on directive.search, so each word's `search LIKE
'%word%'` is answered from the index instead of by reading every row (a two-word search at
100,000 tasks: bench/search.py, README "Search"). A word of fewer than three letters gives no
trigram and is checked on the rows the other words found.

SQLite has no such index (its LIKE reads the table: a few tens of milliseconds at 100,000 tasks).
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Backwards
drops the indexes and leaves the extension, which other objects may use."""

from migrations.raw_indexes import statements_migration

ID = "2026-12-03T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: trigram indexes on PostgreSQL"

FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS task_search_trgm_ix ON task USING gin (search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directive_search_trgm_ix ON directive USING gin (search gin_trgm_ops)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS directive_search_trgm_ix",
    "DROP INDEX IF EXISTS task_search_trgm_ix",
]

forwards = statements_migration(ID, "tasks", DESCRIPTION, FORWARDS, BACKWARDS, engine="postgres")
