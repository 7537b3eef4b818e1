"""The command line's database: opened for one command, bound to the tables, closed after it.
Its own module so that every sub-command module can use it without importing web.cli back."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from piccolo.engine.base import Engine

from tasks.db import bind_tables, close_engine, engine_from_url, open_engine
from web.settings import Settings


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Engine]:
    engine = engine_from_url(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        yield engine
    finally:
        await close_engine(engine)
