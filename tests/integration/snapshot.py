"""Every row of every table of a database (and, on PostgreSQL, where each sequence stands), read
straight from the engine, to compare a database before and after something happened to it."""

from __future__ import annotations

import sqlite3
from urllib.parse import unquote

import asyncpg


async def tables(database_url: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """{table: (its column names, its rows sorted)}."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(unquote(database_url[len("sqlite:///"):]))
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            found = {}
            for name in names:
                cursor = conn.execute(f'SELECT * FROM "{name}"')
                found[name] = ([d[0] for d in cursor.description], sorted((tuple(r) for r in cursor), key=repr))
            return found
        finally:
            conn.close()
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        found = {}
        for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"):
            name = r["tablename"]
            columns = [c["column_name"] for c in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 "
                "ORDER BY ordinal_position", name)]
            rows = await conn.fetch(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{name}"')
            found[name] = (columns, sorted((tuple(row) for row in rows), key=repr))
        return found
    finally:
        await conn.close()


async def sequences(database_url: str) -> dict[str, tuple]:
    """PostgreSQL's sequences: {name: (last_value, is_called)}; none on SQLite."""
    if database_url.startswith("sqlite"):
        return {}
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        return {s["sequencename"]: tuple(await conn.fetchrow(f'SELECT last_value, is_called FROM "{s["sequencename"]}"'))
                for s in await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")}
    finally:
        await conn.close()


async def snapshot(database_url: str) -> dict[str, object]:
    """Every table's rows (and on PostgreSQL the sequences), comparable with ==."""
    found: dict[str, object] = {name: rows for name, (_, rows) in (await tables(database_url)).items()}
    found.update({f"sequence:{name}": value for name, value in (await sequences(database_url)).items()})
    return found
