"""A benchmark's own database, emptied and migrated through the real `dondoc migrate`."""

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import asyncpg

ROOT = Path(__file__).resolve().parent.parent


def migrate(url: str) -> None:
    env = {**os.environ, "DONDOC_DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", "web.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"migrate failed:\n{result.stdout}\n{result.stderr}")


async def reset_postgres(url: str) -> None:
    """Create the database if it is missing and drop everything in it: never point this at data you keep."""
    admin_url, _, name = url.rpartition("/")
    conn = await asyncpg.connect(admin_url + "/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(engine: str, postgres_url: str) -> Iterator[str]:
    """The URL of an empty, migrated database: a SQLite file in a folder removed afterwards, or the
    PostgreSQL database at `postgres_url`, wiped first."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            migrate(url)
            yield url
    else:
        asyncio.run(reset_postgres(postgres_url))
        migrate(postgres_url)
        yield postgres_url
