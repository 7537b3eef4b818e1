"""task_version: a counter the database bumps in the same transaction as every write to `task` or
`task_support`, so any app instance can tell, with one cheap read, whether a total it counted is
still the total (tasks/totals.py). A row updated by triggers, not a sequence: a sequence moves
before its transaction commits, so a reader could cache a count under a version whose data it
cannot see yet; the row's new value becomes visible together with the data.

PostgreSQL: statement-level triggers (a bulk insert bumps once), TRUNCATE included. SQLite:
row-level triggers (it has no others); it has no TRUNCATE (DELETE fires the triggers)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-01T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "task_version counter"

TABLES = ("task", "task_support")


def _engine_is_sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def create():
        await Table.raw("CREATE TABLE IF NOT EXISTS task_version (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").run()
        await Table.raw("INSERT INTO task_version (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING").run()
        if _engine_is_sqlite():
            for table in TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    await Table.raw(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_version_{event.lower()} AFTER {event} ON {table} "
                        "BEGIN UPDATE task_version SET n = n + 1 WHERE id = 1; END"
                    ).run()
            return
        await Table.raw(
            "CREATE OR REPLACE FUNCTION bump_task_version() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN UPDATE task_version SET n = n + 1 WHERE id = 1; RETURN NULL; END $$"
        ).run()
        for table in TABLES:
            await Table.raw(f"DROP TRIGGER IF EXISTS {table}_version ON {table}").run()
            await Table.raw(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_task_version()"
            ).run()

    async def drop():
        if _engine_is_sqlite():
            for table in TABLES:
                for event in ("insert", "update", "delete"):
                    await Table.raw(f"DROP TRIGGER IF EXISTS {table}_version_{event}").run()
        else:
            for table in TABLES:
                await Table.raw(f"DROP TRIGGER IF EXISTS {table}_version ON {table}").run()
            await Table.raw("DROP FUNCTION IF EXISTS bump_task_version()").run()
        await Table.raw("DROP TABLE IF EXISTS task_version").run()

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
