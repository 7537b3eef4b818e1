"""The sign-in throttle's counters replace the log of failed attempts, and sessions carry the
user's credential version.

- signin_counter: one row per throttle key (web.tables.SigninCounter, the rule in
  tasks.throttle), changed only by conditional inserts and updates so that counting is atomic
  across instances. login_attempt goes: its rows only ever mattered for 15 minutes, and counting
  them could not be made atomic (two instances both saw 4 and both let a fifth check through).
- web_session.credential_version: sessions existing now were started under version 1, as every
  user's version is when the column arrives.
"""

from migrations.raw_indexes import statements_migration

ID = "2026-12-02T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sign-in counters, session credential version"

FORWARDS = [
    "CREATE TABLE IF NOT EXISTS signin_counter ("
    " key VARCHAR(70) PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, window_start TIMESTAMPTZ NOT NULL,"
    " locked_until TIMESTAMPTZ NULL, lockouts INTEGER NOT NULL DEFAULT 0, last_at TIMESTAMPTZ NOT NULL,"
    " version INTEGER NOT NULL DEFAULT 1)",
    "CREATE INDEX IF NOT EXISTS signin_counter_last_at_ix ON signin_counter (last_at)",
    "ALTER TABLE web_session ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1",
    "DROP TABLE IF EXISTS login_attempt",
]
BACKWARDS = [
    "CREATE TABLE IF NOT EXISTS login_attempt (id {serial}, at TIMESTAMPTZ NOT NULL,"
    " username VARCHAR(64) NOT NULL DEFAULT '', address VARCHAR(64) NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS login_attempt_username_at_ix ON login_attempt (username, at)",
    "CREATE INDEX IF NOT EXISTS login_attempt_address_at_ix ON login_attempt (address, at)",
    "ALTER TABLE web_session DROP COLUMN credential_version",
    "DROP TABLE IF EXISTS signin_counter",
]


forwards = statements_migration(ID, "web", DESCRIPTION, FORWARDS, BACKWARDS)
