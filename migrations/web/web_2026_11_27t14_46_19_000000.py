"""Indexes for the web tables, as raw SQL in a migration of their own (raw steps run before a
migration's table steps). The session token is unique; attempts are counted by username and by
address over a recent window."""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS web_session_token_hash_uq ON web_session (token_hash)",
    "CREATE INDEX IF NOT EXISTS login_attempt_username_at_ix ON login_attempt (username, at)",
    "CREATE INDEX IF NOT EXISTS login_attempt_address_at_ix ON login_attempt (address, at)",
]

ID = "2026-11-27T14:46:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "web indexes"

forwards = index_migration(ID, "web", DESCRIPTION, INDEXES)
