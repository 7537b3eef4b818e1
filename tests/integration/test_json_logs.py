"""`DONDOC_LOG_FORMAT=json dondoc serve`: every line it writes is one JSON object; each request is
logged once with its id, route, status, duration and user, and no password or token ever is."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT, run_migrate
from tasks import accounts
from web.app import app_db
from web.auth import issue_token
from tasks.permissions import Actor, Role

PASSWORD = "mat-khau-bi-mat-9137"
SECRET_KEY = "json-log-test-secret-key-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'logs.sqlite3'}"
    run_migrate(url)
    return url


async def test_json_logs_are_one_object_a_line_with_the_request_fields_and_no_secret(sqlite_url, tmp_path, clock):
    db = app_db(sqlite_url)
    await db.open()
    user = await accounts.create_user(db, None, clock.now(), username="vanphong", full_name="Văn phòng", email="vp@sct.example.vn",
                                      role="office", division_code=None, password=PASSWORD)
    await db.close()
    port = free_port()
    env = {**os.environ, "DONDOC_DATABASE_URL": sqlite_url, "DONDOC_LOG_FORMAT": "json", "DONDOC_SCHEDULER": "off",
           "DONDOC_SECRET_KEY": SECRET_KEY, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "dondoc serve did not start"
                time.sleep(0.1)
        refused = httpx.post(f"{base}/api/v1/auth/token", json={"username": "vanphong", "password": PASSWORD + "x"})
        token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "vanphong", "password": PASSWORD}).json()["token"]
        listed = httpx.get(f"{base}/api/v1/tasks", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-77"})
        assert refused.status_code == 401 and listed.status_code == 200
        # A token of the same user minted here, as a client would send it in a URL by mistake.
        other = issue_token(Actor(id=user["id"], username="vanphong", role=Role.OFFICE), clock.now(), SECRET_KEY, 12)
        httpx.get(f"{base}/no-such-page?token={other}")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line parses: nothing but JSON objects
    assert all(isinstance(e, dict) and {"time", "level", "logger", "message"} <= e.keys() for e in entries)
    requests = [e for e in entries if e["logger"] == "dondoc.request"]
    by_id = {e["request_id"]: e for e in requests}
    listing = by_id["req-77"]
    assert listing["route"] == "/api/v1/tasks" and listing["status"] == 200 and listing["method"] == "GET"
    assert listing["user_id"] == user["id"] and listing["duration_ms"] >= 0
    assert [e["status"] for e in requests if e["route"] == "/api/v1/auth/token"] == [401, 200]
    assert any(e["route"] == "unmatched" and e["status"] == 404 for e in requests)
    for secret in (PASSWORD, token, other, SECRET_KEY):
        assert secret not in output
