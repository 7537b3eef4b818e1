"""`dondoc backup FILE` → the database wiped → `dondoc restore FILE`: every table as it was, and the
app serves from it. Through the real command line, on both engines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import httpx
import pytest

from app_lifespan import running
from scratch import drop_scratch_database, scratch_database_url
from snapshot import snapshot
from tests.conftest import ROOT
from notify.mailer import MemoryMailer
from notify.passes import Notifier
from web.app import app_db, create_app
from web.cli.demo import DEMO_PASSWORD, seed_demo
from web.settings import Settings

ZONE = "Asia/Ho_Chi_Minh"
TUESDAY_2026_12_01_0900 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def dondoc(database_url: str, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DONDOC_DATABASE_URL": database_url, "DONDOC_PASSWORD": "mat-khau-moi-2026"}
    result = subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"dondoc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


async def wipe(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = Path(database_url[len("sqlite:///"):])
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return
    conn = await asyncpg.connect(dsn=database_url, timeout=5)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def sign_in_once_wrong_then_right(database_url: str) -> None:
    """Sessions and sign-in attempts are tables too: put rows in them as a user would."""
    app = create_app(Settings(database_url=database_url))
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await c.get("/signin")).text).group(1)
            r = await c.post("/signin", data={"username": "vanphong", "password": "sai", "_csrf_token": token})
            assert r.status_code == 401
            r = await c.post("/signin", data={"username": "vanphong", "password": DEMO_PASSWORD, "_csrf_token": token})
            assert r.status_code == 303
            r = await c.post("/signin", data={"username": "giamdoc", "password": "sai", "_csrf_token": token})
            assert r.status_code == 401


@pytest.fixture(scope="module")
async def filled_url(database_url, tmp_path_factory):
    """Filled once per engine (the demo takes a while on SQLite); each test leaves it as it found
    it, or with more rows."""
    tmp_path = tmp_path_factory.mktemp("backup")
    url = await scratch_database_url(database_url, "ops_backup", tmp_path)
    dondoc(url, "migrate", cwd=tmp_path)
    # The demo department (in this process, where passwords hash quickly), and a pass on a working
    # morning, so the outbox has its rows.
    db = app_db(url)
    await db.open()
    try:
        await seed_demo(db, TUESDAY_2026_12_01_0900, ZONE)
        await Notifier(db, MemoryMailer(), timezone=ZONE, base_url="http://dondoc.test", mail_from="dondoc <d@x>").run_pass(TUESDAY_2026_12_01_0900)
    finally:
        await db.close()
    await sign_in_once_wrong_then_right(url)
    yield url
    await drop_scratch_database(database_url, url)


async def test_backup_then_wipe_then_restore_gives_back_every_table_and_the_app_serves_from_it(filled_url, tmp_path):
    before = await snapshot(filled_url)
    for table in ("task", "app_user", "notification", "audit_event", "web_session", "signin_counter", "migration"):
        assert before[table], f"{table} has rows to compare"

    backup_file = tmp_path / "backups" / "dondoc.backup"
    out = dondoc(filled_url, "backup", str(backup_file), cwd=tmp_path)
    assert backup_file.is_file() and "written to" in out.stdout
    await wipe(filled_url)
    assert (await snapshot(filled_url)).get("task") is None

    dondoc(filled_url, "restore", str(backup_file), cwd=tmp_path)
    assert await snapshot(filled_url) == before

    app = create_app(Settings(database_url=filled_url))
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            assert (await c.get("/readyz")).json() == {"ready": True}
            r = await c.post("/api/v1/auth/token", json={"username": "giamdoc", "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            tasks = await c.get("/api/v1/tasks", headers={"Authorization": f"Bearer {r.json()['token']}"})
            assert tasks.status_code == 200 and tasks.json()["total"] == len(before["task"])
    # New rows take new ids (PostgreSQL's sequences came back with the tables).
    dondoc(filled_url, "create-user", "ketoan.moi", "--role", "office", "--email", "ketoan@sct.example.vn", cwd=tmp_path)


async def test_restore_refuses_a_file_that_is_not_a_backup_and_leaves_the_database_alone(filled_url, tmp_path):
    before = await snapshot(filled_url)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("không phải bản sao lưu\n", encoding="utf-8")
    result = dondoc(filled_url, "restore", str(not_a_backup), cwd=tmp_path, check=False)
    assert result.returncode == 1 and "is not a dondoc" in result.stderr
    missing = dondoc(filled_url, "restore", str(tmp_path / "missing.backup"), cwd=tmp_path, check=False)
    assert missing.returncode == 1 and "no backup at" in missing.stderr
    assert await snapshot(filled_url) == before
