"""A fresh machine: the test run creates its PostgreSQL database when the server answers and the
database is missing (tests/conftest.py), and `dondoc migrate` on an empty database says it is
creating it, not that every migration is "already complete". Both engines, on throwaway databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.conftest import DEFAULT_TEST_POSTGRES_URL, ROOT, create_database_if_missing, postgres_url_or_skip

MIGRATIONS = len(list(Path(ROOT, "migrations").glob("*/*_20*.py")))


def throwaway_postgres_url(suffix: str) -> str:
    """A database beside the test database that nothing else uses, dropped if a past run left it."""
    base = os.environ.get("DONDOC_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"{parts.path}_{suffix}_{os.getpid()}"))
    try:
        asyncio.run(_drop(url))
    except (OSError, asyncio.TimeoutError) as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL not reachable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return url


async def _drop(url: str) -> None:
    parts = urlsplit(url)
    conn = await asyncpg.connect(dsn=urlunsplit(parts._replace(path="/postgres")), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
    finally:
        await conn.close()


async def _exists(url: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn=url, timeout=5)
    except asyncpg.InvalidCatalogNameError:
        return False
    await conn.close()
    return True


def test_the_test_run_creates_its_postgres_database_when_it_is_missing(monkeypatch):
    url = throwaway_postgres_url("created")
    try:
        assert not asyncio.run(_exists(url))
        monkeypatch.setenv("DONDOC_TEST_POSTGRES_URL", url)
        assert postgres_url_or_skip() == url  # what every PostgreSQL test's fixture runs first
        assert asyncio.run(_exists(url))
        assert asyncio.run(create_database_if_missing(url)) is False  # there now: left alone
    finally:
        asyncio.run(_drop(url))


def migrate(url: str) -> str:
    result = subprocess.run([sys.executable, "-m", "web.cli", "migrate"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DONDOC_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_migrate_on_a_fresh_database_says_it_is_creating_it(engine, tmp_path):
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        url = throwaway_postgres_url("migrate")
        asyncio.run(create_database_if_missing(url))
    try:
        first = migrate(url)
        assert first.strip() == f"dondoc migrate: Creating the database: {MIGRATIONS} migrations applied", first
        assert "already complete" not in first
        again = migrate(url)
        assert again.strip() == f"dondoc migrate: The database is up to date: {MIGRATIONS} migrations applied before, none to run"
    finally:
        if engine == "postgres":
            asyncio.run(_drop(url))


def test_an_upgrade_says_how_many_migrations_it_applied():
    from web.cli.migrate import summary

    assert summary(16, 18) == "Upgrading the database: 2 migrations applied (18 in all)"
    assert summary(17, 18) == "Upgrading the database: 1 migration applied (18 in all)"
