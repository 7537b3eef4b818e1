"""Reading the register: task lists with filters, one task in full, and its history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.query.mixins import OrderByRaw

from tasks.calendar import WorkingCalendar
from tasks.errors import N_, Invalid, NotFound
from tasks.lifecycle import load_task
from tasks.permissions import Actor, can_view_task, sees_all_tasks
from tasks.tables import AuditEvent, Directive, Division, ExtensionRequest, ProgressReport, Task, TaskSupport, User
from tasks.timeliness import Timeliness, effective_due_on, timeliness

STATES = ("open", "in_progress", "submitted", "done", "paused", "cancelled")
MAX_PAGE = 500


@dataclass(frozen=True)
class TaskFilter:
    division: str | None = None
    states: tuple[str, ...] = ()
    timeliness: tuple[Timeliness, ...] = ()
    directive: int | None = None
    leader: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str | None = None
    starred: bool | None = None
    limit: int = 50
    offset: int = 0


def _where(actor: Actor, f: TaskFilter, division_id: int | None, leader_id: int | None):
    clauses = []
    if not sees_all_tasks(actor):
        mine = actor.division_id or -1
        clauses.append((Task.lead_division == mine) | Task.id.is_in(TaskSupport.select(TaskSupport.task).where(TaskSupport.division == mine)))
    if division_id is not None:
        clauses.append((Task.lead_division == division_id) | Task.id.is_in(TaskSupport.select(TaskSupport.task).where(TaskSupport.division == division_id)))
    if f.states:
        clauses.append(Task.state.is_in(list(f.states)))
    if f.directive is not None:
        clauses.append(Task.directive == f.directive)
    if leader_id is not None:
        clauses.append(Task.leader_in_charge == leader_id)
    if f.due_from is not None:
        clauses.append(Task.due_on >= f.due_from)
    if f.due_to is not None:
        clauses.append(Task.due_on <= f.due_to)
    if f.q:
        pattern = "%" + f.q.replace("%", "").replace("_", "") + "%"
        # SQLite's LIKE is already case-insensitive (for ASCII letters); it has no ILIKE.
        if Task._meta.db.engine_type == "sqlite":
            clauses.append(Task.title.like(pattern) | Task.description.like(pattern))
        else:
            clauses.append(Task.title.ilike(pattern) | Task.description.ilike(pattern))
    if f.starred is not None:
        clauses.append(Task.starred == f.starred)
    return clauses


def _apply(query, clauses):
    for clause in clauses:
        query = query.where(clause)
    return query


def _sort_key(row: dict) -> tuple:
    return (row["due_on"] is None, row["due_on"] or date.min, row["id"])


async def list_tasks(actor: Actor, f: TaskFilter, now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> dict[str, Any]:
    for state in f.states:
        if state not in STATES:
            raise Invalid(N_("Unknown state: {value}"), fields={"state": N_("Unknown state")}, value=state)
    if not 1 <= f.limit <= MAX_PAGE or f.offset < 0:
        raise Invalid(N_("Paging out of range: limit 1–{n}, offset from 0."), fields={"limit": N_("Out of range")}, n=MAX_PAGE)
    division_id = leader_id = None
    if f.division:
        row = await Division.select(Division.id).where(Division.code == f.division).first().run()
        if row is None:
            raise Invalid(N_("Unknown division: {codes}"), fields={"division": N_("Unknown division")}, codes=f.division)
        division_id = row["id"]
    if f.leader:
        row = await User.select(User.id).where(User.username == f.leader).first().run()
        if row is None:
            raise Invalid(N_("No such user: {value}"), fields={"leader": N_("Unknown user or wrong role")}, value=f.leader)
        leader_id = row["id"]
    clauses = _where(actor, f, division_id, leader_id)
    if f.timeliness:
        # Timeliness is decided by the one Python function, never re-implemented in SQL.
        light = await _apply(Task.select(Task.id, Task.state, Task.due_on, Task.completed_on), clauses).run()
        wanted = set(f.timeliness)
        matching = sorted((r for r in light if _timeliness_of(r, now, calendar, due_soon_days) in wanted), key=_sort_key)
        total = len(matching)
        page_ids = [r["id"] for r in matching[f.offset : f.offset + f.limit]]
        rows = await Task.select().where(Task.id.is_in(page_ids)).run() if page_ids else []
        rows.sort(key=_sort_key)
    else:
        total = await _apply(Task.count(), clauses).run()
        rows = await _apply(Task.select(), clauses).order_by(OrderByRaw("due_on IS NULL"), Task.due_on, Task.id).limit(f.limit).offset(f.offset).run()
    return {"items": await present_tasks(rows, now, calendar, due_soon_days), "total": total}


def _timeliness_of(row: dict, now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> Timeliness | None:
    return timeliness(_Dates(row["state"], row["due_on"], row["completed_on"]), now, calendar, due_soon_days)


@dataclass(frozen=True)
class _Dates:
    state: str
    due_on: date | None
    completed_on: date | None


async def present_tasks(rows: list[dict], now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> list[dict]:
    """Tasks as the API shows them, in a fixed number of queries however many rows there are."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    divisions = {d["id"]: d["code"] for d in await Division.select(Division.id, Division.code).run()}
    user_ids = {r[k] for r in rows for k in ("leader_in_charge", "assignee") if r[k] is not None}
    users = {u["id"]: u["username"] for u in await User.select(User.id, User.username).where(User.id.is_in(list(user_ids))).run()} if user_ids else {}
    directive_ids = list({r["directive"] for r in rows})
    directives = {d["id"]: d for d in await Directive.select(Directive.id, Directive.number, Directive.issuer, Directive.issued_on).where(Directive.id.is_in(directive_ids)).run()}
    supports: dict[int, list[str]] = {}
    for s in await TaskSupport.select(TaskSupport.task, TaskSupport.division).where(TaskSupport.task.is_in(ids)).run():
        supports.setdefault(s["task"], []).append(divisions[s["division"]])
    items = []
    for r in rows:
        dates = _Dates(r["state"], r["due_on"], r["completed_on"])
        t = timeliness(dates, now, calendar, due_soon_days)
        d = directives[r["directive"]]
        items.append({
            "id": r["id"],
            "directive": {"id": d["id"], "number": d["number"], "issuer": d["issuer"], "issued_on": d["issued_on"]},
            "parent": r["parent"],
            "title": r["title"],
            "description": r["description"],
            "lead_division": divisions[r["lead_division"]],
            "support_divisions": sorted(supports.get(r["id"], [])),
            "leader_in_charge": users.get(r["leader_in_charge"]),
            "assignee": users.get(r["assignee"]),
            "due_on": r["due_on"],
            "original_due_on": r["original_due_on"],
            "effective_due_on": effective_due_on(dates, calendar),
            "deadline_version": r["deadline_version"],
            "state": r["state"],
            "state_reason": r["state_reason"],
            "percent": r["percent"],
            "completed_on": r["completed_on"],
            "priority": r["priority"],
            "starred": r["starred"],
            "timeliness": t.value if t else None,
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        })
    return items


async def visible_task(actor: Actor, task_id: int) -> dict:
    row, supports = await load_task(task_id)
    if not can_view_task(actor, row["lead_division"], supports):
        # Hidden tasks look absent, so their existence does not leak across divisions.
        raise NotFound(N_("No task {value}."), value=task_id)
    return row


async def task_detail(actor: Actor, task_id: int, now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> dict:
    row = await visible_task(actor, task_id)
    item = (await present_tasks([row], now, calendar, due_soon_days))[0]
    item["progress"] = await ProgressReport.select(
        ProgressReport.id, ProgressReport.percent, ProgressReport.note, ProgressReport.reported_at,
        ProgressReport.division.code.as_alias("division"), ProgressReport.author.username.as_alias("author"),
    ).where(ProgressReport.task == task_id).order_by(ProgressReport.id).run()
    item["extensions"] = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.state, ExtensionRequest.previous_due_on, ExtensionRequest.requested_due_on,
        ExtensionRequest.reason, ExtensionRequest.decision_note, ExtensionRequest.created_at, ExtensionRequest.decided_at,
        ExtensionRequest.requested_by.username.as_alias("requested_by"), ExtensionRequest.decided_by.username.as_alias("decided_by"),
    ).where(ExtensionRequest.task == task_id).order_by(ExtensionRequest.id).run()
    return item


async def task_history(actor: Actor, task_id: int) -> list[dict]:
    await visible_task(actor, task_id)
    rows = await AuditEvent.select(
        AuditEvent.id, AuditEvent.at, AuditEvent.actor_username, AuditEvent.action, AuditEvent.entity_type,
        AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.note,
    ).where(AuditEvent.task == task_id).order_by(AuditEvent.id).run()
    return [
        {
            "id": r["id"], "at": r["at"], "actor": r["actor_username"], "action": r["action"],
            "entity_type": r["entity_type"], "entity_id": r["entity_id"],
            "before": _load(r["before"]), "after": _load(r["after"]), "note": r["note"],
        }
        for r in rows
    ]


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
