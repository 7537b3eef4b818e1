"""The search columns (tasks.search): `directive.search` (number, issuer and summary, folded) and
`task.search` (title and description, then its directive's search text), written from now on by
the services that write those texts. Both are added empty and filled here for the rows already
there, folded in Python by tasks.search (SQL cannot fold Vietnamese on SQLite), a batch of rows at
a time by id, the directives first since each task's text ends with its directive's. The same
DDL on both engines; on an empty database only the columns are added.

The texts are derived data: they are what tasks.search makes of the rows today. A later change to
that rule needs a migration of its own that rewrites them the same way (`backfill` below).
Backwards drops the columns."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from tasks.search import directive_text, task_text, write_search
from tasks.tables import Directive, Task

ID = "2026-12-03T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search columns of directives and tasks"

BATCH = 1000


async def add_columns() -> None:
    for table in ("directive", "task"):
        await Table.raw(f"ALTER TABLE {table} ADD COLUMN search TEXT NOT NULL DEFAULT ''").run()


async def drop_columns() -> None:
    for table in ("task", "directive"):
        await Table.raw(f"ALTER TABLE {table} DROP COLUMN search").run()


async def backfill() -> None:
    directives: dict[int, str] = {}
    last = 0
    while rows := await Table.raw(f"SELECT id, number, issuer, summary FROM directive WHERE id > {last} ORDER BY id LIMIT {BATCH}").run():
        texts = {r["id"]: directive_text(r["number"], r["issuer"], r["summary"]) for r in rows}
        await write_search(Directive, texts)
        directives.update(texts)
        last = rows[-1]["id"]
    last = 0
    while rows := await Table.raw(f"SELECT id, directive, title, description FROM task WHERE id > {last} ORDER BY id LIMIT {BATCH}").run():
        await write_search(Task, {r["id"]: task_text(r["title"], r["description"], directives.get(r["directive"], "")) for r in rows})
        last = rows[-1]["id"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        await add_columns()
        await backfill()

    manager.add_raw(run)
    manager.add_raw_backwards(drop_columns)
    return manager
