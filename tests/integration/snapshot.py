"""Every row of every table of a database (and, on PostgreSQL, where each sequence stands), read
straight from the engine, to compare a database before and after something happened to it."""

from __future__ import annotations

import sqlite3
from urllib.parse import unquote

import asyncpg


async def snapshot(database_url: str) -> dict[str, list[tuple]]:
    """{table: its rows, sorted}; sequences as "sequence:NAME" → [(last_value, is_called)]."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(unquote(database_url[len("sqlite:///"):]))
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {name: sorted((tuple(row) for row in conn.execute(f'SELECT * FROM "{name}"')), key=repr) for name in names}
        finally:
            conn.close()
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        names = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        tables = {name: sorted((tuple(row) for row in await conn.fetch(f'SELECT * FROM "{name}"')), key=repr) for name in names}
        for seq in await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
            row = await conn.fetchrow(f'SELECT last_value, is_called FROM "{seq["sequencename"]}"')
            tables[f"sequence:{seq['sequencename']}"] = [tuple(row)]
        return tables
    finally:
        await conn.close()
