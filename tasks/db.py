"""The database: one `Db` per app instance (or command-line run), built from a URL, that binds the
tables once and is the one way to open a transaction and to ask which engine it is."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import AsyncIterator, Iterable
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from piccolo.table import Table

from tasks.tables import ALL_TABLES

SQLITE_BUSY_TIMEOUT_S = 30


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
