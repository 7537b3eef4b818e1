"""A unique index is the last word on "already there": a service that checks, then inserts, can lose
to another request doing the same between its check and its insert (two instances, two clerks
pressing Save at once). The database then refuses the second insert, and that refusal is the same
answer the check would have given: a Conflict (409), not a server error.

    async with unique_conflict(Conflict(...), "directive", ("issuer", "number")), db.transaction():
        if await Directive.exists().where(...): raise Conflict(...)
        await Directive.insert(...)

Only a violation of the named table's unique index on exactly those columns becomes the Conflict;
any other error goes through unchanged. Put it outside the transaction, so the transaction has
rolled back before the Conflict leaves."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import AsyncIterator

import asyncpg

from tasks.errors import Conflict


def is_unique_violation(exc: BaseException, table: str, columns: tuple[str, ...]) -> bool:
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        # detail: 'Key (issuer, number)=(UBND tỉnh, 12/KH) already exists.'
        return exc.table_name == table and (exc.detail or "").startswith(f"Key ({', '.join(columns)})=")
    if isinstance(exc, sqlite3.IntegrityError):
        return str(exc) == "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
    return False


@contextlib.asynccontextmanager
async def unique_conflict(conflict: Conflict, table: str, columns: tuple[str, ...]) -> AsyncIterator[None]:
    """Turn a violation of `table`'s unique index on `columns` inside the block into `conflict`."""
    try:
        yield
    except (asyncpg.exceptions.UniqueViolationError, sqlite3.IntegrityError) as exc:
        if is_unique_violation(exc, table, columns):
            raise conflict from None
        raise
