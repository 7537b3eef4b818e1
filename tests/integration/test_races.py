"""Two app instances (separate OS processes) on one PostgreSQL database, raced as two people on two
servers would race them: each conflicting pair of requests, sent at the same instant, has exactly
one winner and one 409 in Vietnamese (never a 500); afterwards every task keeps its invariants and
the audit log holds exactly the changes that happened.

PostgreSQL only: SQLite is one file behind one process's lock, so two servers on it are not a
deployment anyone runs. The sqlite parameter of `database_url` is skipped; the postgres one fails
rather than skips under REQUIRE_POSTGRES=1, as the other PostgreSQL tests do."""

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
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import TUESDAY_2026_03_03_0900
from notify.tables import NOTIFY_TABLES
from tasks.permissions import Actor, Role
from tasks.state import ALL_STATES, TaskState
from tasks.tables import ALL_TABLES
from web.auth import issue_token
from web.tables import WEB_TABLES

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = Path(__file__).with_name("app_instance.py")
ROUNDS = 20
# Both instances stand still on Tuesday 03/03/2026, 09:00 in Hà Nội: every deadline below is ahead.
AS_OF = TUESDAY_2026_03_03_0900
DUE = date(2026, 3, 20)
ASKED_FIRST, ASKED_SECOND = date(2026, 3, 27), date(2026, 3, 31)
# Shared by both instances, so a token minted here is good on either.
SECRET_KEY = "races-two-instances-share-this-secret-key-0123456789"
PASSWORD = "mat-khau-thu-nghiem"
# Letters only Vietnamese text has: a 409's message must be written for the user, not in English.
VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")

DIVISIONS = [
    ("VP", "Văn phòng Sở", "vp@sct.example.vn"),
    ("QLNL", "Phòng Quản lý năng lượng", "qlnl@sct.example.vn"),
]
# The director comes first: while the admin has chosen nobody, the first leader stands in (and
# the test also chooses him explicitly). pgd.hai is the leader in charge of every raced task.
USERS = [
    ("vanphong", "Nguyễn Thị Văn Phòng", "office", "VP"),
    ("truong.qlnl", "Trần Văn Năng", "head", "QLNL"),
    ("giamdoc", "Hoàng Minh Đức", "leader", None),
    ("pgd.hai", "Phạm Văn Hải", "leader", None),
    ("pgd.lan", "Vũ Thị Lan", "leader", None),
]


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


def start_instance(url: str, log: Path) -> Instance:
    process = subprocess.Popen(
        [sys.executable, str(INSTANCE), url, SECRET_KEY, AS_OF.isoformat()],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env={**os.environ},
    )
    return Instance(process, log)


def wait_ready(instance: Instance, timeout: float = 60) -> None:
    readable, _, _ = select.select([instance.process.stdout], [], [], timeout)
    line = instance.process.stdout.readline().strip() if readable else ""
    if not line.startswith("ready "):
        raise RuntimeError(f"app instance did not start ({line!r}):\n{instance.log_tail()}")
    instance.port = int(line.split()[1])


def stop_instance(instance: Instance) -> None:
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
    url: str
    instances: list[Instance]
    clients: list[httpx.Client]
    user_ids: dict[str, int] = field(default_factory=dict)
    # The deadline each task was created with: what it must still have unless an approval moved it.
    created_deadlines: dict[int, tuple[date, int]] = field(default_factory=dict)
    directives: int = 0

    def token(self, username: str) -> str:
        actor = Actor(id=self.user_ids[username], username=username, role=Role.OFFICE)  # only the id is signed
        return issue_token(actor, AS_OF, SECRET_KEY, 12)

    def post(self, username: str, path: str, body: dict | None = None, expect: int = 200) -> Any:
        r = self.clients[0].post(path, json=body, headers={"Authorization": f"Bearer {self.token(username)}"})
        assert r.status_code == expect, r.text
        return r.json()

    def tasks(self, count: int = ROUNDS) -> list[int]:
        """A directive with `count` tasks of QLNL under pgd.hai, due Friday 20/03/2026."""
        self.directives += 1
        body = {
            "number": f"{self.directives}/UBND-KT", "issuer": "UBND tỉnh", "signer": "Chủ tịch UBND tỉnh",
            "issued_on": "2026-02-25", "received_on": "2026-02-26", "kind": "document",
            "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026",
            "tasks": [{"title": f"Rà soát phương án cấp điện, cụm công nghiệp số {i + 1}", "lead_division": "QLNL",
                       "leader_in_charge": "pgd.hai", "due_on": DUE.isoformat()} for i in range(count)],
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

    def server_errors(self, race: str, rounds: list[tuple[Reply, Reply]]) -> str:
        failed = [r for pair in rounds for r in pair if r.status >= 500]
        if not failed:
            return ""
        return (f"{race}: {len(failed)} replies were 5xx ({dict(outcomes(rounds))}): "
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


@pytest.fixture(scope="module")
def department(database_url, tmp_path_factory) -> Department:
    """Two instances started once for the module on the session's migrated PostgreSQL database,
    and a small department set up through the API."""
    if not database_url.startswith("postgres"):
        pytest.skip("two app instances race on PostgreSQL only")
    empty_database(database_url)
    logs = tmp_path_factory.mktemp("instances")
    instances: list[Instance] = []
    clients: list[httpx.Client] = []
    try:
        instances = [start_instance(database_url, logs / f"instance-{i}.log") for i in (0, 1)]
        # The first administrator comes from the command line, as on a real installation.
        made = subprocess.run(
            [sys.executable, "-m", "web.cli", "create-user", "quantri", "--role", "admin", "--email", "quantri@sct.example.vn",
             "--full-name", "Quản trị hệ thống"],
            cwd=ROOT, env={**os.environ, "DONDOC_DATABASE_URL": database_url, "DONDOC_PASSWORD": PASSWORD},
            capture_output=True, text=True,
        )
        assert made.returncode == 0, made.stderr
        for instance in instances:
            wait_ready(instance)
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{i.port}", timeout=30) for i in instances]
        d = Department(database_url, instances, clients)
        r = clients[0].post("/api/v1/auth/token", json={"username": "quantri", "password": PASSWORD})
        assert r.status_code == 200, r.text
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        for code, name, email in DIVISIONS:
            r = clients[0].post("/api/v1/divisions", json={"code": code, "name": name, "email": email}, headers=admin)
            assert r.status_code == 201, r.text
        for username, full_name, role, division in USERS:
            r = clients[0].post("/api/v1/users", headers=admin, json={
                "username": username, "full_name": full_name, "email": f"{username}@sct.example.vn", "role": role,
                "division": division, "password": PASSWORD})
            assert r.status_code == 201, r.text
            d.user_ids[username] = r.json()["id"]
        escalation = clients[0].get("/api/v1/settings/escalation", headers=admin).json()
        escalation.pop("effective_director", None)
        r = clients[0].put("/api/v1/settings/escalation", json={**escalation, "director": "giamdoc"}, headers=admin)
        assert r.status_code == 200, r.text
        yield d
    finally:
        for client in clients:
            client.close()
        for instance in instances:
            stop_instance(instance)


# --- assertions shared by the races ------------------------------------------------------------

def outcomes(rounds: list[tuple[Reply, Reply]]) -> Counter:
    return Counter(f"{a.status}/{b.status}" for a, b in rounds)


def assert_exactly_one_winner_each(department: Department, race: str, rounds: list[tuple[Reply, Reply]], won: int) -> None:
    assert not department.server_errors(race, rounds), department.server_errors(race, rounds)
    tally = outcomes(rounds)
    assert all(sorted((a.status, b.status)) == sorted((won, 409)) for a, b in rounds), (
        f"{race}: expected one {won} and one 409 in each of {len(rounds)} rounds, got {dict(tally)}")
    for pair in rounds:
        loser = next(r for r in pair if r.status == 409)
        assert loser.body["error"] == "conflict", loser
        assert VIETNAMESE_LETTERS & set(loser.body["message"].lower()), loser.body["message"]


def assert_audit_exactly(department: Department, mark: int, expected: Counter, race: str) -> None:
    recorded = department.audit_since(mark)
    assert recorded == expected, (
        f"{race}: audit events missing {dict(expected - recorded)}, unexpected {dict(recorded - expected)}")


def assert_invariants_hold(department: Department, tasks: list[int]) -> None:
    problems = department.invariant_violations(tasks)
    assert not problems, f"{len(problems)} broken invariants:\n" + "\n".join(problems[:20])


# --- the races ---------------------------------------------------------------------------------

def test_an_approval_and_a_refusal_of_one_extension_at_once_have_one_winner_and_the_deadline_agrees(department):
    tasks = department.tasks()
    asked = [department.post("truong.qlnl", f"/api/v1/tasks/{t}/extensions",
                             {"requested_due_on": ASKED_SECOND.isoformat(), "reason": "Chờ số liệu của Điện lực tỉnh"}, expect=201)["id"]
             for t in tasks]
    mark = department.last_audit_id()

    rounds = [department.race(
        n,
        Call("pgd.hai", f"/api/v1/extensions/{ext}/decision", {"approve": True, "note": "Đồng ý gia hạn"}),
        Call("giamdoc", f"/api/v1/extensions/{ext}/decision", {"approve": False, "note": "Không đủ căn cứ để gia hạn"}),
    ) for n, ext in enumerate(asked)]

    assert_exactly_one_winner_each(department, "approve∥refuse", rounds, won=200)
    approved = [approve.won for approve, _ in rounds]
    states = {e["id"]: e["state"] for exts in department.extension_rows(tasks).values() for e in exts}
    assert [states[ext] for ext in asked] == ["approved" if a else "refused" for a in approved]
    assert_audit_exactly(department, mark, Counter(
        (t, "approve_extension", "pgd.hai") if a else (t, "refuse_extension", "giamdoc") for t, a in zip(tasks, approved)
    ), "approve∥refuse")
    assert_invariants_hold(department, tasks)


def test_a_confirmation_and_a_return_of_one_submitted_task_at_once_have_one_winner(department):
    tasks = department.tasks()
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/submit", {"note": "Đã trình UBND tỉnh phương án"})
    mark = department.last_audit_id()

    rounds = [department.race(
        n,
        Call("vanphong", f"/api/v1/tasks/{t}/confirm"),
        Call("vanphong", f"/api/v1/tasks/{t}/return", {"reason": "Thiếu biên bản nghiệm thu"}),
    ) for n, t in enumerate(tasks)]

    assert_exactly_one_winner_each(department, "confirm∥return", rounds, won=200)
    confirmed = [confirm.won for confirm, _ in rounds]
    rows = department.task_rows(tasks)
    assert [(rows[t]["state"], rows[t]["completed_on"] is not None) for t in tasks] == [
        (TaskState.DONE, True) if c else (TaskState.IN_PROGRESS, False) for c in confirmed]
    assert_audit_exactly(department, mark, Counter(
        (t, "confirm" if c else "return", "vanphong") for t, c in zip(tasks, confirmed)), "confirm∥return")
    assert_invariants_hold(department, tasks)


def test_a_pause_and_a_cancellation_of_one_task_in_progress_at_once_have_one_winner(department):
    tasks = department.tasks()
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 30, "note": "Đã khảo sát hiện trạng"})
    mark = department.last_audit_id()

    # Both leaders saw the task in progress on its page, and say so.
    rounds = [department.race(
        n,
        Call("pgd.hai", f"/api/v1/tasks/{t}/pause", {"reason": "Chờ ý kiến UBND tỉnh", "expected_state": TaskState.IN_PROGRESS}),
        Call("giamdoc", f"/api/v1/tasks/{t}/cancel", {"reason": "Văn bản chỉ đạo đã được thay thế", "expected_state": TaskState.IN_PROGRESS}),
    ) for n, t in enumerate(tasks)]

    assert_exactly_one_winner_each(department, "pause∥cancel", rounds, won=200)
    paused = [pause.won for pause, _ in rounds]
    rows = department.task_rows(tasks)
    assert [rows[t]["state"] for t in tasks] == [TaskState.PAUSED if p else TaskState.CANCELLED for p in paused]
    assert_audit_exactly(department, mark, Counter(
        (t, "pause", "pgd.hai") if p else (t, "cancel", "giamdoc") for t, p in zip(tasks, paused)), "pause∥cancel")
    assert_invariants_hold(department, tasks)


def test_two_extension_requests_on_one_task_at_once_leave_one_pending_request(department):
    tasks = department.tasks()
    mark = department.last_audit_id()

    rounds = [department.race(
        n,
        Call("truong.qlnl", f"/api/v1/tasks/{t}/extensions", {"requested_due_on": ASKED_FIRST.isoformat(), "reason": "Chờ số liệu"}),
        Call("truong.qlnl", f"/api/v1/tasks/{t}/extensions", {"requested_due_on": ASKED_SECOND.isoformat(), "reason": "Chờ khảo sát"}),
    ) for n, t in enumerate(tasks)]

    assert_exactly_one_winner_each(department, "request∥request", rounds, won=201)
    extensions = department.extension_rows(tasks)
    assert [[(e["state"], e["requested_due_on"]) for e in extensions[t]] for t in tasks] == [
        [("pending", ASKED_FIRST if first.won else ASKED_SECOND)] for first, _ in rounds]
    assert_audit_exactly(department, mark, Counter((t, "request_extension", "truong.qlnl") for t in tasks), "request∥request")
    assert_invariants_hold(department, tasks)


def test_two_progress_reports_on_one_task_at_once_both_count_and_the_percent_is_the_latest(department):
    tasks = department.tasks()
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 10, "note": "Đã giao chuyên viên"})
    mark = department.last_audit_id()

    rounds = [department.race(
        n,
        Call("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 40, "note": "Đã họp với Điện lực", "expected_state": TaskState.IN_PROGRESS}),
        Call("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 70, "note": "Đã có dự thảo", "expected_state": TaskState.IN_PROGRESS}),
    ) for n, t in enumerate(tasks)]

    assert not department.server_errors("progress∥progress", rounds), department.server_errors("progress∥progress", rounds)
    # Neither report makes the other impossible: both are kept, and the later one sets the percent.
    assert outcomes(rounds) == Counter({"200/200": ROUNDS}), dict(outcomes(rounds))
    rows = department.task_rows(tasks)
    assert {rows[t]["state"] for t in tasks} == {TaskState.IN_PROGRESS}
    assert_audit_exactly(department, mark, Counter({(t, "report_progress", "truong.qlnl"): 2 for t in tasks}), "progress∥progress")
    assert_invariants_hold(department, tasks)
