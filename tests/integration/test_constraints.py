"""The database itself refuses impossible rows (migration tasks_2026_12_01t10_00_00_000000), on both
engines: straight through Piccolo, past every service, and a database that already held such rows
is repaired as the migration's docstring says."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from urllib.parse import urlparse

import asyncpg
import pytest

from tasks.db import engine_from_url
from tasks.state import ALL_STATES, TaskState
from tasks.tables import CalendarDay, Directive, Division, ExtensionRequest, Task
from tests.conftest import ROOT, run_migrate

AT = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
MONDAY_2026_03_02 = date(2026, 3, 2)
BEFORE_2000 = date(1999, 12, 31)
AFTER_2100 = date(9999, 12, 31)
REFUSED = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)

THIS_MIGRATION = "2026-12-01T10:00:00:000000"
PREVIOUS_MIGRATION = "2026-12-01T09:00:00:000000"


async def _task(**values) -> dict:
    division = await Division.select(Division.id).first().run() or (
        await Division.insert(Division(code="QLNL", name="Phòng Quản lý năng lượng")).returning(Division.id).run())[0]
    directive = await Directive.select(Directive.id).first().run() or (
        await Directive.insert(Directive(number="12/UBND-KT", issuer="UBND tỉnh", created_at=AT)).returning(Directive.id).run())[0]
    row = {"directive": directive["id"], "lead_division": division["id"], "title": "Báo cáo cung ứng điện", "created_at": AT,
           "updated_at": AT, "state": TaskState.OPEN, **values}
    return (await Task.insert(Task(**row)).returning(*Task.all_columns()).run())[0]


IMPOSSIBLE_TASKS = [
    ("task_state_known", {"state": "closed"}),
    ("task_done_has_completed_on", {"state": TaskState.DONE, "completed_on": None}),
    ("task_percent_0_100", {"percent": 101}),
    ("task_percent_0_100", {"percent": -1}),
    ("task_deadline_version_positive", {"deadline_version": 0}),
    ("task_due_on_in_range", {"due_on": AFTER_2100}),
    ("task_due_on_in_range", {"due_on": BEFORE_2000}),
    ("task_original_due_on_in_range", {"original_due_on": BEFORE_2000}),
    ("task_missed_due_on_in_range", {"missed_due_on": BEFORE_2000}),
    ("task_completed_on_in_range", {"state": TaskState.DONE, "completed_on": AFTER_2100}),
]


@pytest.mark.parametrize("constraint, values", IMPOSSIBLE_TASKS, ids=[f"{c}-{v}" for c, v in IMPOSSIBLE_TASKS])
async def test_the_database_refuses_an_impossible_task_inserted_or_updated_past_the_services(db, constraint, values):
    with pytest.raises(REFUSED, match=constraint):
        await _task(**values)
    task = await _task(due_on=MONDAY_2026_03_02)
    with pytest.raises(REFUSED, match=constraint):
        await Task.update({getattr(Task, k): v for k, v in values.items()}).where(Task.id == task["id"]).run()
    assert (await Task.select(Task.state, Task.due_on).where(Task.id == task["id"]).first().run()) == {
        "state": TaskState.OPEN, "due_on": MONDAY_2026_03_02}


async def test_the_database_accepts_every_state_of_the_state_machine_and_the_bounds_themselves(db):
    for state in sorted(ALL_STATES):
        await _task(state=state, completed_on=MONDAY_2026_03_02 if state == TaskState.DONE else None, percent=100,
                    due_on=date(2000, 1, 1), original_due_on=date(2100, 12, 31))
    assert sorted(r["state"] for r in await Task.select(Task.state).run()) == sorted(ALL_STATES)


@pytest.mark.parametrize("constraint, values", [
    ("extension_request_state_known", {"state": "maybe"}),
    ("extension_request_requested_due_on_in_range", {"requested_due_on": AFTER_2100}),
    ("extension_request_previous_due_on_in_range", {"previous_due_on": BEFORE_2000}),
])
async def test_the_database_refuses_an_impossible_extension_request(db, constraint, values):
    task = await _task(due_on=MONDAY_2026_03_02)
    row = {"task": task["id"], "requested_due_on": date(2026, 3, 16), "state": "refused", "created_at": AT, **values}
    with pytest.raises(REFUSED, match=constraint):
        await ExtensionRequest.insert(ExtensionRequest(**row)).run()


async def test_a_task_holds_one_pending_extension_request_at_most_and_any_number_of_decided_ones(db):
    task = await _task(due_on=MONDAY_2026_03_02)

    def request(state: str) -> ExtensionRequest:
        return ExtensionRequest(task=task["id"], requested_due_on=date(2026, 3, 16), state=state, created_at=AT)

    await ExtensionRequest.insert(request("pending"), request("refused"), request("refused"), request("approved")).run()
    with pytest.raises(REFUSED, match="extension_request"):
        await ExtensionRequest.insert(request("pending")).run()
    await ExtensionRequest.update({ExtensionRequest.state: "refused"}).where(ExtensionRequest.state == "pending").run()
    await ExtensionRequest.insert(request("pending")).run()
    assert await ExtensionRequest.count().where(ExtensionRequest.state == "pending").run() == 1


@pytest.mark.parametrize("constraint, insert", [
    ("calendar_day_day_in_range", lambda: CalendarDay.insert(CalendarDay(day=BEFORE_2000, kind="holiday", name="Tết"))),
    ("directive_issued_on_in_range", lambda: Directive.insert(Directive(number="1", issuer="UBND tỉnh", issued_on=AFTER_2100, created_at=AT))),
    ("directive_received_on_in_range", lambda: Directive.insert(Directive(number="2", issuer="UBND tỉnh", received_on=BEFORE_2000, created_at=AT))),
])
async def test_the_database_refuses_a_calendar_day_or_directive_date_out_of_range(db, constraint, insert):
    with pytest.raises(REFUSED, match=constraint):
        await insert().run()


# --- Migrating a database that already holds impossible rows ---------------------------------

@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database of the session's engine, apart from the session's own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'repair.sqlite3'}"
        return
    base = urlparse(database_url)
    name = base.path.lstrip("/") + "_repair"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn=database_url, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name}"))
    asyncio.run(admin(f"CREATE DATABASE {name}"))
    yield base._replace(path="/" + name).geturl()
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {name}"))


def _piccolo(url: str, code: str) -> None:
    """Piccolo finds its engine per process (migrations.piccolo_conf), hence a process of its own."""
    env = {**os.environ, "DONDOC_DATABASE_URL": url, "PICCOLO_CONF": "migrations.piccolo_conf", "DONDOC_TIMEZONE": "Asia/Ho_Chi_Minh"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def migrate_tasks_up_to(url: str, migration_id: str) -> None:
    _piccolo(url, "import asyncio, sys\nfrom piccolo.apps.migrations.commands.forwards import run_forwards\n"
                  f"r = asyncio.run(run_forwards('tasks', migration_id={migration_id!r}))\nsys.exit(0 if r.success else r.message)")


def run_this_migration_backwards(url: str) -> None:
    _piccolo(url, "import asyncio, importlib\n"
                  "m = importlib.import_module('migrations.tasks.tasks_2026_12_01t10_00_00_000000')\n"
                  "async def main():\n    await (await m.forwards()).run(backwards=True)\n"
                  "asyncio.run(main())")


# Timestamps as Piccolo writes them on SQLite (UTC, str(datetime)); PostgreSQL reads the same text.
IMPOSSIBLE_ROWS = [
    "INSERT INTO division (id, code, name, email, active) VALUES (1, 'QLNL', 'Phòng Quản lý năng lượng', '', true)",
    "INSERT INTO directive (id, number, issuer, signer, issued_on, received_on, kind, summary, state, created_at) VALUES "
    "(1, '12/UBND-KT', 'UBND tỉnh', '', '1999-12-31', '9999-12-31', 'document', '', 'active', '2026-02-25 02:00:00+00:00')",
    *(
        "INSERT INTO task (id, directive, title, description, lead_division, due_on, original_due_on, missed_due_on, deadline_version, "
        f"state, state_reason, percent, completed_on, priority, starred, created_at, updated_at) VALUES ({values}, '2026-02-25 02:00:00+00:00', "
        f"'{updated_at}')"
        for values, updated_at in [
            ("1, 1, 'unknown state, nothing done', '', 1, NULL, NULL, NULL, 1, 'closed', '', 0, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("2, 1, 'state written loosely', '', 1, '2026-03-10', '2026-03-10', NULL, 1, 'In Progress', '', 40, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("3, 1, 'unknown state, work begun', '', 1, '2026-03-10', '2026-03-10', NULL, 1, 'archived', '', 30, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("4, 1, 'done, submitted twice', '', 1, '2026-03-02', '2026-03-02', NULL, 1, 'done', '', 100, NULL, 0, false", "2026-03-05 03:00:00+00:00"),
            ("5, 1, 'done, no submission recorded', '', 1, '2026-03-02', '2026-03-02', NULL, 1, 'done', '', 100, NULL, 0, false", "2026-03-04 20:00:00+00:00"),
            ("6, 1, 'percent too high', '', 1, '2026-03-10', '2026-03-10', NULL, 0, 'in_progress', '', 150, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("7, 1, 'percent negative', '', 1, '2026-03-10', '2026-03-10', NULL, 1, 'in_progress', '', -5, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("8, 1, 'placeholder dates', '', 1, '9999-12-31', '1970-01-01', '1999-06-30', 2, 'open', '', 0, NULL, 0, false", "2026-03-01 02:00:00+00:00"),
            ("9, 1, 'completed in a typo year', '', 1, '2026-03-02', '2026-03-02', NULL, 1, 'done', '', 100, '2206-03-15', 0, false", "2026-03-01 02:00:00+00:00"),
            ("10, 1, 'nothing wrong', '', 1, '2026-03-10', '2026-03-10', NULL, 1, 'submitted', '', 100, '2026-03-02', 0, false", "2026-03-01 02:00:00+00:00"),
        ]
    ),
    # Task 4 was submitted, returned and submitted again: 18:30 UTC on 1 March is 2 March in Hà Nội.
    *(
        "INSERT INTO audit_event (id, at, actor_username, action, entity_type, entity_id, task, note) VALUES "
        f"({i}, '{at}', 'truong.qlnl', '{action}', 'task', 4, 4, '')"
        for i, at, action in [(1, "2026-02-20 02:00:00+00:00", "submit"), (2, "2026-02-21 02:00:00+00:00", "return_task"),
                              (3, "2026-03-01 18:30:00+00:00", "submit"), (4, "2026-03-05 03:00:00+00:00", "confirm")]
    ),
    *(
        "INSERT INTO extension_request (id, task, previous_due_on, requested_due_on, reason, state, decision_note, created_at) VALUES "
        f"({values})"
        for values in [
            "1, 2, '2026-03-10', '2026-03-20', 'first', 'pending', '', '2026-03-01 02:00:00+00:00'",
            "2, 2, '2026-03-10', '2026-03-24', 'newest', 'pending', '', '2026-03-02 02:00:00+00:00'",
            "3, 2, '2026-03-10', '2026-03-22', 'second', 'pending', '', '2026-03-01 05:00:00+00:00'",
            "4, 3, '2026-03-01', '2026-03-10', 'written loosely', 'Approved', 'ok', '2026-02-26 02:00:00+00:00'",
            "5, 3, '1999-01-01', '9999-12-31', 'unreadable', '??', '', '2026-02-27 02:00:00+00:00'",
        ]
    ),
    "INSERT INTO calendar_day (id, day, kind, name) VALUES (1, '1999-12-31', 'holiday', 'too early'), "
    "(2, '2026-03-06', 'holiday', 'Nghỉ bù'), (3, '9999-01-01', 'holiday', 'too late')",
]


async def _raw(url: str, sql: str) -> list[dict]:
    return [dict(r) for r in await engine_from_url(url).run_ddl(sql, in_pool=False) or []]


async def _by_id(url: str, sql: str) -> dict[int, dict]:
    return {r["id"]: r for r in await _raw(url, sql)}


async def test_migrating_a_database_that_holds_impossible_rows_repairs_them_as_documented(fresh_database_url):
    url = fresh_database_url
    migrate_tasks_up_to(url, PREVIOUS_MIGRATION)
    for sql in IMPOSSIBLE_ROWS:
        await _raw(url, sql)
    if url.startswith("postgresql"):  # the explicit ids above left the sequences behind
        for table in ("task", "extension_request", "calendar_day", "audit_event", "directive", "division"):
            await _raw(url, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")

    run_migrate(url)

    tasks = await _by_id(url, "SELECT id, state, percent, completed_on, due_on, original_due_on, missed_due_on, deadline_version FROM task")
    assert {i: t["state"] for i, t in tasks.items()} == {
        1: "open", 2: "in_progress", 3: "in_progress", 4: "done", 5: "done", 6: "in_progress", 7: "in_progress", 8: "open", 9: "done",
        10: "submitted",
    }
    assert tasks[4]["completed_on"] == date(2026, 3, 2)  # its last submission, in Hà Nội
    assert tasks[5]["completed_on"] == date(2026, 3, 5)  # no submission recorded: the day it was last changed, in Hà Nội
    assert tasks[9]["completed_on"] == date(2100, 12, 31)
    assert (tasks[6]["percent"], tasks[6]["deadline_version"], tasks[7]["percent"]) == (100, 1, 0)
    assert (tasks[8]["due_on"], tasks[8]["original_due_on"], tasks[8]["missed_due_on"], tasks[8]["deadline_version"]) == (
        date(2100, 12, 31), date(2000, 1, 1), date(2000, 1, 1), 2)
    assert tasks[10] == {"id": 10, "state": "submitted", "percent": 100, "completed_on": date(2026, 3, 2), "due_on": date(2026, 3, 10),
                         "original_due_on": date(2026, 3, 10), "missed_due_on": None, "deadline_version": 1}

    requests = await _by_id(url, "SELECT id, state, decided_at, decision_note, created_at, requested_due_on, previous_due_on FROM extension_request")
    assert {i: r["state"] for i, r in requests.items()} == {1: "refused", 2: "pending", 3: "refused", 4: "approved", 5: "refused"}
    for superseded in (1, 3):
        assert requests[superseded]["decided_at"] == requests[2]["created_at"]
        assert "số 2" in requests[superseded]["decision_note"]
    assert requests[4]["decision_note"] == "ok"
    assert "??" in requests[5]["decision_note"] and requests[5]["decided_at"] == requests[5]["created_at"]
    assert (requests[5]["previous_due_on"], requests[5]["requested_due_on"]) == (date(2000, 1, 1), date(2100, 12, 31))

    assert [r["day"] for r in await _raw(url, "SELECT day FROM calendar_day ORDER BY day")] == [date(2026, 3, 6)]
    assert await _raw(url, "SELECT issued_on, received_on FROM directive") == [{"issued_on": date(2000, 1, 1), "received_on": date(2100, 12, 31)}]

    # The constraints now hold on the repaired database, and backwards takes them away again.
    with pytest.raises(REFUSED, match="task_percent_0_100"):
        await _raw(url, "UPDATE task SET percent = 101 WHERE id = 10")
    with pytest.raises(REFUSED, match="extension_request"):
        await _raw(url, "UPDATE extension_request SET state = 'pending' WHERE id = 1")
    run_this_migration_backwards(url)
    await _raw(url, "UPDATE task SET percent = 101 WHERE id = 10")
    await _raw(url, "UPDATE extension_request SET state = 'pending' WHERE id = 1")
    assert (await _raw(url, "SELECT percent FROM task WHERE id = 10")) == [{"percent": 101}]
