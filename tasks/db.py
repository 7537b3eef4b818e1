"""The database: one `Db` per app instance (or command-line run), built from a URL, that binds the
tables once and is the one way to open a transaction and to ask which engine it is."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Mapping, Sequence
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from tasks.tables import ALL_TABLES

SQLITE_BUSY_TIMEOUT_S = 30
# Bound parameters in one statement: asyncpg takes at most 32,767, SQLite (as Debian builds it) 250,000.
MAX_PARAMETERS = 32_000


def engine_from_url(url: str) -> Engine:
    """`sqlite:///relative/path.sqlite3`, `sqlite:////absolute/path` or `postgresql://…`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :])
        if not path:
            raise ValueError("sqlite URL needs a path: sqlite:///var/dondoc.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
    if parsed.scheme in ("postgresql", "postgres"):
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r}: use sqlite:/// or postgresql://")


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


async def open_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


@contextlib.asynccontextmanager
async def transaction(engine: Engine) -> AsyncIterator[None]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
    read-then-write cannot fail halfway with "database is locked"."""
    if is_sqlite(engine):
        txn = engine.transaction(transaction_type=TransactionType.immediate)
        try:
            async with txn:
                yield
        except BaseException:
            # If BEGIN or COMMIT itself failed, Piccolo leaves the connection open and its thread
            # keeps the process alive.
            connection = getattr(txn, "connection", None)
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            raise
    else:
        async with engine.transaction():
            yield


async def insert_rows(table: type[Table], rows: Sequence[Mapping[str, Any]], returning: Sequence[str] = ()) -> list[dict]:
    """Insert `rows` (column name → value) with one multi-row INSERT per chunk, as a batch writer
    does: building a Piccolo object per row costs more than the database work. Every column of the
    table is written, a value a row leaves out taking the column's default from `tasks.tables`, so
    a new column needs nothing here; values go to the driver as they are (a StrEnum is a str).
    With `returning` (column names, the primary key among them) it gives back those columns of
    each row, in the order of `rows`: a single INSERT numbers its rows in the order of its VALUES
    on both engines, so sorting by the key restores that order. Call it inside the transaction of
    the change (it runs in the engine's current transaction, as Piccolo's own queries do)."""
    columns = [c for c in table._meta.columns if not c._meta.primary_key]
    names = {c._meta.name for c in columns}
    for row in rows:
        if unknown := set(row) - names:
            raise ValueError(f"{table._meta.tablename} has no column {', '.join(sorted(unknown))}")
    key = table._meta.primary_key._meta.name
    if returning and key not in returning:
        raise ValueError(f"returning needs the primary key {key!r} to keep the rows in order")
    engine = table._meta.db
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    defaults = [(c._meta.name, c.get_default_value()) for c in columns]
    # Names quoted, as Piccolo quotes them: notice.user is a keyword of PostgreSQL's.
    head = f"INSERT INTO {_quoted([table._meta.tablename])} ({_quoted(name for name, _ in defaults)}) VALUES "
    tail = f" RETURNING {_quoted(returning)}" if returning else ""
    out: list[dict] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        params = [row[name] if name in row else default for row in chunk for name, default in defaults]
        statement = _Compiled(head + _placeholders(engine, len(chunk), len(columns)) + tail, params)
        inserted = engine.transform_response_to_dicts(await engine.run_querystring(statement) or [])
        if returning:
            if len(inserted) != len(chunk):
                raise RuntimeError(f"{table._meta.tablename}: {len(chunk)} rows inserted, {len(inserted)} returned")
            out += sorted(inserted, key=lambda r: r[key])
    return out


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


class _Compiled(QueryString):
    """A statement already in the engine's own placeholders, run by the engine like any Piccolo
    query (so inside its current transaction). Piccolo's `{}` templates cost more per value than
    the database does when a batch holds a hundred thousand of them."""

    __slots__ = ("_statement",)

    def __init__(self, sql: str, params: list[Any]) -> None:
        super().__init__("")
        self._statement = (sql, params)

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self._statement


def _placeholders(engine: Engine, rows: int, columns: int) -> str:
    if is_sqlite(engine):
        row = "(" + ", ".join("?" for _ in range(columns)) + ")"
        return ", ".join(row for _ in range(rows))
    return ", ".join("(" + ", ".join(f"${r * columns + c + 1}" for c in range(columns)) + ")" for r in range(rows))


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"dondoc:{name}".encode()).digest()[:8], "big", signed=True)


class Db:
    """The engine of one process, bound to every table it was given (the register's, and the
    notify and web tables the composition root adds), with the transaction services write in."""

    def __init__(self, engine: Engine, tables: Iterable[type[Table]] = ()) -> None:
        self.engine = engine
        self.tables = (*ALL_TABLES, *tables)
        self.bind()

    def bind(self) -> None:
        """Point every table at this engine; there is no module-level engine. (Again when an app
        starts, for a process that holds several, as the tests do.)"""
        for table in self.tables:
            table._meta.db = self.engine

    @classmethod
    def from_url(cls, url: str, tables: Iterable[type[Table]] = ()) -> "Db":
        return cls(engine_from_url(url), tables)

    @property
    def kind(self) -> str:
        return self.engine.engine_type

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        return transaction(self.engine)

    async def hold(self, name: str) -> None:
        """Inside `transaction()`: wait until no other transaction holds the lock `name`, then hold
        it until this one ends, on every instance. For a read-then-write that no unique index
        guards (on PostgreSQL a transaction-scoped advisory lock; on SQLite the write transaction
        already excludes every other writer)."""
        if not self.is_sqlite:
            await self.engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", _lock_key(name)))

    async def open(self) -> None:
        await open_engine(self.engine)

    async def close(self) -> None:
        await close_engine(self.engine)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database did not answer (restarting, unreachable, out of connections,
    a connection lost in the middle, SQLite locked past its timeout) rather than that something is
    wrong with the request: the web layer then answers 503, to be tried again."""
    import sqlite3

    import asyncpg

    if isinstance(exc, (asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.PostgresConnectionError,
                        asyncpg.exceptions.InsufficientResourcesError, asyncpg.exceptions.InterfaceError,
                        asyncpg.exceptions.InternalClientError, ConnectionError, TimeoutError)):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
