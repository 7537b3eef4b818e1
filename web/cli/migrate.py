"""Bring a database up to the latest migration; safe when several instances start at once."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import unquote, urlparse

import asyncpg

# Any constant: every dondoc process migrating the same PostgreSQL database takes this lock first.
ADVISORY_LOCK_KEY = 0x646F6E646F63


@contextlib.asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    if urlparse(database_url).scheme == "sqlite":
        path = Path(unquote(database_url[len("sqlite:///"):]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".migrate-lock"), "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    # Its own connection: Piccolo's migration queries open others, and the lock must outlive them.
    connection = await asyncpg.connect(dsn=database_url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
    finally:
        await connection.close()


PICCOLO_CONF = "migrations.piccolo_conf"


def piccolo_environment(database_url: str) -> dict[str, str]:
    """The environment under which Piccolo's runner finds this database: it reads its engine from
    a configuration module named in the environment, once per process."""
    return {"DONDOC_DATABASE_URL": database_url, "PICCOLO_CONF": PICCOLO_CONF}


async def migrate(database_url: str) -> str:
    """Runs Piccolo's forwards migrations for every app, in a process whose environment is
    `piccolo_environment(database_url)` (the `dondoc migrate` command's own), and says what it did
    in one line (Piccolo's own output, which calls every migration on disk "already complete",
    is kept for when a migration fails)."""
    if any(os.environ.get(k) != v for k, v in piccolo_environment(database_url).items()):
        raise RuntimeError("migrate() runs in a process set up by piccolo_environment(); use `dondoc migrate`")
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async with migration_lock(database_url):
        if urlparse(database_url).scheme == "sqlite":
            await _sqlite_wal(database_url)
        before = await _applied()
        piccolo_says = io.StringIO()
        with contextlib.redirect_stdout(piccolo_says):
            result = await run_forwards("all")
        if not result.success:
            raise RuntimeError(f"{result.message}\n{piccolo_says.getvalue()}")
        return summary(before, await _applied())


def summary(before: int, after: int) -> str:
    """What `dondoc migrate` did, from the migrations applied before and after it ran."""
    if before == 0:
        return f"Creating the database: {after} migration{'s' if after != 1 else ''} applied"
    if after > before:
        return f"Upgrading the database: {after - before} migration{'s' if after - before != 1 else ''} applied ({after} in all)"
    return f"The database is up to date: {after} migrations applied before, none to run"


async def _applied() -> int:
    """How many migrations this database has applied (none when Piccolo's table is not there yet)."""
    from piccolo.apps.migrations.tables import Migration

    return await Migration.count() if await Migration.table_exists().run() else 0


async def _sqlite_wal(database_url: str) -> None:
    """WAL lets readers go on while one instance writes; it is a property of the database file."""
    import aiosqlite

    async with aiosqlite.connect(unquote(database_url[len("sqlite:///"):])) as db:
        await db.execute("PRAGMA journal_mode=WAL")
