"""Reading the register: task lists with filters, one task in full, and its history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.query.mixins import OrderByRaw

from tasks.calendar import WorkingCalendar
from tasks.classify import classification, date_literal
from tasks.errors import N_, Invalid, NotFound
from tasks.lifecycle import load_task
from tasks.register import get_directive
from tasks.permissions import Actor, can_view_task, sees_all_tasks
from tasks.search import matching, words
from tasks.state import ALL_STATES, TaskState, sql_states
from tasks.tables import AuditEvent, Directive, Division, ExtensionRequest, ProgressReport, Task, User
from tasks.timeliness import TaskDates, Timeliness, timeliness

STATES = tuple(TaskState)  # in the order the list pages offer them
MAX_PAGE = 500
# The list's order, served by the index task (due_on, id) on both engines (PostgreSQL sorts NULLs
# last in an ascending index, so the index is read in exactly this order).
# (Piccolo appends ASC to a raw ordering, which suits its last term only.)
ORDER_SQL = "task.due_on NULLS LAST, task.id"
ORDER = OrderByRaw(ORDER_SQL)
# The same order for a search, written so that the engine does not walk that index: for words
# whose tasks lie far along the deadline order (a recent directive's number) the walk visits most
# tasks before it has a page (180 ms on PostgreSQL, 0.5 s on SQLite at 100,000 tasks). PostgreSQL
# then reads what the trigram index finds and keeps the first rows by a top-N sort, about what the
# total costs; SQLite reads the table once (bench/search.py). `+` keeps SQLite off an index; on
# PostgreSQL a date plus 0 days does. PostgreSQL still walks the index when the search matches so
# many tasks that a page is surely near its start (`_walk_pays`).
SEARCH_ORDER_SQL = {True: "task.due_on + 0 NULLS LAST, task.id", False: "+task.due_on NULLS LAST, task.id"}


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


def in_division(division_id: int, alias: str = "task") -> str:
    """A task the division leads or supports. Read along the list's order this is a lead check and
    a lookup in the division's few supported tasks (an index-only scan of task_support (division,
    task), hashed once); counted, it is split in two disjoint parts (see _count)."""
    d = int(division_id)
    return f"({alias}.lead_division = {d} OR {alias}.id IN (SELECT task FROM task_support WHERE division = {d}))"


def _divisions(actor: Actor | None, division_id: int | None) -> list[int]:
    """The divisions a task must belong to (lead or support): the head's own, and the filter's."""
    out = []
    if actor is not None and not sees_all_tasks(actor):
        out.append(actor.division_id or -1)
    if division_id is not None:
        out.append(division_id)
    return out


def _where(f: TaskFilter, leader_id: int | None, postgres: bool) -> tuple[list[str], list[Any]]:
    """The filters other than the divisions, as SQL on the table `task`; only user text is a parameter."""
    clauses: list[str] = []
    args: list[Any] = []
    if f.states:
        clauses.append(f"task.state IN {sql_states(TaskState(s) for s in f.states)}")
    if f.directive is not None:
        clauses.append(f"task.directive = {int(f.directive)}")
    if leader_id is not None:
        clauses.append(f"task.leader_in_charge = {int(leader_id)}")
    if f.due_from is not None:
        clauses.append(f"task.due_on >= {date_literal(f.due_from, postgres)}")
    if f.due_to is not None:
        clauses.append(f"task.due_on <= {date_literal(f.due_to, postgres)}")
    if f.q:
        # Every word of the query in the task's folded search text (tasks.search; a trigram index on PostgreSQL).
        likes, patterns = matching("task.search", f.q)
        clauses += likes
        args += patterns
    if f.starred is not None:
        clauses.append("task.starred = {}")
        args.append(f.starred)
    return clauses, args


async def _count(divisions: list[int], clauses: list[str], args: list[Any], parts: list[str]) -> int:
    """The total, as a sum of counts over disjoint parts that each an index answers: the
    timeliness branches `parts` (tasks.classify), and with a division the tasks it leads plus those
    it supports but does not lead, instead of testing every task against an OR. PostgreSQL fetches
    the supported tasks by primary key from an array (a join would hash a scan of every task that
    matches the other filters: 51–70 ms against 30 ms at 500k, docs/performance.md); SQLite's
    plan for the join already starts from task_support."""
    postgres = Task._meta.db.engine_type == "postgres"
    selects: list[str] = []
    n_args = 0
    if divisions and not clauses and not parts[1:] and parts[0] == "1 = 1" and len(divisions) == 1:
        # A division alone: both parts straight from the indexes (lead_division; task_support's
        # (division, task)), without reading a task row.
        d = int(divisions[0])
        selects = [f"(SELECT COUNT(*) FROM task WHERE task.lead_division = {d})",
                   f"(SELECT COUNT(*) FROM task_support s WHERE s.division = {d} "
                   f"AND s.task NOT IN (SELECT id FROM task WHERE task.lead_division = {d}))"]
    elif not divisions:
        for part in parts:
            selects.append(f"(SELECT COUNT(*) FROM task WHERE {' AND '.join([*clauses, part])})")
            n_args += 1
    else:
        first, rest = int(divisions[0]), [in_division(d) for d in divisions[1:]]
        for part in parts:
            where = " AND ".join([*rest, *clauses, part])
            selects.append(f"(SELECT COUNT(*) FROM task WHERE task.lead_division = {first} AND {where})")
            n_args += 1
        # The supported tasks are read row by row anyway: once, with every branch.
        where = " AND ".join([*rest, *clauses, "(" + " OR ".join(parts) + ")"])
        selects.append(f"(SELECT COUNT(*) FROM task WHERE task.id = ANY(ARRAY(SELECT task FROM task_support WHERE division = {first})) "
                       f"AND task.lead_division <> {first} AND {where})" if postgres else
                       f"(SELECT COUNT(*) FROM task_support s JOIN task ON task.id = s.task "
                       f"WHERE s.division = {first} AND task.lead_division <> {first} AND {where})")
        n_args += 1
    sql, sql_args = f"SELECT {' + '.join(selects)} AS n", tuple(args * n_args)
    version = await register_version()
    key = (version, sql, sql_args)
    total = _totals.get(key)
    if total is None:
        # Counted after the version was read, so the count is at least as new as the version.
        rows = await Task.raw(sql, *sql_args).run()
        total = int(rows[0]["n"])
        if len(_totals) >= _KEEP_TOTALS:
            _totals.clear()
        _totals[key] = total
    return total


# Totals this process counted, by (register version, SQL, arguments): at 1M tasks counting the open
# ones reads 350,000 index entries, and the register changes far less often than it is listed. The
# version (register_version, raised by triggers on task and task_support in the writing
# transaction) changes with every write, so a kept total is exactly the one a count would give.
# Every key holds the SQL with its dates, so a new day's classification is a new key.
_totals: dict[tuple, int] = {}
_KEEP_TOTALS = 512


async def register_version() -> tuple[str, int]:
    row = (await Task.raw("SELECT epoch, n FROM register_version").run())[0]
    return row["epoch"], int(row["n"])


def _check_states(f: TaskFilter) -> None:
    for state in f.states:
        if state not in ALL_STATES:
            raise Invalid(N_("Unknown state: {value}"), fields={"state": N_("Unknown state")}, value=state)


async def _selection(actor: Actor | None, f: TaskFilter, now: datetime, calendar: WorkingCalendar,
                     due_soon_days: int) -> tuple[list[int], list[str], list[Any], list[str]]:
    """What `f` selects of the tasks `actor` may see (None: the command line, every task): the
    divisions a task must belong to, the other filters as SQL with their arguments, and the
    disjoint timeliness branches (tasks.classify). The list, its total and the exports all read it."""
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
    postgres = Task._meta.db.engine_type == "postgres"
    clauses, args = _where(f, leader_id, postgres)
    parts = ["1 = 1"]
    if f.timeliness:
        cls = await classification(Task, now, calendar, due_soon_days)
        parts = cls.disjoint(f.timeliness, alias="task")
    return _divisions(actor, division_id), clauses, args, parts


def _matching_sql(divisions: list[int], clauses: list[str], parts: list[str]) -> str:
    return " AND ".join([in_division(d) for d in divisions] + clauses + ["(" + " OR ".join(parts) + ")"])


async def list_tasks(actor: Actor, f: TaskFilter, now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> dict[str, Any]:
    """One page of the tasks `actor` may see that match `f`, in deadline order, and their total.
    Timeliness is filtered and counted in SQL (tasks.classify, the same rule as timeliness()); only
    the rows of the page are classified in Python, to show them."""
    _check_states(f)
    if not 1 <= f.limit <= MAX_PAGE or f.offset < 0:
        raise Invalid(N_("Paging out of range: limit 1–{n}, offset from 0."), fields={"limit": N_("Out of range")}, n=MAX_PAGE)
    divisions, clauses, args, parts = await _selection(actor, f, now, calendar, due_soon_days)
    total = await _count(divisions, clauses, args, parts)
    where = _matching_sql(divisions, clauses, parts)
    # Raw SQL: building this select through Piccolo cost more CPU than running it (the hot path).
    order = ORDER_SQL
    postgres = Task._meta.db.engine_type == "postgres"
    if words(f.q) and not (postgres and await _walk_pays(total, f.offset + f.limit)):
        order = SEARCH_ORDER_SQL[postgres]
    rows = await Task.raw(f"SELECT task.* FROM task WHERE {where} ORDER BY {order} LIMIT {int(f.limit)} OFFSET {int(f.offset)}", *args).run()
    return {"items": await present_tasks(rows, now, calendar, due_soon_days), "total": total}


async def matching_task_ids(actor: Actor | None, f: TaskFilter, now: datetime, calendar: WorkingCalendar, due_soon_days: int,
                            most: int) -> list[int]:
    """Every task the list shows for `f` (all its pages: the filter's limit and offset are not
    read), in the list's order, as ids; Invalid when they are more than `most` (the export's bound)."""
    _check_states(f)
    divisions, clauses, args, parts = await _selection(actor, f, now, calendar, due_soon_days)
    total = await _count(divisions, clauses, args, parts)
    if total > most:
        raise Invalid(N_("The list holds {total} tasks, more than the {n} an export takes; narrow the filters."),
                      fields={"limit": N_("Too many rows")}, total=f"{total:,}".replace(",", "."), n=f"{most:,}".replace(",", "."))
    rows = await Task.raw(f"SELECT task.id FROM task WHERE {_matching_sql(divisions, clauses, parts)} ORDER BY {ORDER_SQL}", *args).run()
    return [r["id"] for r in rows]


async def _walk_pays(total: int, wanted: int) -> bool:
    """Whether reading the deadline order's index until `wanted` rows matched is cheap next to
    reading all `total` matches through the trigram index: when matches are spread evenly the walk
    reads wanted × tasks ÷ total rows; it is taken only when that is a quarter of `total` or less,
    a margin for matches that bunch up in deadline order (PostgreSQL's planner assumes none)."""
    n = (await Task.raw("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'task'::regclass").run())[0]["n"]
    return total * total >= 4 * wanted * max(int(n), 1)


def _dates(row: dict) -> TaskDates:
    return TaskDates(row["state"], row["due_on"], row["completed_on"], row.get("missed_due_on"))


def _id_list(values: set[int]) -> str:
    return "(" + ", ".join(str(int(v)) for v in sorted(values)) + ")" if values else "(NULL)"


async def _names(rows: list[dict], ids: list[int]) -> tuple[dict[int, str], dict[int, str], dict[int, list[str]]]:
    """The codes of the lead divisions, the usernames and each task's supporting divisions, in one
    round trip (all text, so one UNION serves both engines)."""
    user_ids = {r[k] for r in rows for k in ("leader_in_charge", "assignee") if r[k] is not None}
    division_ids = {r["lead_division"] for r in rows}
    found = await Task.raw(
        f"SELECT 'd' AS kind, id AS ref, code AS name FROM division WHERE id IN {_id_list(division_ids)} "
        f"UNION ALL SELECT 'u', id, username FROM app_user WHERE id IN {_id_list(user_ids)} "
        f"UNION ALL SELECT 's', s.task, d.code FROM task_support s JOIN division d ON d.id = s.division WHERE s.task IN {_id_list(set(ids))}"
    ).run()
    divisions: dict[int, str] = {}
    users: dict[int, str] = {}
    supports: dict[int, list[str]] = {}
    for f in found:
        if f["kind"] == "d":
            divisions[f["ref"]] = f["name"]
        elif f["kind"] == "u":
            users[f["ref"]] = f["name"]
        else:
            supports.setdefault(f["ref"], []).append(f["name"])
    return divisions, users, supports


async def present_tasks(rows: list[dict], now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> list[dict]:
    """Tasks as the API shows them, in a fixed number of queries however many rows there are."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    directive_ids = {r["directive"] for r in rows}
    directives = {d["id"]: d for d in await Directive.raw(f"SELECT id, number, issuer, issued_on FROM directive WHERE id IN {_id_list(directive_ids)}").run()}
    divisions, users, supports = await _names(rows, ids)
    items = []
    for r in rows:
        t = timeliness(_dates(r), now, calendar, due_soon_days)
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
            # The day the current deadline falls due (the one to meet); timeliness counts
            # missed_due_on instead when the office corrected a deadline already missed.
            "effective_due_on": None if r["due_on"] is None else calendar.effective_due(r["due_on"]),
            "missed_due_on": r.get("missed_due_on"),
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
    return await _events(AuditEvent.task == task_id)


async def directive_history(actor: Actor, directive_id: int) -> list[dict]:
    """The directive's own events (recorded, corrected), oldest first; its tasks have theirs."""
    await get_directive(actor, directive_id)
    return await _events((AuditEvent.entity_type == "directive") & (AuditEvent.entity_id == directive_id))


async def _events(where) -> list[dict]:
    rows = await AuditEvent.select(
        AuditEvent.id, AuditEvent.at, AuditEvent.actor_username, AuditEvent.action, AuditEvent.entity_type,
        AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.note, AuditEvent.via,
    ).where(where).order_by(AuditEvent.id).run()
    return [
        {
            "id": r["id"], "at": r["at"], "actor": r["actor_username"], "action": r["action"],
            "entity_type": r["entity_type"], "entity_id": r["entity_id"],
            "before": _load(r["before"]), "after": _load(r["after"]), "note": r["note"], "via": r["via"],
        }
        for r in rows
    ]


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
