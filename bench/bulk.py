"""Bulk loading for the benchmarks: rows as plain tuples, COPY on PostgreSQL, executemany in big
transactions on SQLite, into a database already migrated by `fresh_db.migrate`.

A load is a sequence of batches `(table, columns, rows)`; the same table may come back in several
batches, so a generator can hand over a million tasks a chunk at a time without holding them all.
Ids are given in the rows; afterwards each table's id sequence is moved past the largest one, so
the app can insert after the benchmark's rows.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from typing import Iterable, Sequence

import asyncpg

Batch = tuple[str, Sequence[str], Iterable[tuple]]


async def load_postgres(url: str, batches: Iterable[Batch]) -> None:
    conn = await asyncpg.connect(url)
    try:
        tables: list[str] = []
        for table, columns, rows in batches:
            await conn.copy_records_to_table(table, records=rows, columns=list(columns))
            if table not in tables:
                tables.append(table)
        for table in tables:
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # VACUUM as autovacuum would soon after a load: it sets the visibility map, without which
        # PostgreSQL cannot answer from an index alone and every figure would be a freshly-loaded one.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


def _utc_text(value: datetime) -> str:
    # As Piccolo writes a Timestamptz on SQLite: UTC, str() form; SQLite compares the text.
    return str(value.astimezone(timezone.utc))


def load_sqlite(path: str, batches: Iterable[Batch]) -> None:
    sqlite3.register_adapter(datetime, _utc_text)
    sqlite3.register_adapter(date, date.isoformat)
    db = sqlite3.connect(path)
    try:
        for table, columns, rows in batches:
            with db:  # one transaction per batch: a batch is thousands of rows
                db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows)
        db.execute("ANALYZE")
    finally:
        db.close()
