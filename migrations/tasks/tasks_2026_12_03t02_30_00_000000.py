"""Each division's calendar feed has a version (tasks.tables.Division.feed_version), part of what
its secret URL is signed over (web.feeds): the admin rotates one division's feed URL by moving it,
and every other feed, and the secret key, stay as they were. 0 for every division: the URLs given
out before keep working until their division's is rotated. The same DDL on both engines."""

from migrations.raw_indexes import statements_migration

ID = "2026-12-03T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "division: calendar feed version"

FORWARDS = ["ALTER TABLE division ADD COLUMN feed_version INTEGER NOT NULL DEFAULT 0"]
BACKWARDS = ["ALTER TABLE division DROP COLUMN feed_version"]

forwards = statements_migration(ID, "tasks", DESCRIPTION, FORWARDS, BACKWARDS)
