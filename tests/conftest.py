"""Shared fixtures: every integration test runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from tasks.clock import FixedClock
from app_lifespan import running
from tasks.db import Db, close_engine, engine_from_url, is_sqlite, open_engine
from tasks.tables import ALL_TABLES
from web.tables import WEB_TABLES
from notify.tables import NOTIFY_TABLES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/dondoc_test"
# A Tuesday morning in Hà Nội (09:00 +07:00), far from Tết.
TUESDAY_2026_03_03_0900 = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)


def run_migrate(database_url: str) -> None:
    """Migrate through the real command line, as a user would (and because Piccolo's migration
    tooling finds its engine per process)."""
    env = {**os.environ, "DONDOC_DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-m", "web.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dondoc migrate failed:\n{result.stdout}\n{result.stderr}")


async def _reset_postgres(url: str) -> None:
    conn = await asyncpg.connect(dsn=url, timeout=5)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def create_database_if_missing(url: str) -> bool:
    """CREATE DATABASE for `url` when its server answers but the database is not there (a fresh
    machine: `make test` needs no createdb first), through the server's `postgres` maintenance
    database. True when it created it."""
    try:
        conn = await asyncpg.connect(dsn=url, timeout=5)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(url)
        name = unquote(parts.path.lstrip("/"))
        maintenance = await asyncpg.connect(dsn=urlunsplit(parts._replace(path="/postgres")), timeout=5)
        try:
            await maintenance.execute(f'CREATE DATABASE "{name.replace(chr(34), chr(34) * 2)}"')
        except asyncpg.DuplicateDatabaseError:
            return False  # another session created it meanwhile
        finally:
            await maintenance.close()
        return True
    await conn.close()
    return False


def postgres_url_or_skip() -> str:
    url = os.environ.get("DONDOC_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    try:
        asyncio.run(create_database_if_missing(url))
        asyncio.run(_reset_postgres(url))
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
        message = f"PostgreSQL not reachable at {url}: {exc}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'dondoc-test.sqlite3'}"
    else:
        url = postgres_url_or_skip()
    run_migrate(url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url):
    engine = engine_from_url(database_url)
    await open_engine(engine)
    yield engine
    await close_engine(engine)


async def _empty_tables(engine) -> None:
    names = [t._meta.tablename for t in ALL_TABLES + NOTIFY_TABLES + WEB_TABLES]
    if is_sqlite(engine):
        # Sub-tasks point at their parent ON DELETE RESTRICT, which SQLite checks row by row.
        await engine.run_ddl("UPDATE task SET parent = NULL WHERE parent IS NOT NULL")
        for name in reversed(names):
            await engine.run_ddl(f"DELETE FROM {name}")
    else:
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


@pytest.fixture
async def db(engine) -> Db:
    """A bound, empty database, as an app instance holds it."""
    database = Db(engine, NOTIFY_TABLES + WEB_TABLES)
    await _empty_tables(engine)
    return database


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Argon2 at its production cost takes ~0.1 s a hash; tests create many users. The algorithm
    and the code path stay the same, only the cost parameters drop."""
    from argon2 import PasswordHasher

    from tasks import passwords

    production = passwords.hasher
    passwords.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords.hasher = production


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TUESDAY_2026_03_03_0900)


@pytest.fixture
def settings(database_url):
    from web.settings import Settings

    return Settings(database_url=database_url, base_url="http://dondoc.test")


@pytest.fixture
async def app(db, settings, clock):
    from web.app import create_app

    app = create_app(settings, clock=clock, db=db)
    async with running(app):
        yield app


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
        yield c
