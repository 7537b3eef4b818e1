"""A second transport: webhooks (notify.tables.Webhook), and the outbox rows that go to them.

- webhook: a signed JSON endpoint of one division or one user, exactly one of the two (a CHECK,
  which SQLite takes in CREATE TABLE as PostgreSQL does).
- notification.channel ('email' for every existing row) and notification.webhook (null for email).
- The two exactly-once keys gain channel and webhook: (task, rule, deadline_version, recipient,
  channel, COALESCE(webhook, 0)), and for the rows without a task (rule, deadline_version,
  recipient, channel, COALESCE(webhook, 0)). COALESCE, because a unique index treats NULLs as
  distinct on both engines: with the bare column every email row would be unique and a second
  pass would mail again. The old indexes go (a webhook row repeats its email row's old key).

Backwards drops the webhook rows first (the old keys cannot hold them), then all of the above.
The same DDL on both engines.
"""

from migrations.raw_indexes import statements_migration

ID = "2026-12-02T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhooks: a second transport for the outbox"

TASK_KEY = "(task, rule, deadline_version, recipient, channel, COALESCE(webhook, 0))"
DIGEST_KEY = "(rule, deadline_version, recipient, channel, COALESCE(webhook, 0)) WHERE task IS NULL"

FORWARDS = [
    "CREATE TABLE webhook (id {serial}, "
    "division INTEGER REFERENCES division (id) ON DELETE RESTRICT, "
    '"user" INTEGER REFERENCES app_user (id) ON DELETE RESTRICT, '
    "url VARCHAR(500) NOT NULL, secret VARCHAR(200) NOT NULL, active BOOLEAN NOT NULL DEFAULT true, "
    "created_at TIMESTAMPTZ NOT NULL, "
    'CONSTRAINT webhook_division_or_user CHECK ((division IS NULL) <> ("user" IS NULL)))',
    "ALTER TABLE notification ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'email'",
    "ALTER TABLE notification ADD COLUMN webhook INTEGER REFERENCES webhook (id) ON DELETE RESTRICT",
    f"CREATE UNIQUE INDEX notification_task_key_uq ON notification {TASK_KEY}",
    f"CREATE UNIQUE INDEX notification_untasked_key_uq ON notification {DIGEST_KEY}",
    "DROP INDEX IF EXISTS notification_task_rule_version_recipient_uq",
    "DROP INDEX IF EXISTS notification_digest_uq",
]
BACKWARDS = [
    "DELETE FROM notification WHERE channel <> 'email'",
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_task_rule_version_recipient_uq ON notification (task, rule, deadline_version, recipient)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_digest_uq ON notification (rule, deadline_version, recipient) WHERE task IS NULL",
    "DROP INDEX IF EXISTS notification_task_key_uq",
    "DROP INDEX IF EXISTS notification_untasked_key_uq",
    "ALTER TABLE notification DROP COLUMN webhook",
    "ALTER TABLE notification DROP COLUMN channel",
    "DROP TABLE webhook",
]

forwards = statements_migration(ID, "notify", DESCRIPTION, FORWARDS, BACKWARDS)
