"""Each user's credential version (tasks.tables.User.credential_version): API tokens and page
sessions carry the version they were issued under, and a password change or reset, a deactivation
or a role change raises it, which revokes them at once. Existing users start at 1, as new ones do.
The same DDL on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "user credential version"


async def add() -> None:
    await Table.raw("ALTER TABLE app_user ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1").run()


async def drop() -> None:
    await Table.raw("ALTER TABLE app_user DROP COLUMN credential_version").run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
