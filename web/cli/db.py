"""The command line's database: opened for one command, bound to the tables, closed after it.
Its own module so that every sub-command module can use it without importing the main module back."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from tasks.db import Db
from web.app import app_db
from web.settings import Settings


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Db]:
    """The same Db an app instance makes, bound to every table."""
    db = app_db(settings.database_url)
    await db.open()
    try:
        yield db
    finally:
        await db.close()
