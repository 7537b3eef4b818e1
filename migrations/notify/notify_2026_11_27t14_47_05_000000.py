"""The outbox's exactly-once keys and its work queue index, as raw SQL (Piccolo's Unique emits
ALTER TABLE … ADD CONSTRAINT, which SQLite rejects; raw steps run before table steps, hence a
migration of their own). Task rows are unique per (task, rule, deadline_version, recipient); digest
rows, which have no task, per (rule, deadline_version = the Monday, recipient)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_task_rule_version_recipient_uq "
    "ON notification (task, rule, deadline_version, recipient)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notification_digest_uq "
    "ON notification (rule, deadline_version, recipient) WHERE task IS NULL",
    "CREATE INDEX IF NOT EXISTS notification_queue_ix ON notification (state, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS notification_recipient_ix ON notification (recipient, id)",
]
INDEX_NAMES = [sql.split(" IF NOT EXISTS ")[1].split(" ")[0] for sql in INDEXES]


def _raw(sql):
    async def run():
        await Table.raw(sql).run()

    return run


async def _drop_indexes():
    for name in INDEX_NAMES:
        await Table.raw(f"DROP INDEX IF EXISTS {name}").run()


ID = "2026-11-27T14:47:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notify", description=DESCRIPTION)
    for sql in INDEXES:
        manager.add_raw(_raw(sql))
    manager.add_raw_backwards(_drop_indexes)
    return manager
