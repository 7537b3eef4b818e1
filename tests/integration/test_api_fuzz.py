"""The API answers what its OpenAPI document says, whatever it is sent: schemathesis reads /schema
from a real app instance (a separate process, on SQLite, the demo department seeded as of a fixed
Tuesday, the clock standing still) and sends each operation generated requests, valid and not,
checking that no answer is a 5xx and that every status, content type and body is one the document
declares for that operation.

Deterministic and bounded: a fixed seed, schemathesis' deterministic generation, a fixed number of
examples per operation and one request at a time; about 80 s on an idle two-core machine
(migrating and seeding 20 s, the coverage phase's boundary cases 25 s, 25 generated cases per
operation 35 s), two minutes on a busy one. Each operation is sent by a role that can get past its
permission check (the office's and admin's work by the admin, progress and extensions by a
division head, pauses and decisions by the director), so the fuzzing reaches the services, not
only the 403. Nothing is left out: the API has no sign-out or password change, and a request that
cancels a task or floods the sign-in throttle only makes later ones answer 409 or 429, which the
document declares.

    make fuzz                                                   # this test alone (pytest -m fuzz)
    DONDOC_FUZZ_DATABASE_URL=postgresql://…/scratch make fuzz   # on PostgreSQL (emptied first)
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

import httpx
import pytest

from race_support import pg_fetch, start_instance, stop_instance, wait_ready
from tests.conftest import run_migrate
from web.cli.demo import DEMO_PASSWORD

pytestmark = pytest.mark.fuzz

AS_OF = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)  # Tuesday 09:00 in Hà Nội
SECRET_KEY = "fuzz-secret-key-for-tests-only-0123456789"
SEED = 2026
MAX_EXAMPLES = 25  # per operation in the fuzzing phase; the coverage phase adds its own boundary cases
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")
HEAD, DIRECTOR, ADMIN = "truongphong.qlnl", "giamdoc", "quantri"
# Who sends what: (path regex, user, the SQL giving the task ids that user may act on). An
# [[operations]] entry's filters are alternatives, so each names its paths alone (all are POSTs).
ROLES = [
    (r"/tasks/\{task_id\}/(progress|submit|extensions)$", HEAD,
     "SELECT t.id FROM task t JOIN division d ON d.id = t.lead_division WHERE d.code = 'QLNL' ORDER BY t.id"),
    (r"/tasks/\{task_id\}/(pause|resume|cancel)$|/extensions/\{extension_id\}/decision$", DIRECTOR,
     "SELECT id FROM task ORDER BY id"),
]
# Real values, drawn for most requests, so that the fuzzing gets past "no such record" to the services.
VALUES = {
    "path.directive_id": "SELECT id FROM directive ORDER BY id",
    "path.extension_id": "SELECT id FROM extension_request ORDER BY id",
    "query.directive": "SELECT id FROM directive ORDER BY id",
    "query.task": "SELECT id FROM task ORDER BY id",
    "query.division": "SELECT code FROM division ORDER BY code",
    "query.leader": "SELECT username FROM app_user WHERE role = 'leader' ORDER BY username",
    "query.recipient": "SELECT username FROM app_user ORDER BY username",
}
WORDS = {
    "path.kind": ["completion", "overdue"],
    "query.format": ["xlsx", "docx", "csv"],
    "query.group_by": ["division", "leader", "issuer", "directive"],
    "query.state": ["open", "in_progress", "submitted", "done", "paused", "cancelled", "pending", "sent", "failed", "skipped"],
    "query.timeliness": ["on_track", "due_soon", "overdue", "no_deadline", "done_on_time", "done_late"],
}


def _token(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def _values(url: str, sql: str) -> list:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [row[0] for row in conn.execute(sql)]
    return [row[0] for row in pg_fetch(url, sql)]


def _parameters(bindings: dict[str, str]) -> list[str]:
    """Each parameter drawn from its dictionary 4 times in 5, from its schema otherwise."""
    return [f"{json.dumps(name)} = {{ dictionary = {json.dumps(dictionary)}, probability = 0.8 }}"
            for name, dictionary in bindings.items()]


def _config(base: str, database: str) -> str:
    """schemathesis.toml for the run: what it sends, as whom, with which real values, and what it checks."""
    tokens = {username: _token(base, username) for username in (ADMIN, HEAD, DIRECTOR)}
    dictionaries = {name: _values(database, sql) for name, sql in VALUES.items()} | WORDS
    dictionaries["all tasks"] = _values(database, "SELECT id FROM task ORDER BY id")
    dictionaries |= {f"tasks of {username}": _values(database, sql) for _, username, sql in ROLES}
    lines = [
        f"seed = {SEED}",
        "workers = 1",
        f'headers = {{ Authorization = "Bearer {tokens[ADMIN]}" }}',
        "[generation]",
        "deterministic = true",
        f"max-examples = {MAX_EXAMPLES}",
        'database = "none"',
        "[phases.examples]",
        "enabled = false",
        "[phases.stateful]",
        "enabled = false",
        "[phases.coverage]",
        "unexpected-methods = []",  # methods an operation does not have: Litestar's 405, not this document's
        "[checks]",
        "enabled = false",
        *(f"{name}.enabled = true" for name in CHECKS),
        *(f"[dictionaries.{json.dumps(name)}]\nvalues = {json.dumps(values, ensure_ascii=False)}" for name, values in dictionaries.items()),
        "[parameters]",
        *_parameters({name: name for name in (*VALUES, *WORDS)} | {"path.task_id": "all tasks"}),
    ]
    for path_regex, username, _ in ROLES:
        lines += ["[[operations]]", f"include-path-regex = {json.dumps(path_regex)}",
                  f'headers = {{ Authorization = "Bearer {tokens[username]}" }}',
                  "[operations.parameters]", *_parameters({"path.task_id": f"tasks of {username}"})]
    return "\n".join(lines) + "\n"


@pytest.fixture
def database(tmp_path) -> str:
    """A fresh SQLite file; DONDOC_FUZZ_DATABASE_URL=postgresql://… runs on that database instead,
    after emptying its public schema."""
    url = os.environ.get("DONDOC_FUZZ_DATABASE_URL") or f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
    if not url.startswith("sqlite:"):
        pg_fetch(url, "DROP SCHEMA public CASCADE")
        pg_fetch(url, "CREATE SCHEMA public")
    run_migrate(url)
    return url


@pytest.fixture
def demo_instance(database, tmp_path):
    instance = start_instance(database, SECRET_KEY, AS_OF, tmp_path / "instance.log", "--seed-demo")
    try:
        wait_ready(instance, timeout=120)
        yield instance
    finally:
        stop_instance(instance)


def test_the_api_answers_only_what_its_openapi_document_declares(demo_instance, database, tmp_path):
    base = f"http://127.0.0.1:{demo_instance.port}"
    document = httpx.get(f"{base}/schema/openapi.json", timeout=30).json()
    operations = sum(1 for item in document["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete"))
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(base, database))
    # Only this file configures the run: none from the repository, none from the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color", "run",
         f"{base}/schema/openapi.json", "--url", base],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    report = run.stdout + run.stderr
    print(report[-2500:])
    print(f"schemathesis: {time.monotonic() - started:.0f} s")
    assert run.returncode == 0, f"schemathesis found problems (exit {run.returncode}):\n{report[-20000:]}\n\n" \
                                f"instance log:\n{demo_instance.log_tail(120)}"
    assert f"Tested: {operations}\n" in report, report[-2500:]
