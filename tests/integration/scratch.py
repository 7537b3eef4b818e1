"""A database of its own for a test that must start from nothing (a fresh file on SQLite, a new
database beside the test database on PostgreSQL), on the engine of the `database_url` fixture."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg


async def scratch_database_url(database_url: str, name: str, tmp_path: Path) -> str:
    """An empty database named after `name`; on PostgreSQL it is dropped first if a run left it."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    parsed = urlparse(database_url)
    db_name = f"{parsed.path.lstrip('/')}_{name}"
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{db_name}"')
    finally:
        await conn.close()
    return urlunparse(parsed._replace(path="/" + db_name))


async def drop_scratch_database(database_url: str, scratch_url: str) -> None:
    """Drop what scratch_database_url(database_url, …) made (SQLite's file goes with tmp_path)."""
    if database_url.startswith("sqlite"):
        return
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(scratch_url).path.lstrip("/")}" WITH (FORCE)')
    finally:
        await conn.close()
