"""Two app instances (separate OS processes) on one PostgreSQL database, raced as two people on two
servers would race them: each conflicting pair of requests, sent at the same instant, has exactly
one winner and one 409 in Vietnamese (never a 500); afterwards every task keeps its invariants and
the audit log holds exactly the changes that happened.

PostgreSQL only: SQLite is one file behind one process's lock, so two servers on it are not a
deployment anyone runs. The sqlite parameter of `database_url` is skipped; the postgres one fails
rather than skips under REQUIRE_POSTGRES=1, as the other PostgreSQL tests do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date
from typing import Iterator

import httpx
import pytest

from race_support import ROOT, Call, Department, Instance, Reply, empty_database, start_instance, stop_instance, wait_ready
from tasks.state import TaskState
from tests.conftest import TUESDAY_2026_03_03_0900

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


@pytest.fixture(scope="module")
def department(database_url, tmp_path_factory) -> Iterator[Department]:
    """Two instances started once for the module on the session's migrated PostgreSQL database,
    and a small department set up through the API."""
    if not database_url.startswith("postgres"):
        pytest.skip("two app instances race on PostgreSQL only")
    empty_database(database_url)
    logs = tmp_path_factory.mktemp("instances")
    instances: list[Instance] = []
    clients: list[httpx.Client] = []
    try:
        instances = [start_instance(database_url, SECRET_KEY, AS_OF, logs / f"instance-{i}.log") for i in (0, 1)]
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
        d = Department(database_url, instances, clients, SECRET_KEY, AS_OF)
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

def assert_exactly_one_winner_each(department: Department, race: str, rounds: list[tuple[Reply, Reply]], won: int) -> None:
    assert not department.server_errors(race, rounds), department.server_errors(race, rounds)
    tally = department.outcomes(rounds)
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

def tasks_in_progress(department: Department, percent: int, note: str) -> tuple[list[int], int]:
    """ROUNDS new tasks the lead division has reported on, and the audit mark after that."""
    tasks = department.tasks(ROUNDS, DUE)
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": percent, "note": note})
    return tasks, department.last_audit_id()


def race_pairs(department: Department, name: str, items: list, pair, won: int) -> list[bool]:
    """Race `pair(item)` (two calls, to the two instances at once) for each item; exactly one side
    of each pair wins (`won`) and the other gets 409. Returns, per item, whether the first won."""
    rounds = [department.race(n, *pair(item)) for n, item in enumerate(items)]
    assert_exactly_one_winner_each(department, name, rounds, won=won)
    return [first.won for first, _ in rounds]


def test_an_approval_and_a_refusal_of_one_extension_at_once_have_one_winner_and_the_deadline_agrees(department):
    tasks = department.tasks(ROUNDS, DUE)
    asked = [department.post("truong.qlnl", f"/api/v1/tasks/{t}/extensions",
                             {"requested_due_on": ASKED_SECOND.isoformat(), "reason": "Chờ số liệu của Điện lực tỉnh"}, expect=201)["id"]
             for t in tasks]
    mark = department.last_audit_id()

    approved = race_pairs(department, "approve∥refuse", asked, lambda ext: (
        Call("pgd.hai", f"/api/v1/extensions/{ext}/decision", {"approve": True, "note": "Đồng ý gia hạn"}),
        Call("giamdoc", f"/api/v1/extensions/{ext}/decision", {"approve": False, "note": "Không đủ căn cứ để gia hạn"}),
    ), won=200)
    states = {e["id"]: e["state"] for exts in department.extension_rows(tasks).values() for e in exts}
    assert [states[ext] for ext in asked] == ["approved" if a else "refused" for a in approved]
    assert_audit_exactly(department, mark, Counter(
        (t, "approve_extension", "pgd.hai") if a else (t, "refuse_extension", "giamdoc") for t, a in zip(tasks, approved)
    ), "approve∥refuse")
    assert_invariants_hold(department, tasks)


def test_a_confirmation_and_a_return_of_one_submitted_task_at_once_have_one_winner(department):
    tasks = department.tasks(ROUNDS, DUE)
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/submit", {"note": "Đã trình UBND tỉnh phương án"})
    mark = department.last_audit_id()

    confirmed = race_pairs(department, "confirm∥return", tasks, lambda t: (
        Call("vanphong", f"/api/v1/tasks/{t}/confirm"),
        Call("vanphong", f"/api/v1/tasks/{t}/return", {"reason": "Thiếu biên bản nghiệm thu"}),
    ), won=200)
    rows = department.task_rows(tasks)
    assert [(rows[t]["state"], rows[t]["completed_on"] is not None) for t in tasks] == [
        (TaskState.DONE, True) if c else (TaskState.IN_PROGRESS, False) for c in confirmed]
    assert_audit_exactly(department, mark, Counter(
        (t, "confirm" if c else "return", "vanphong") for t, c in zip(tasks, confirmed)), "confirm∥return")
    assert_invariants_hold(department, tasks)


def test_two_clerks_reopening_one_confirmed_task_at_once_reopen_it_once(department):
    tasks = department.tasks(ROUNDS, DUE)
    for t in tasks:
        department.post("truong.qlnl", f"/api/v1/tasks/{t}/submit", {"note": "Đã trình UBND tỉnh phương án"})
        department.post("vanphong", f"/api/v1/tasks/{t}/confirm")
    mark = department.last_audit_id()

    race_pairs(department, "reopen∥reopen", tasks, lambda t: (
        Call("vanphong", f"/api/v1/tasks/{t}/reopen", {"reason": "Xác nhận nhầm", "expected_state": TaskState.DONE}),
        Call("vanphong", f"/api/v1/tasks/{t}/reopen", {"reason": "Chưa có biên bản nghiệm thu", "expected_state": TaskState.DONE}),
    ), won=200)
    rows = department.task_rows(tasks)
    assert [(rows[t]["state"], rows[t]["completed_on"]) for t in tasks] == [(TaskState.IN_PROGRESS, None)] * ROUNDS
    assert_audit_exactly(department, mark, Counter((t, "reopen", "vanphong") for t in tasks), "reopen∥reopen")
    assert_invariants_hold(department, tasks)


def test_a_pause_and_a_cancellation_of_one_task_in_progress_at_once_have_one_winner(department):
    tasks, mark = tasks_in_progress(department, 30, "Đã khảo sát hiện trạng")

    # Both leaders saw the task in progress on its page, and say so.
    paused = race_pairs(department, "pause∥cancel", tasks, lambda t: (
        Call("pgd.hai", f"/api/v1/tasks/{t}/pause", {"reason": "Chờ ý kiến UBND tỉnh", "expected_state": TaskState.IN_PROGRESS}),
        Call("giamdoc", f"/api/v1/tasks/{t}/cancel", {"reason": "Văn bản chỉ đạo đã được thay thế", "expected_state": TaskState.IN_PROGRESS}),
    ), won=200)
    rows = department.task_rows(tasks)
    assert [rows[t]["state"] for t in tasks] == [TaskState.PAUSED if p else TaskState.CANCELLED for p in paused]
    assert_audit_exactly(department, mark, Counter(
        (t, "pause", "pgd.hai") if p else (t, "cancel", "giamdoc") for t, p in zip(tasks, paused)), "pause∥cancel")
    assert_invariants_hold(department, tasks)


def test_two_extension_requests_on_one_task_at_once_leave_one_pending_request(department):
    tasks = department.tasks(ROUNDS, DUE)
    mark = department.last_audit_id()

    first_won = race_pairs(department, "request∥request", tasks, lambda t: (
        Call("truong.qlnl", f"/api/v1/tasks/{t}/extensions", {"requested_due_on": ASKED_FIRST.isoformat(), "reason": "Chờ số liệu"}),
        Call("truong.qlnl", f"/api/v1/tasks/{t}/extensions", {"requested_due_on": ASKED_SECOND.isoformat(), "reason": "Chờ khảo sát"}),
    ), won=201)
    extensions = department.extension_rows(tasks)
    assert [[(e["state"], e["requested_due_on"]) for e in extensions[t]] for t in tasks] == [
        [("pending", ASKED_FIRST if won else ASKED_SECOND)] for won in first_won]
    assert_audit_exactly(department, mark, Counter((t, "request_extension", "truong.qlnl") for t in tasks), "request∥request")
    assert_invariants_hold(department, tasks)


def test_two_progress_reports_on_one_task_at_once_both_count_and_the_percent_is_the_latest(department):
    tasks, mark = tasks_in_progress(department, 10, "Đã giao chuyên viên")

    rounds = [department.race(
        n,
        Call("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 40, "note": "Đã họp với Điện lực", "expected_state": TaskState.IN_PROGRESS}),
        Call("truong.qlnl", f"/api/v1/tasks/{t}/progress", {"percent": 70, "note": "Đã có dự thảo", "expected_state": TaskState.IN_PROGRESS}),
    ) for n, t in enumerate(tasks)]

    assert not department.server_errors("progress∥progress", rounds), department.server_errors("progress∥progress", rounds)
    # Neither report makes the other impossible: both are kept, and the later one sets the percent.
    assert department.outcomes(rounds) == Counter({"200/200": ROUNDS}), dict(department.outcomes(rounds))
    rows = department.task_rows(tasks)
    assert {rows[t]["state"] for t in tasks} == {TaskState.IN_PROGRESS}
    assert_audit_exactly(department, mark, Counter({(t, "report_progress", "truong.qlnl"): 2 for t in tasks}), "progress∥progress")
    assert_invariants_hold(department, tasks)


# --- what one instance keeps between requests follows what the other changed --------------------

def test_a_day_off_and_a_pause_on_one_instance_show_on_the_other_at_its_next_request(department):
    """Each process keeps the calendar and the list's totals; a change made through the other
    instance must reach them at once (the versions in the database, not a timer)."""
    d = department
    ids = d.tasks(3, date(2026, 5, 6))
    office = {"Authorization": f"Bearer {d.token('vanphong')}"}
    listing = {"state": TaskState.OPEN.value, "due_from": "2026-05-06", "due_to": "2026-05-06"}
    other = d.clients[1]
    r = d.clients[0].post("/api/v1/auth/token", json={"username": "quantri", "password": PASSWORD})
    admin = {"Authorization": f"Bearer {r.json()['token']}"}
    r = d.clients[0].post("/api/v1/calendar", json={"day": "2026-05-13", "kind": "holiday", "name": "Nghỉ bù"}, headers=admin)
    assert r.status_code == 201, r.text  # a calendar version to keep under, whatever ran before
    for _ in range(2):  # the second answer comes from what the instance kept
        page = other.get("/api/v1/tasks", params=listing, headers=office).json()
        assert page["total"] == 3 and {t["effective_due_on"] for t in page["items"]} == {"2026-05-06"}
    r = d.clients[0].post("/api/v1/calendar", json={"day": "2026-05-06", "kind": "holiday", "name": "Nghỉ bù"}, headers=admin)
    assert r.status_code == 201, r.text
    d.post("pgd.hai", f"/api/v1/tasks/{ids[0]}/pause", {"reason": "Chờ ý kiến của UBND tỉnh"})
    page = other.get("/api/v1/tasks", params=listing, headers=office).json()
    assert page["total"] == 2 and {t["effective_due_on"] for t in page["items"]} == {"2026-05-07"}
