"""A version of the register (tasks and their supporting divisions), so a process can keep a list's
total until a task changes instead of counting every time (tasks.queries: at 1M tasks counting the
open ones reads 350,000 index entries per request).

register_version holds one row: `epoch`, random, set here (so versions of two databases, or of one
database rebuilt, never compare equal), and `n`, raised by triggers whenever task or task_support
rows change, in the same transaction. A reader that reads the version and then counts gets a count
at least as new as that version, so a total kept under a version is never older than it.

PostgreSQL: a deferred constraint trigger per table runs at commit, so the row lock on
register_version is the last lock a writer takes and is held only while it commits (an immediate
trigger would hold it from the first write on, serialising writers and deadlocking two that update
the same tasks in opposite orders); it bumps once per transaction (a transaction-local setting
remembers that it did); TRUNCATE (the tests empty tables so) has a statement trigger.
SQLite serialises writers anyway: a plain row trigger per event.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-01T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "register version for cached totals"

TABLES = ("task", "task_support")
EVENTS = ("insert", "update", "delete")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION register_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('dondoc.register_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('dondoc.register_bumped', txid_current()::text, true);
        UPDATE register_version SET n = n + 1;
    END IF;
    RETURN NULL;
END $$
"""


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def _run(sql: str) -> None:
    await Table.raw(sql).run()


async def create() -> None:
    await _run("CREATE TABLE IF NOT EXISTS register_version (id INTEGER PRIMARY KEY, epoch VARCHAR(32) NOT NULL, n BIGINT NOT NULL)")
    epoch = "lower(hex(randomblob(16)))" if _sqlite() else "md5(random()::text || clock_timestamp()::text)"
    await _run(f"INSERT INTO register_version (id, epoch, n) SELECT 1, {epoch}, 0 WHERE NOT EXISTS (SELECT 1 FROM register_version)")
    if _sqlite():
        for table in TABLES:
            for event in EVENTS:
                await _run(f"CREATE TRIGGER IF NOT EXISTS {table}_register_version_{event} AFTER {event.upper()} ON {table} "
                           "BEGIN UPDATE register_version SET n = n + 1; END")
    else:
        await _run(PG_FUNCTION)
        for table in TABLES:
            await _run(f"DROP TRIGGER IF EXISTS {table}_register_version ON {table}")
            await _run(f"CREATE CONSTRAINT TRIGGER {table}_register_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION register_version_bump()")
            # TRUNCATE fires no row trigger, and a constraint trigger cannot be on it.
            await _run(f"DROP TRIGGER IF EXISTS {table}_register_version_truncate ON {table}")
            await _run(f"CREATE TRIGGER {table}_register_version_truncate AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION register_version_bump()")


async def drop() -> None:
    for table in TABLES:
        if _sqlite():
            for event in EVENTS:
                await _run(f"DROP TRIGGER IF EXISTS {table}_register_version_{event}")
        else:
            await _run(f"DROP TRIGGER IF EXISTS {table}_register_version ON {table}")
            await _run(f"DROP TRIGGER IF EXISTS {table}_register_version_truncate ON {table}")
    if not _sqlite():
        await _run("DROP FUNCTION IF EXISTS register_version_bump()")
    await _run("DROP TABLE IF EXISTS register_version")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
