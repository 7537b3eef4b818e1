"""The outbox's exactly-once keys and its work queue index, as raw SQL (Piccolo's Unique emits
ALTER TABLE … ADD CONSTRAINT, which SQLite rejects; raw steps run before table steps, hence a
migration of their own). Task rows are unique per (task, rule, deadline_version, recipient); digest
rows, which have no task, per (rule, deadline_version = the Monday, recipient)."""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_task_rule_version_recipient_uq "
    "ON notification (task, rule, deadline_version, recipient)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_digest_uq "
    "ON notification (rule, deadline_version, recipient) WHERE task IS NULL",
    "CREATE INDEX IF NOT EXISTS notification_queue_ix ON notification (state, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS notification_recipient_ix ON notification (recipient, id)",
]

ID = "2026-11-27T14:47:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox indexes"

forwards = index_migration(ID, "notify", DESCRIPTION, INDEXES)
