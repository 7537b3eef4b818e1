"""Notices (tasks.tables.Notice): what one person should hear of one change, their in-app inbox
and the source of the change emails. One row per (event, user); the inbox reads a user's newest
first, the pass reads those not yet queued. And the channel of each audit event (`via`: "" or
"email_link", the one-tap page of an email). The same DDL on both engines."""

from migrations.raw_indexes import statements_migration

ID = "2026-12-02T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notices: inbox items and change emails; audit channel"

FORWARDS = [
    "CREATE TABLE notice (id {serial}, "
    '"user" INTEGER NOT NULL REFERENCES app_user (id) ON DELETE RESTRICT, '
    "event INTEGER NOT NULL REFERENCES audit_event (id) ON DELETE RESTRICT, "
    "task INTEGER REFERENCES task (id) ON DELETE RESTRICT, "
    "kind VARCHAR(32) NOT NULL, role VARCHAR(4) NOT NULL DEFAULT 'to', "
    "created_at TIMESTAMPTZ NOT NULL, read_at TIMESTAMPTZ, queued_at TIMESTAMPTZ)",
    'CREATE UNIQUE INDEX notice_event_user ON notice (event, "user")',
    'CREATE INDEX notice_user_newest ON notice ("user", id)',
    'CREATE INDEX notice_user_unread ON notice ("user") WHERE read_at IS NULL',
    "CREATE INDEX notice_not_queued ON notice (id) WHERE queued_at IS NULL",
    "ALTER TABLE audit_event ADD COLUMN via VARCHAR(16) NOT NULL DEFAULT ''",
]
BACKWARDS = [
    "ALTER TABLE audit_event DROP COLUMN via",
    "DROP TABLE notice",
]

forwards = statements_migration(ID, "tasks", DESCRIPTION, FORWARDS, BACKWARDS)
