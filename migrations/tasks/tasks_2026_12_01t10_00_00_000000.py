"""The database refuses impossible rows: CHECK constraints on task, extension_request, calendar_day
and directive, and at most one pending extension request per task (a partial unique index). It
runs on a database that already holds rows, some of them impossible: those are repaired first, in
the same transaction, so the constraints can hold.

What is checked (the same conditions on both engines):
- task: state is a known state; a done task has its completed_on; percent is 0–100;
  deadline_version ≥ 1; due_on, original_due_on, missed_due_on and completed_on, when set, lie
  within 2000-01-01 … 2100-12-31 (tasks.dates holds the same bounds for what people type).
- extension_request: state is pending, approved or refused; requested_due_on and previous_due_on
  in range. calendar_day: day in range. directive: issued_on and received_on in range.

PostgreSQL gets real constraints (`ALTER TABLE … ADD CONSTRAINT … CHECK`, all of a table's in one
statement, so the table is scanned once). SQLite cannot add a CHECK to an existing table, so it
gets, per condition, a BEFORE INSERT and a BEFORE UPDATE trigger that aborts with
`CHECK constraint failed: <name>` — the same name PostgreSQL reports, and an IntegrityError as a
native CHECK would raise. Triggers rather than rebuilding the tables: a rebuild needs
`PRAGMA foreign_keys=OFF`, which SQLite ignores inside a transaction, and Piccolo runs each
migration in one; with foreign keys on, dropping the old `task` (referenced by sub-tasks, supports,
progress reports, extension requests, audit events, notifications) would run an implicit DELETE
that is refused or cascades. Triggers are added in the migration's own transaction, leave the
tables, their indexes and foreign keys as they are, and go away with DROP TRIGGER.

The known states are spelled here, not imported from tasks.state: a migration is history and must
build tomorrow the database it builds today. A later change to the states needs a migration of its
own that replaces `task_state_known` (tests/integration/test_constraints.py checks that the
database accepts exactly tasks.state.ALL_STATES, so such a change cannot go unnoticed).

Repairs, in this order, each deterministic (running the migration twice on copies of one database
gives the same rows). Nothing is written to the audit log; the old values are not kept.
1. A task state that is not known: if, trimmed and lower-cased with spaces and hyphens as
   underscores, it is a known state ("Done", "in progress"), that state; otherwise `in_progress`
   when its percent is above 0, else `open` (as resuming a task decides) — it stays in front of
   the division and counted as unfinished, never silently counted done.
2. A date outside the range is moved to the nearest bound (before 2000 → 2000-01-01, after 2100 →
   2100-12-31), in task, extension_request and directive. Moving it, rather than emptying it,
   keeps each task where the figures had it: a deadline of 1999 stays overdue, a 9999-12-31
   placeholder stays "on track" instead of turning into "no deadline" and leaving the overdue list;
   the bound itself shows a reader that the date was a placeholder. A calendar_day outside the
   range is deleted: no deadline the database can hold falls on it, and moving it would invent a
   holiday on 01/01/2000 or 31/12/2100.
3. A done task without completed_on gets the day (in the province's time zone, DONDOC_TIMEZONE,
   default Asia/Ho_Chi_Minh) of its last `submit` audit event — the day the division submitted,
   which is what completed_on means — else the day of its updated_at; then held to the range.
4. percent below 0 becomes 0, above 100 becomes 100; deadline_version below 1 becomes 1.
5. An extension request in a state that is not known: normalised as in 1 when that gives
   pending, approved or refused; otherwise `refused`, its decided_at kept (or set to its
   created_at) and a note saying why. Refused, because refusing changes nothing: the task's
   deadline is what the task row says, whatever the request's lost outcome was.
6. Several pending requests on one task: all but the newest (latest created_at, then highest id)
   become `refused`, decided at the newest one's created_at (the moment it superseded them), with
   a decision_note naming the newer request. The newest stays pending for the leader.
The notes are in Vietnamese, the language the department's users read their records in.

Backwards drops the constraints (or triggers) and the index; the repaired values stay.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-01T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "constraints: impossible rows refused"

TASK_STATES = ("open", "in_progress", "submitted", "done", "paused", "cancelled")
DONE = "done"
EXTENSION_STATES = ("pending", "approved", "refused")
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

DATE_COLUMNS = {
    "task": ("due_on", "original_due_on", "missed_due_on", "completed_on"),
    "extension_request": ("requested_due_on", "previous_due_on"),
    "calendar_day": ("day",),
    "directive": ("issued_on", "received_on"),
}

ONE_PENDING_INDEX = "extension_request_one_pending_uq"

NOTE_SUPERSEDED = (
    "Từ chối tự động khi nâng cấp cơ sở dữ liệu: nhiệm vụ còn đề nghị gia hạn số {newest} mới hơn đang chờ quyết định, "
    "và mỗi nhiệm vụ chỉ có một đề nghị chờ quyết định."
)
NOTE_UNREADABLE = (
    "Từ chối tự động khi nâng cấp cơ sở dữ liệu: trạng thái đã lưu ({state}) không đọc được; hạn xử lý của nhiệm vụ giữ nguyên."
)


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _checks() -> list[tuple[str, str, str]]:
    """(table, constraint name, condition) with `{row}` before each column: empty for a CHECK,
    `NEW.` in a trigger. A condition that is NULL passes, in a CHECK and in `WHEN NOT (…)` alike."""
    checks = [
        ("task", "task_state_known", "{row}state IN " + _sql_list(TASK_STATES)),
        ("task", "task_done_has_completed_on", f"{{row}}state <> '{DONE}' OR {{row}}completed_on IS NOT NULL"),
        ("task", "task_percent_0_100", "{row}percent BETWEEN 0 AND 100"),
        ("task", "task_deadline_version_positive", "{row}deadline_version >= 1"),
        ("extension_request", "extension_request_state_known", "{row}state IN " + _sql_list(EXTENSION_STATES)),
    ]
    for table, columns in DATE_COLUMNS.items():
        checks += [
            (table, f"{table}_{column}_in_range", f"{{row}}{column} BETWEEN '{EARLIEST.isoformat()}' AND '{LATEST.isoformat()}'")
            for column in columns
        ]
    return checks


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def _rows(sql: str, *args) -> list[dict]:
    return await Table.raw(sql, *args).run()


def _normalised(state: str, known: tuple[str, ...]) -> str | None:
    key = (state or "").strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in known else None


def _within(day: date) -> date:
    return min(max(day, EARLIEST), LATEST)


async def repair_task_states() -> None:
    for row in await _rows(f"SELECT id, state, percent FROM task WHERE state NOT IN {_sql_list(TASK_STATES)}"):
        state = _normalised(row["state"], TASK_STATES) or ("in_progress" if row["percent"] > 0 else "open")
        await _rows("UPDATE task SET state = {} WHERE id = {}", state, row["id"])


async def repair_dates() -> None:
    low, high = EARLIEST.isoformat(), LATEST.isoformat()
    await _rows(f"DELETE FROM calendar_day WHERE day < '{low}' OR day > '{high}'")
    for table, columns in DATE_COLUMNS.items():
        if table == "calendar_day":
            continue
        for column in columns:
            await _rows(f"UPDATE {table} SET {column} = '{low}' WHERE {column} < '{low}'")
            await _rows(f"UPDATE {table} SET {column} = '{high}' WHERE {column} > '{high}'")


async def repair_done_without_completed_on() -> None:
    missing = f"t.state = '{DONE}' AND t.completed_on IS NULL"
    tasks = await _rows(f"SELECT t.id, t.updated_at FROM task t WHERE {missing}")
    if not tasks:
        return
    submitted_at = {
        e["task"]: e["at"]  # ordered by id: the last submission wins
        for e in await _rows(
            f"SELECT e.id, e.task, e.at FROM audit_event e JOIN task t ON t.id = e.task WHERE e.action = 'submit' AND {missing} ORDER BY e.id"
        )
    }
    zone = ZoneInfo(os.environ.get("DONDOC_TIMEZONE") or "Asia/Ho_Chi_Minh")
    for task in tasks:
        moment = submitted_at.get(task["id"]) or task["updated_at"]
        await _rows("UPDATE task SET completed_on = {} WHERE id = {}", _within(moment.astimezone(zone).date()), task["id"])


async def repair_numbers() -> None:
    await _rows("UPDATE task SET percent = 0 WHERE percent < 0")
    await _rows("UPDATE task SET percent = 100 WHERE percent > 100")
    await _rows("UPDATE task SET deadline_version = 1 WHERE deadline_version < 1")


async def repair_extension_states() -> None:
    for row in await _rows(f"SELECT id, state, decision_note FROM extension_request WHERE state NOT IN {_sql_list(EXTENSION_STATES)}"):
        state = _normalised(row["state"], EXTENSION_STATES)
        if state is not None:
            await _rows("UPDATE extension_request SET state = {} WHERE id = {}", state, row["id"])
            continue
        note = "\n".join(n for n in (row["decision_note"], NOTE_UNREADABLE.format(state=row["state"])) if n)
        await _rows(
            "UPDATE extension_request SET state = 'refused', decided_at = COALESCE(decided_at, created_at), decision_note = {} WHERE id = {}",
            note, row["id"],
        )


async def repair_second_pending_requests() -> None:
    pending = await _rows(
        "SELECT id, task, created_at FROM extension_request WHERE state = 'pending' AND task IN "
        "(SELECT task FROM extension_request WHERE state = 'pending' GROUP BY task HAVING COUNT(*) > 1) ORDER BY id"
    )
    by_task: dict[int, list[dict]] = defaultdict(list)
    for row in pending:
        by_task[row["task"]].append(row)
    for task_id in sorted(by_task):
        rows = by_task[task_id]
        newest = max(rows, key=lambda r: (r["created_at"], r["id"]))
        for row in rows:
            if row is newest:
                continue
            # decided_at is copied in SQL, so it keeps the engine's own timestamp format.
            await _rows(
                "UPDATE extension_request SET state = 'refused', decision_note = {}, "
                "decided_at = (SELECT n.created_at FROM extension_request n WHERE n.id = {}) WHERE id = {}",
                NOTE_SUPERSEDED.format(newest=newest["id"]), newest["id"], row["id"],
            )


async def add_constraints() -> None:
    checks = _checks()
    if _sqlite():
        for table, name, condition in checks:
            for event in ("INSERT", "UPDATE"):
                await _rows(
                    f"CREATE TRIGGER IF NOT EXISTS {name}_on_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW "
                    f"WHEN NOT ({condition.format(row='NEW.')}) BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
    else:
        for table in DATE_COLUMNS:
            clauses = [f"ADD CONSTRAINT {name} CHECK ({condition.format(row='')})" for t, name, condition in checks if t == table]
            await _rows(f"ALTER TABLE {table} " + ", ".join(clauses))
    await _rows(f"CREATE UNIQUE INDEX IF NOT EXISTS {ONE_PENDING_INDEX} ON extension_request (task) WHERE state = 'pending'")


async def drop_constraints() -> None:
    await _rows(f"DROP INDEX IF EXISTS {ONE_PENDING_INDEX}")
    for table, name, _condition in _checks():
        if _sqlite():
            for event in ("insert", "update"):
                await _rows(f"DROP TRIGGER IF EXISTS {name}_on_{event}")
        else:
            await _rows(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    for step in (repair_task_states, repair_dates, repair_done_without_completed_on, repair_numbers,
                 repair_extension_states, repair_second_pending_requests, add_constraints):
        manager.add_raw(step)
    manager.add_raw_backwards(drop_constraints)
    return manager
