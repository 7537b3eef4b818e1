"""task.missed_due_on: the deadline a task had already missed when the office corrected it, so the
figures keep counting it late (an additive nullable column, the same DDL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "task missed_due_on"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def add_column():
        await Table.raw("ALTER TABLE task ADD COLUMN missed_due_on DATE").run()

    async def drop_column():
        await Table.raw("ALTER TABLE task DROP COLUMN missed_due_on").run()

    manager.add_raw(add_column)
    manager.add_raw_backwards(drop_column)
    return manager
