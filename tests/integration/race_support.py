"""The machinery of the race tests: app instances as separate OS processes, two requests sent to
two instances at the same instant, and direct reads of what they left in PostgreSQL."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import select
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from notify.tables import NOTIFY_TABLES
from tasks.permissions import Actor, Role
from tasks.state import ALL_STATES, TaskState
from tasks.tables import ALL_TABLES
from web.auth import issue_token
from web.tables import WEB_TABLES

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = Path(__file__).with_name("app_instance.py")


# --- talking to PostgreSQL directly, to read what the instances left behind ---------------------

def pg_fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn=url, timeout=10)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    # A loop of its own, so pytest-asyncio's session loop is left as it was.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


def empty_database(url: str) -> None:
    names = [t._meta.tablename for t in ALL_TABLES + NOTIFY_TABLES + WEB_TABLES]
    pg_fetch(url, f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


# --- the two instances -------------------------------------------------------------------------

@dataclass
class Instance:
    process: subprocess.Popen
    log: Path
    port: int = 0

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_instance(url: str, secret_key: str, as_of: datetime, log: Path, *options: str) -> Instance:
    """Started from the repository root, like `dondoc serve`. Its stdin stays open for as long as
    this process lives: should the test run die without tearing down, the instance stops itself.
    `options` are app_instance.py's (--seed-demo)."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(INSTANCE), url, secret_key, as_of.isoformat(), *options],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, env={**os.environ},
        )
    return Instance(process, log)


def wait_ready(instance: Instance, timeout: float = 60) -> None:
    readable, _, _ = select.select([instance.process.stdout], [], [], timeout)
    line = instance.process.stdout.readline().strip() if readable else ""
    if not line.startswith("ready "):
        raise RuntimeError(f"app instance did not start ({line!r}):\n{instance.log_tail()}")
    instance.port = int(line.split()[1])


def stop_instance(instance: Instance) -> None:
    instance.process.stdin.close()
    if instance.process.poll() is None:
        instance.process.terminate()
        try:
            instance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait(timeout=10)
    instance.process.stdout.close()


# --- racing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    username: str
    path: str
    body: dict | None = None


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    instance: int
    path: str

    @property
    def won(self) -> bool:
        return self.status in (200, 201)


@dataclass
class Department:
    """The department the races act in: the database, the two instances, and who is who."""

    url: str
    instances: list[Instance]
    clients: list[httpx.Client]
    secret_key: str
    as_of: datetime
    user_ids: dict[str, int] = field(default_factory=dict)
    # The deadline each task was created with: what it must still have unless an approval moved it.
    created_deadlines: dict[int, tuple[date, int]] = field(default_factory=dict)
    directives: int = 0

    def token(self, username: str) -> str:
        actor = Actor(id=self.user_ids[username], username=username, role=Role.OFFICE)  # only the id is signed
        return issue_token(actor, self.as_of, self.secret_key, 12)

    def post(self, username: str, path: str, body: dict | None = None, expect: int = 200) -> Any:
        r = self.clients[0].post(path, json=body, headers={"Authorization": f"Bearer {self.token(username)}"})
        assert r.status_code == expect, r.text
        return r.json()

    def tasks(self, count: int, due_on: date) -> list[int]:
        """A directive with `count` tasks of QLNL under pgd.hai, recorded by the office."""
        self.directives += 1
        body = {
            "number": f"{self.directives}/UBND-KT", "issuer": "UBND tỉnh", "signer": "Chủ tịch UBND tỉnh",
            "issued_on": "2026-02-25", "received_on": "2026-02-26", "kind": "document",
            "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026",
            "tasks": [{"title": f"Rà soát phương án cấp điện, cụm công nghiệp số {i + 1}", "lead_division": "QLNL",
                       "leader_in_charge": "pgd.hai", "due_on": due_on.isoformat()} for i in range(count)],
        }
        created = self.post("vanphong", "/api/v1/directives", body, expect=201)["tasks"]
        for t in created:
            self.created_deadlines[t["id"]] = (date.fromisoformat(t["due_on"]), t["deadline_version"])
        return [t["id"] for t in created]

    def race(self, round_no: int, first: Call, second: Call) -> tuple[Reply, Reply]:
        """Send `first` and `second` to different instances at the same instant: both connections
        are open before either request goes out, and the two requests leave back to back. Which
        instance gets which, and which leaves first, alternate over the rounds."""
        calls = (first, second)
        on = (0, 1) if round_no % 2 == 0 else (1, 0)
        order = (0, 1) if (round_no // 2) % 2 == 0 else (1, 0)
        requests = [
            (call.path, b"" if call.body is None else json.dumps(call.body).encode(),
             {"Authorization": f"Bearer {self.token(call.username)}", "Content-Type": "application/json"})
            for call in calls
        ]
        conns = [http.client.HTTPConnection("127.0.0.1", self.instances[on[i]].port, timeout=30) for i in (0, 1)]
        try:
            for conn in conns:
                conn.connect()
            for i in order:
                path, body, headers = requests[i]
                conns[i].request("POST", path, body=body, headers=headers)
            replies = []
            for i in (0, 1):
                response = conns[i].getresponse()
                raw = response.read()
                replies.append(Reply(response.status, json.loads(raw) if raw else None, on[i], calls[i].path))
        finally:
            for conn in conns:
                conn.close()
        return replies[0], replies[1]

    def last_audit_id(self) -> int:
        return pg_fetch(self.url, "SELECT COALESCE(MAX(id), 0) AS id FROM audit_event")[0]["id"]

    def audit_since(self, mark: int) -> Counter:
        rows = pg_fetch(self.url, "SELECT task, action, actor_username FROM audit_event WHERE id > $1", mark)
        return Counter((r["task"], r["action"], r["actor_username"]) for r in rows)

    def task_rows(self, ids: list[int]) -> dict[int, asyncpg.Record]:
        return {r["id"]: r for r in pg_fetch(self.url, "SELECT * FROM task WHERE id = ANY($1::int[])", ids)}

    def extension_rows(self, ids: list[int]) -> dict[int, list[asyncpg.Record]]:
        rows = pg_fetch(self.url, "SELECT * FROM extension_request WHERE task = ANY($1::int[]) ORDER BY id", ids)
        found: dict[int, list[asyncpg.Record]] = {i: [] for i in ids}
        for r in rows:
            found[r["task"]].append(r)
        return found

    def outcomes(self, rounds: list[tuple[Reply, Reply]]) -> Counter:
        """How the rounds ended, as "first/second" status pairs: {"200/409": 12, "409/200": 8}."""
        return Counter(f"{a.status}/{b.status}" for a, b in rounds)

    def server_errors(self, race: str, rounds: list[tuple[Reply, Reply]]) -> str:
        failed = [r for pair in rounds for r in pair if r.status >= 500]
        if not failed:
            return ""
        return (f"{race}: {len(failed)} replies were 5xx ({dict(self.outcomes(rounds))}): "
                f"{sorted(Counter(r.path.rsplit('/', 1)[-1] for r in failed).items())}\n" + "\n".join(
                    f"--- instance {i} log ---\n{inst.log_tail(25)}" for i, inst in enumerate(self.instances)))

    def invariant_violations(self, ids: list[int]) -> list[str]:
        """What the constraints and the figures assume of every task (each race checks its own)."""
        problems = []
        tasks = pg_fetch(self.url, "SELECT id, state, percent, completed_on, due_on, deadline_version FROM task "
                                   "WHERE id = ANY($1::int[]) ORDER BY id", ids)
        latest = {r["task"]: r["percent"] for r in pg_fetch(self.url, """
            SELECT DISTINCT ON (t.id) t.id AS task, p.percent FROM task t
            JOIN progress_report p ON p.task = t.id AND p.division = t.lead_division
            WHERE t.id = ANY($1::int[])
            ORDER BY t.id, p.reported_at DESC, p.id DESC""", ids)}
        extensions = self.extension_rows([t["id"] for t in tasks])
        for t in tasks:
            tid, state = t["id"], t["state"]
            if state not in ALL_STATES:
                problems.append(f"task {tid}: unknown state {state!r}")
            if state == TaskState.DONE and t["completed_on"] is None:
                problems.append(f"task {tid}: done without completed_on")
            if not 0 <= t["percent"] <= 100:
                problems.append(f"task {tid}: percent {t['percent']}")
            if t["percent"] != latest.get(tid, 0):
                problems.append(f"task {tid}: percent {t['percent']} but the latest lead-division report says {latest.get(tid, 0)}")
            exts = extensions[tid]
            pending = [e["id"] for e in exts if e["state"] == "pending"]
            if len(pending) > 1:
                problems.append(f"task {tid}: {len(pending)} pending extension requests {pending}")
            if tid not in self.created_deadlines:
                continue
            created_due, created_version = self.created_deadlines[tid]
            approved = [e for e in exts if e["state"] == "approved"]
            if approved:
                if (t["due_on"], t["deadline_version"]) != (approved[-1]["requested_due_on"], created_version + len(approved)):
                    problems.append(f"task {tid}: extension {approved[-1]['id']} approved but due_on {t['due_on']} "
                                    f"v{t['deadline_version']} (asked {approved[-1]['requested_due_on']}, created v{created_version})")
            elif (t["due_on"], t["deadline_version"]) != (created_due, created_version):
                refused = [e["id"] for e in exts if e["state"] == "refused"]
                problems.append(f"task {tid}: no extension approved (refused: {refused}) but due_on moved to {t['due_on']} "
                                f"v{t['deadline_version']}")
        return problems
