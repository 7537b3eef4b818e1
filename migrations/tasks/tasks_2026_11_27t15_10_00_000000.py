"""Index for the reports' update rate: the progress reports of the last 7 days are found by time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-27T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "progress_report reported_at index"


async def _create():
    await Table.raw("CREATE INDEX IF NOT EXISTS progress_report_reported_at_ix ON progress_report (reported_at)").run()


async def _drop():
    await Table.raw("DROP INDEX IF EXISTS progress_report_reported_at_ix").run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
