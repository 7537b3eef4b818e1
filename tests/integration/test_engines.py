"""The engine matrix itself: PostgreSQL is required when asked for, and migrating is safe when
several instances start at once."""

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest

from tests.conftest import DEFAULT_TEST_POSTGRES_URL, ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_run_that_requires_postgresql_fails_when_it_is_missing(tmp_path):
    env = {**os.environ, "REQUIRE_POSTGRES": "1", "DONDOC_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/nowhere"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration/test_api_smoke.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert "REQUIRE_POSTGRES=1" in result.stdout
    assert "1 passed" in result.stdout  # the SQLite half still ran


def _migrate_twice_at_once(url: str) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DONDOC_DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-m", "web.cli", "migrate"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


async def _table_names(url: str) -> set[str]:
    conn = await asyncpg.connect(dsn=url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


def test_two_instances_migrating_a_fresh_sqlite_database_at_once_both_succeed(tmp_path):
    results = _migrate_twice_at_once(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]


def test_two_instances_migrating_a_fresh_postgresql_database_at_once_both_succeed():
    base = os.environ.get("DONDOC_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    fresh = base.rsplit("/", 1)[0] + "/dondoc_test_migrate"

    async def recreate():
        try:
            conn = await asyncpg.connect(dsn=base, timeout=5)
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL not reachable at {base}: {exc} (REQUIRE_POSTGRES=1)", pytrace=False)
            pytest.skip(f"PostgreSQL not reachable at {base}")
        try:
            await conn.execute("DROP DATABASE IF EXISTS dondoc_test_migrate")
            await conn.execute("CREATE DATABASE dondoc_test_migrate")
        finally:
            await conn.close()

    asyncio.run(recreate())
    results = _migrate_twice_at_once(fresh)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    assert {"task", "directive", "audit_event", "migration"} <= asyncio.run(_table_names(fresh))
