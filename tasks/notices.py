"""Who hears of a change: each audited change to a task that others must know of (assigned,
returned, an extension asked for or decided, a deadline corrected, submitted, confirmed, paused,
cancelled, resumed) becomes one Notice per person concerned, in the same transaction as the
change. The notices are each person's inbox in the app, and the next pass within working hours
mails them (notify.outbox), so a change reaches everyone it concerns exactly once.

The person who made the change is not told of it. Someone who is both addressed and copied is
addressed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from tasks.authority import director_id
from tasks.dates import as_date, format_date
from tasks.db import insert_rows
from tasks.errors import N_, NotFound
from tasks.i18n import Gettext
from tasks.permissions import Actor, Role
from tasks.tables import Notice, Task, TaskSupport, User


@dataclass(frozen=True)
class Rule:
    kind: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


_TOLD = ("lead_heads", "assignee")
_RUNNING = ("lead_heads", "support_heads")
# audit action -> who hears of it (DESIGN and issue 11: the table of events)
RULES: dict[str, Rule] = {
    "create_task": Rule("assigned", _TOLD, ("support_heads",)),
    "import_task": Rule("assigned", _TOLD, ("support_heads",)),
    "assign": Rule("reassigned", _TOLD, ("support_heads",)),
    "return": Rule("returned", ("lead_heads",)),
    "request_extension": Rule("extension_requested", ("decider",), ("office",)),
    "approve_extension": Rule("extension_approved", ("lead_heads",), ("office",)),
    "refuse_extension": Rule("extension_refused", ("lead_heads",), ("office",)),
    "correct": Rule("deadline_corrected", ("lead_heads", "leader_in_charge")),  # only when the deadline moved
    "submit": Rule("done_submitted", ("office",)),
    "confirm": Rule("done_confirmed", ("lead_heads", "leader_in_charge")),
    "reopen": Rule("task_reopened", ("lead_heads", "leader_in_charge")),
    "pause": Rule("task_paused", _RUNNING),
    "cancel": Rule("task_cancelled", _RUNNING),
    "resume": Rule("task_resumed", _RUNNING),
}
KINDS = sorted({r.kind for r in RULES.values()})

# What a notice says, in the reader's language; {date} is the date the change names.
LABELS = {
    ("assigned", "to"): N_("New task for your division"),
    ("assigned", "cc"): N_("New task your division supports"),
    ("reassigned", "to"): N_("Task assigned to your division"),
    ("reassigned", "cc"): N_("Task your division now supports"),
    ("returned", "to"): N_("Returned by the office"),
    ("extension_requested", "to"): N_("Extension asked for, to {date}"),
    ("extension_approved", "to"): N_("Extension approved: the new deadline is {date}"),
    ("extension_refused", "to"): N_("Extension refused"),
    ("deadline_corrected", "to"): N_("Deadline corrected by the office, to {date}"),
    ("done_submitted", "to"): N_("Submitted as done"),
    ("done_confirmed", "to"): N_("Confirmed done"),
    ("task_reopened", "to"): N_("Reopened by the office: back in progress"),
    ("task_paused", "to"): N_("Paused"),
    ("task_cancelled", "to"): N_("Cancelled"),
    ("task_resumed", "to"): N_("Resumed"),
}


def label(kind: str, role: str, after: Mapping[str, Any] | str | None, _: Gettext) -> str:
    """The notice's one line, e.g. "Xin gia hạn đến 20/03/2026"."""
    if isinstance(after, str):  # SQLite hands JSON columns back as text
        after = json.loads(after)
    after = after or {}
    text = LABELS.get((kind, role)) or LABELS[(kind, "to")]
    day = as_date(after.get("requested_due_on") or after.get("due_on"))
    return _(text, date=format_date(day) if day else "")


@dataclass(frozen=True)
class Change:
    """An audited change, as the notices need it."""

    event_id: int
    action: str
    task_id: int
    actor_id: int | None
    at: datetime
    after: Mapping[str, Any] | None = None


def rule_for(change: Change) -> Rule | None:
    rule = RULES.get(change.action)
    if rule is None or (change.action == "correct" and "due_on" not in (change.after or {})):
        return None
    return rule


@dataclass(frozen=True)
class TaskPeople:
    lead_division: int
    support_divisions: tuple[int, ...]
    leader_in_charge: int | None
    assignee: int | None


@dataclass(frozen=True)
class Department:
    """The active users the rules name, by role."""

    heads: Mapping[int, tuple[int, ...]]  # division id -> head user ids
    office: tuple[int, ...]
    director: int | None


def recipients(rule: Rule, task: TaskPeople, people: Department, actor_id: int | None) -> list[tuple[int, str]]:
    """(user id, "to"|"cc") for one change, in a stable order."""

    def users(kind: str) -> Iterable[int]:
        if kind == "lead_heads":
            return people.heads.get(task.lead_division, ())
        if kind == "support_heads":
            return [u for d in task.support_divisions for u in people.heads.get(d, ())]
        if kind == "assignee":
            return [task.assignee] if task.assignee else []
        if kind == "leader_in_charge":
            return [task.leader_in_charge] if task.leader_in_charge else []
        if kind == "decider":  # who decides an extension: the leader in charge, else the director
            decider = task.leader_in_charge or people.director
            return [decider] if decider else []
        if kind == "office":
            return people.office
        raise ValueError(kind)

    return addressed(rule.to, rule.cc, users, lambda user_id: user_id != actor_id)


def addressed(to: Iterable[str], cc: Iterable[str], users: Callable[[str], Iterable[int]],
              keep: Callable[[int], bool]) -> list[tuple[int, str]]:
    """(user id, "to"|"cc") for the kinds of people a rule names (the ladder's too): each person
    once, addressed rather than copied when named both ways, in the rule's order."""
    chosen: dict[int, str] = {}
    for role, kinds in (("to", to), ("cc", cc)):
        for kind in kinds:
            for user_id in users(kind):
                if keep(user_id):
                    chosen.setdefault(user_id, role)
    return list(chosen.items())


async def _department() -> Department:
    heads: dict[int, list[int]] = {}
    office: list[int] = []
    for u in await User.select(User.id, User.role, User.division).where(User.active == True).order_by(User.id).run():  # noqa: E712
        if u["role"] == Role.HEAD.value and u["division"] is not None:
            heads.setdefault(u["division"], []).append(u["id"])
        elif u["role"] == Role.OFFICE.value:
            office.append(u["id"])
    return Department({d: tuple(ids) for d, ids in heads.items()}, tuple(office), await director_id())


CHUNK = 5000


async def _tasks(task_ids: list[int]) -> dict[int, TaskPeople]:
    rows, supports = [], {}
    for i in range(0, len(task_ids), CHUNK):
        chunk = task_ids[i : i + CHUNK]
        rows += await Task.select(Task.id, Task.lead_division, Task.leader_in_charge, Task.assignee).where(Task.id.is_in(chunk)).run()
        for s in await TaskSupport.select(TaskSupport.task, TaskSupport.division).where(TaskSupport.task.is_in(chunk)).run():
            supports.setdefault(s["task"], []).append(s["division"])
    return {r["id"]: TaskPeople(r["lead_division"], tuple(sorted(supports.get(r["id"], ()))), r["leader_in_charge"], r["assignee"])
            for r in rows}


async def record(changes: Iterable[Change], known: Mapping[int, TaskPeople] | None = None) -> int:
    """Write the notices of these changes. Call inside the transaction of the changes (the audit
    writer does), after the task rows were written; `known` gives the people of tasks the caller
    has just written (task id → TaskPeople), which are then not read again. Returns how many
    notices were written."""
    ruled = [(c, r) for c in changes if (r := rule_for(c)) is not None]
    if not ruled:
        return 0
    people = await _department()
    known = known or {}
    tasks = {**await _tasks(sorted({c.task_id for c, _ in ruled if c.task_id not in known})), **known}
    rows = [
        {"user": user_id, "event": c.event_id, "task": c.task_id, "kind": rule.kind, "role": role, "created_at": c.at}
        for c, rule in ruled if c.task_id in tasks
        for user_id, role in recipients(rule, tasks[c.task_id], people, c.actor_id)
    ]
    await insert_rows(Notice, rows)
    return len(rows)


# --- the inbox --------------------------------------------------------------------------------------

INBOX_PAGE = 50


async def inbox(actor: Actor, unread_only: bool = False, limit: int = INBOX_PAGE, offset: int = 0) -> dict:
    """The actor's own notices, newest first: {"items", "total", "unread"}."""
    mine = Notice.user == actor.id
    unread = mine & Notice.read_at.is_null()
    where = unread if unread_only else mine
    rows = await Notice.select(
        Notice.id, Notice.kind, Notice.task, Notice.task.title.as_alias("title"), Notice.role, Notice.created_at, Notice.read_at,
        Notice.event.after.as_alias("after"), Notice.event.note.as_alias("note"), Notice.event.actor.full_name.as_alias("by"),
    ).where(where).order_by(Notice.id, ascending=False).limit(limit).offset(offset).run()
    return {"items": rows, "total": await Notice.count().where(where).run(), "unread": await unread_count(actor)}


def presented(item: dict, _: Gettext) -> dict:
    """An inbox item as the API and the page show it: what changed in words, no internals."""
    return {"id": item["id"], "kind": item["kind"], "task": item["task"], "title": item["title"], "role": item["role"],
            "text": label(item["kind"], item["role"], item["after"], _), "note": item["note"], "by": item["by"] or "",
            "created_at": item["created_at"], "read_at": item["read_at"]}


async def unread_count(actor: Actor) -> int:
    return await Notice.count().where((Notice.user == actor.id) & Notice.read_at.is_null()).run()


async def mark_read(actor: Actor, now: datetime, notice_id: int) -> dict:
    """Mark one of the actor's notices read; another's is not theirs to see (404, as if absent).
    Reading is the reader's own business, not a change to the record, so it is not audited."""
    row = await Notice.select(Notice.id, Notice.task, Notice.read_at).where((Notice.id == notice_id) & (Notice.user == actor.id)).first().run()
    if row is None:
        raise NotFound(N_("No notice {value}."), value=notice_id)
    if row["read_at"] is None:
        await Notice.update({Notice.read_at: now}).where((Notice.id == notice_id) & Notice.read_at.is_null()).run()
        row["read_at"] = now
    return row


async def mark_all_read(actor: Actor, now: datetime) -> int:
    changed = await Notice.update({Notice.read_at: now}).where((Notice.user == actor.id) & Notice.read_at.is_null()).returning(Notice.id).run()
    return len(changed)
