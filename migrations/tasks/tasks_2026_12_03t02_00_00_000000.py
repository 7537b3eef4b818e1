"""A task's title takes up to 1,000 characters (tasks.text.LIMITS), twice the 500 the first migration
gave its column. On PostgreSQL the column is widened (`varchar(500)` → `varchar(1000)`: a change of
the type modifier only, no row is rewritten); SQLite does not hold a VARCHAR to its length, so there
it changes nothing. Descriptions and summaries are TEXT on both engines already."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-03T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "task titles up to 1,000 characters"


def _widen(length: int):
    async def run() -> None:
        if engine_finder().engine_type != "sqlite":
            await Table.raw(f"ALTER TABLE task ALTER COLUMN title TYPE VARCHAR({length})").run()

    return run


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_raw(_widen(1000))
    # Backwards only when no title is longer than 500: PostgreSQL refuses to cut one.
    manager.add_raw_backwards(_widen(500))
    return manager
