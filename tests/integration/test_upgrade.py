"""An upgrade as an operator does it: a database made and filled by the previous release (its code
taken from git history), then today's `dondoc migrate` on it: every row the old release wrote is
still there, column for column, and today's app serves from it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import httpx
import pytest

from app_lifespan import running
from scratch import drop_scratch_database, scratch_database_url
from snapshot import tables
from tasks.search import directive_text, fold, task_text
from tests.conftest import ROOT, run_migrate
from web.app import create_app
from web.settings import Settings

# The first migration of the release after the previous one: the previous release is the commit
# just before the one that added it.
FIRST_NEW_MIGRATION = "migrations/tasks/tasks_2026_12_01t09_00_00_000000.py"

# Tables a migration retires on purpose, and why their rows need not survive.
RETIRED = {
    # web 2026-12-02T02:00: the sign-in throttle counts in signin_counter; these rows only ever
    # mattered for 15 minutes, and a missing count errs towards letting a user try again.
    "login_attempt",
}

# Run inside the old release's code: its migrate, its demo (with a cheap password hash, as the
# tests use; the rows are the same), and one of its escalation passes so the outbox has rows.
OLD_RELEASE_FILL = """
import sys
from argon2 import PasswordHasher
import tasks.people
tasks.people._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
from web.cli import main
for argv in (["migrate"], ["seed-demo"], ["escalate", "--as-of", "2026-11-30T09:00"]):
    if main(argv) != 0:
        sys.exit(f"the previous release's dondoc {argv[0]} failed")
"""


def git(*args: str) -> str:
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True)
    if result.returncode != 0:
        pytest.fail(f"git {' '.join(args)}: {result.stderr.decode().strip()} — the upgrade test needs the "
                    "repository's history (in a shallow clone: git fetch --unshallow; .ci/run does it)", pytrace=False)
    return result.stdout.decode()


def previous_release(into: Path) -> str:
    """The previous release's code, unpacked into `into`; returns its commit."""
    added = git("log", "--diff-filter=A", "--reverse", "--format=%H", "--", FIRST_NEW_MIGRATION).split()
    if not added:
        pytest.fail(f"no commit adds {FIRST_NEW_MIGRATION}: is the git history complete?", pytrace=False)
    commit = git("rev-parse", f"{added[0]}^").strip()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "tasks", "notify", "web", "migrations"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


@pytest.fixture
async def old_url(database_url, tmp_path):
    url = await scratch_database_url(database_url, "ops_upgrade", tmp_path)
    yield url
    await drop_scratch_database(database_url, url)


async def test_a_database_of_the_previous_release_migrates_with_every_row_intact(old_url, tmp_path):
    old = tmp_path / "previous-release"
    commit = previous_release(old)
    assert not (old / FIRST_NEW_MIGRATION).exists()
    # The old code first on the path, run from its own folder (its .eml files land there too).
    env = {**os.environ, "DONDOC_DATABASE_URL": old_url, "PYTHONPATH": str(old), "DONDOC_SCHEDULER": "off"}
    env.pop("PICCOLO_CONF", None)
    result = subprocess.run([sys.executable, "-c", OLD_RELEASE_FILL], cwd=old, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"previous release {commit[:10]}:\n{result.stdout}\n{result.stderr}"
    before = await tables(old_url)
    for table in ("task", "app_user", "directive", "progress_report", "audit_event", "notification"):
        assert before[table][1], f"the previous release wrote rows into {table}"
    old_migrations = len(before["migration"][1])

    run_migrate(old_url)

    after = await tables(old_url)
    for table, (columns, rows) in before.items():
        if table in RETIRED:
            assert table not in after, f"{table} was to be retired"
            continue
        assert table in after, f"table {table} is gone"
        new_columns, new_rows = after[table]
        missing = [c for c in columns if c not in new_columns]
        assert not missing, f"{table} lost columns {missing}"
        positions = [new_columns.index(c) for c in columns]
        kept = sorted((tuple(row[i] for i in positions) for row in new_rows), key=repr)
        if table == "migration":
            assert set(rows) <= set(kept) and len(kept) > old_migrations
        else:
            assert kept == rows, f"rows of {table} changed in the upgrade"

    # The rows written before the search columns existed got their search text (tasks.search).
    columns, rows = after["directive"]
    directives = {r[columns.index("id")]: dict(zip(columns, r)) for r in rows}
    for d in directives.values():
        assert d["search"] == directive_text(d["number"], d["issuer"], d["summary"]) != ""
    columns, rows = after["task"]
    for t in (dict(zip(columns, r)) for r in rows):
        assert t["search"] == task_text(t["title"], t["description"], directives[t["directive"]]["search"]), t["id"]

    app = create_app(Settings(database_url=old_url))
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            assert (await c.get("/readyz")).json() == {"ready": True}
            r = await c.post("/api/v1/auth/token", json={"username": "vanphong", "password": "dondoc2026"})
            assert r.status_code == 200, r.text
            bearer = {"Authorization": f"Bearer {r.json()['token']}"}
            listed = await c.get("/api/v1/tasks?limit=1", headers=bearer)
            assert listed.status_code == 200 and listed.json()["total"] == len(before["task"][1])
            # An old task is found by its title typed without accents and in upper case.
            columns, rows = before["task"]
            old = dict(zip(columns, rows[0]))
            query = fold(old["title"]).upper()
            found = await c.get("/api/v1/tasks", params={"q": query, "limit": 500}, headers=bearer)
            assert old["id"] in [t["id"] for t in found.json()["items"]]
