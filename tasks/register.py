"""Recording directives and their tasks (one transaction, one audit event per record), and reading the register.

`insert_directives` and `insert_tasks` are the one way a directive or a task is written, for the
API and the pages one at a time and for the Excel import (tasks.importer) thousands at a time:
which columns a new record sets, and what its audit event holds, is decided there only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


from piccolo.query.functions.aggregate import Count

from tasks.audit import Event, refuse, write_events
from tasks.notices import TaskPeople
from tasks.calendar import WorkingCalendar
from tasks.dates import check_date
from tasks.db import Db, insert_rows
from tasks.errors import N_, Conflict, Forbidden, Invalid, NotFound
from tasks.permissions import Actor, Role, may_read_register, may_record_directive
from tasks.search import directive_search_texts, directive_text, task_text, where_matching
from tasks.accounts import division_ids_by_code
from tasks.search import reindex_directive
from tasks.tables import Directive, Division, Task, TaskSupport, User
from tasks.unique import unique_conflict

DIRECTIVE_KIND_LABELS = {"document": N_("Document"), "meeting": N_("Meeting conclusion"),
                         "instruction": N_("Verbal or email instruction")}
DIRECTIVE_KINDS = tuple(DIRECTIVE_KIND_LABELS)
MAX_WORKING_DAYS = 1000
REGISTER_REFUSAL = N_("Division heads see their tasks, not the register of directives.")


@dataclass(frozen=True)
class NewDirective:
    number: str
    issuer: str
    signer: str = ""
    issued_on: date | None = None
    received_on: date | None = None
    kind: str = "document"
    summary: str = ""


@dataclass(frozen=True)
class NewTask:
    title: str
    lead_division: str
    description: str = ""
    support_divisions: tuple[str, ...] = ()
    leader_in_charge: str | None = None
    assignee: str | None = None
    parent: int | None = None
    due_on: date | None = None
    due_in_working_days: int | None = None
    priority: int = 0


@dataclass(frozen=True)
class TaskRow:
    """A task ready to be written: every reference resolved to its id, the deadline to a date."""

    directive: int
    title: str
    lead_division: int
    support_divisions: tuple[int, ...] = ()
    description: str = ""
    parent: int | None = None
    leader_in_charge: int | None = None
    assignee: int | None = None
    due_on: date | None = None
    priority: int = 0
    assigned_at: datetime | None = None  # when it was assigned, if not now (an imported row's "Ngày tạo")


# The columns a written row is read back with (and its audit event holds): all but the derived search text.
DIRECTIVE_COLUMNS = tuple(c._meta.name for c in Directive._meta.columns if c is not Directive.search)
TASK_COLUMNS = tuple(c._meta.name for c in Task._meta.columns if c is not Task.search)


def _directive_values(actor: Actor | None, now: datetime, d: NewDirective) -> dict:
    number, issuer = d.number.strip(), d.issuer.strip()
    return {"number": number, "issuer": issuer, "signer": d.signer.strip(), "issued_on": d.issued_on,
            "received_on": d.received_on, "kind": d.kind, "summary": d.summary, "created_by": actor.id if actor else None,
            "created_at": now, "search": directive_text(number, issuer, d.summary)}


def _task_values(actor: Actor | None, now: datetime, t: TaskRow, directive_search: str) -> dict:
    """A new task's columns; the rest (state open, deadline version 1, 0 %) are the table's defaults."""
    return {"directive": t.directive, "parent": t.parent, "title": t.title, "description": t.description,
            "lead_division": t.lead_division, "leader_in_charge": t.leader_in_charge, "assignee": t.assignee,
            "due_on": t.due_on, "original_due_on": t.due_on, "priority": t.priority, "created_by": actor.id if actor else None,
            "created_at": t.assigned_at or now, "updated_at": now, "search": task_text(t.title, t.description, directive_search)}


async def insert_directives(actor: Actor | None, now: datetime, directives: list[NewDirective], *, action: str = "record_directive",
                            note: str = "") -> list[dict]:
    """Write the directives (already checked) and their audit events, batched; the rows written,
    in order. Inside the caller's transaction; `actor` None is the command line."""
    rows = await insert_rows(Directive, [_directive_values(actor, now, d) for d in directives], returning=DIRECTIVE_COLUMNS)
    await write_events(Event(actor=actor, at=now, action=action, entity_type="directive", entity_id=r["id"], after=r, note=note)
                       for r in rows)
    return rows


async def insert_tasks(actor: Actor | None, now: datetime, tasks: list[TaskRow], *, action: str = "create_task",
                       note: str = "") -> list[dict]:
    """Write the tasks (already checked), their supporting divisions and their audit events,
    batched; the task rows written, in order. Inside the caller's transaction."""
    searches = await directive_search_texts(t.directive for t in tasks)
    rows = await insert_rows(Task, [_task_values(actor, now, t, searches.get(t.directive, "")) for t in tasks], returning=TASK_COLUMNS)
    await insert_rows(TaskSupport, [{"task": r["id"], "division": d} for r, t in zip(rows, tasks) for d in t.support_divisions])
    ids = sorted({t.lead_division for t in tasks} | {d for t in tasks for d in t.support_divisions})
    codes = {d["id"]: d["code"] for d in await Division.select(Division.id, Division.code).where(Division.id.is_in(ids)).run()} if ids else {}
    await write_events(
        (Event(actor=actor, at=now, action=action, entity_type="task", entity_id=r["id"], task_id=r["id"], note=note, after={
            **r, "support_divisions": sorted(codes[d] for d in t.support_divisions), "lead_division_code": codes[t.lead_division]})
         for r, t in zip(rows, tasks)),
        {r["id"]: TaskPeople(t.lead_division, tuple(sorted(t.support_divisions)), t.leader_in_charge, t.assignee) for r, t in zip(rows, tasks)},
    )
    return rows


def _check_directive(d: NewDirective, today: date) -> None:
    if d.kind not in DIRECTIVE_KINDS:
        raise Invalid(N_("Unknown directive kind: {value}"), fields={"kind": N_("Must be document, meeting or instruction")}, value=d.kind)
    if not d.number.strip() or not d.issuer.strip():
        raise Invalid(N_("A directive needs its number and its issuer."), fields={
            **({"number": N_("Required")} if not d.number.strip() else {}),
            **({"issuer": N_("Required")} if not d.issuer.strip() else {}),
        })
    if d.issued_on and d.received_on and d.received_on < d.issued_on:
        raise Invalid(N_("A directive cannot be received before it was issued."), fields={"received_on": N_("Before the issue date")})
    for name, value in (("issued_on", d.issued_on), ("received_on", d.received_on)):
        check_date(value, name)
        if value and value > today:
            raise Invalid(N_("That date is in the future."), fields={name: N_("In the future")})


def _already_recorded(directive: NewDirective) -> Conflict:
    return Conflict(N_("Directive {value} from this issuer is already recorded."), fields={"number": N_("Already recorded")},
                    value=directive.number.strip())


async def record_directive(
    db: Db,
    actor: Actor,
    now: datetime,
    calendar: WorkingCalendar,
    directive: NewDirective,
    tasks: list[NewTask] = (),
) -> dict:
    """Record a directive together with its tasks; nothing is written unless all of it is valid."""
    if not may_record_directive(actor):
        raise await refuse(actor, now, "record_directive", "directive", None, N_("Only the office may record directives."))
    _check_directive(directive, calendar.today(now))
    async with unique_conflict(_already_recorded(directive), "directive", ("issuer", "number")), db.transaction():
        if await Directive.exists().where(
            (Directive.issuer == directive.issuer) & (Directive.number == directive.number)
        ).run():
            raise _already_recorded(directive)
        row = (await insert_directives(actor, now, [directive]))[0]
        created = await insert_tasks(actor, now, [await _resolve_task(now, calendar, row, t, f"tasks.{i}.") for i, t in enumerate(tasks)])
    return {**row, "tasks": created}


DIRECTIVE_CORRECTABLE = ("number", "issuer", "signer", "issued_on", "received_on", "kind", "summary")


async def correct_directive(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, directive_id: int, reason: str,
                            changes: dict) -> dict:
    """An office correction of a directive's recorded fields, with a reason, audited with what
    changed. Its tasks keep their deadlines (a deadline counted in working days was turned into a
    date when recorded); an issue date after one of their deadlines is refused, as it is when
    a task is recorded."""
    if not may_record_directive(actor):
        raise await refuse(actor, now, "correct_directive", "directive", directive_id, N_("Only the office may correct a directive."))
    if not reason.strip():
        raise Invalid(N_("Give a reason."), fields={"reason": N_("Required")})
    if unknown := set(changes) - set(DIRECTIVE_CORRECTABLE):
        raise Invalid(N_("These fields cannot be corrected here: {value}"), value=", ".join(sorted(unknown)))
    changes = {k: v.strip() if k in ("number", "issuer", "signer") else v for k, v in changes.items()}
    async with db.transaction():
        query = Directive.select(*(getattr(Directive, c) for c in DIRECTIVE_COLUMNS)).where(Directive.id == directive_id)
        row = await (query if db.is_sqlite else query.lock_rows("UPDATE")).first().run()
        if row is None:
            raise NotFound(N_("No directive {value}."), value=directive_id)
        corrected = NewDirective(**{k: changes.get(k, row[k]) for k in DIRECTIVE_CORRECTABLE})
        values = {k: v for k, v in changes.items() if row[k] != v}
        if not values:
            return row
        _check_directive(corrected, calendar.today(now))
        if {"number", "issuer"} & set(values) and await Directive.exists().where(
                (Directive.issuer == corrected.issuer) & (Directive.number == corrected.number) & (Directive.id != directive_id)).run():
            raise _already_recorded(corrected)
        if values.get("issued_on") is not None:
            earliest = await Task.select(Task.due_on).where((Task.directive == directive_id) & Task.due_on.is_not_null()) \
                .order_by(Task.due_on).first().run()
            if earliest is not None and earliest["due_on"] < values["issued_on"]:
                raise Invalid(N_("A task of this directive is due before that date."), fields={"issued_on": N_("After a task's deadline")})
        async with unique_conflict(_already_recorded(corrected), "directive", ("issuer", "number")):
            await Directive.update({getattr(Directive, k): v for k, v in values.items()}).where(Directive.id == directive_id).run()
        if {"number", "issuer", "summary"} & set(values):
            await reindex_directive(directive_id)  # its tasks are found by its number, issuer and summary
        await write_events([Event(actor=actor, at=now, action="correct_directive", entity_type="directive", entity_id=directive_id,
                                  before={k: row[k] for k in values}, after=values, note=reason)])
    return {**row, **values}


async def create_task(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, directive_id: int, task: NewTask) -> dict:
    return (await add_tasks(db, actor, now, calendar, directive_id, [task], prefix=lambda i: ""))[0]


async def add_tasks(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, directive_id: int, tasks: list[NewTask],
                    prefix=lambda i: f"tasks.{i}.") -> list[dict]:
    """Add tasks to a directive already recorded: all of them or, if one is refused, none."""
    if not may_record_directive(actor):
        raise await refuse(actor, now, "create_task", "task", None, N_("Only the office may create tasks."))
    if not tasks:
        raise Invalid(N_("Give at least one task with its title."), fields={"tasks.0.title": N_("Required")})
    async with db.transaction():
        directive = await Directive.select().where(Directive.id == directive_id).first().run()
        if directive is None:
            raise Invalid(N_("No directive {value}."), fields={"directive": N_("Not found")}, value=directive_id)
        return await insert_tasks(actor, now, [await _resolve_task(now, calendar, directive, t, prefix(i)) for i, t in enumerate(tasks)])


async def user_id_with_role(username: str | None, roles: tuple[Role, ...], field_name: str) -> int | None:
    if username is None:
        return None
    row = await User.select(User.id, User.role).where((User.username == username) & (User.active == True)).first().run()  # noqa: E712
    if row is None or row["role"] not in roles:
        raise Invalid(N_("No such user: {value}"), fields={field_name: N_("Unknown user or wrong role")}, value=username)
    return row["id"]


def resolve_due_on(task: NewTask, directive: dict, now: datetime, calendar: WorkingCalendar, prefix: str) -> date | None:
    if task.due_on is not None and task.due_in_working_days is not None:
        raise Invalid(N_("Give the deadline as a date or as a number of working days, not both."), fields={prefix + "due_on": N_("Choose one")})
    if task.due_in_working_days is not None:
        n = task.due_in_working_days
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise Invalid(N_("The number of working days must be between 1 and {n}."), fields={prefix + "due_in_working_days": N_("Out of range")}, n=MAX_WORKING_DAYS)
        # "Within N working days" counts from the day the department received the directive.
        start = directive.get("received_on") or directive.get("issued_on") or calendar.today(now)
        return check_date(calendar.add_working_days(start, n), prefix + "due_in_working_days")
    check_date(task.due_on, prefix + "due_on")
    if task.due_on is not None and directive.get("issued_on") and task.due_on < directive["issued_on"]:
        raise Invalid(N_("The deadline is before the directive was issued."), fields={prefix + "due_on": N_("Before the issue date")})
    return task.due_on


async def _resolve_task(now: datetime, calendar: WorkingCalendar, directive: dict, task: NewTask, prefix: str) -> TaskRow:
    """Check a task entered through the API or a page and resolve its names to ids."""
    if not task.title.strip():
        raise Invalid(N_("A task needs a title."), fields={prefix + "title": N_("Required")})
    due_on = resolve_due_on(task, directive, now, calendar, prefix)
    lead = await division_ids_by_code([task.lead_division], prefix + "lead_division")
    supports = await division_ids_by_code(list(task.support_divisions), prefix + "support_divisions")
    if task.lead_division in supports:
        raise Invalid(N_("The lead division cannot also be a supporting division."), fields={prefix + "support_divisions": N_("Contains the lead division")})
    leader_id = await user_id_with_role(task.leader_in_charge, (Role.LEADER,), prefix + "leader_in_charge")
    assignee_id = await user_id_with_role(task.assignee, (Role.HEAD,), prefix + "assignee")
    if task.parent is not None:
        parent = await Task.select(Task.id, Task.directive).where(Task.id == task.parent).first().run()
        if parent is None or parent["directive"] != directive["id"]:
            raise Invalid(N_("The parent task must belong to the same directive."), fields={prefix + "parent": N_("Not in this directive")})
    return TaskRow(directive=directive["id"], title=task.title.strip(), lead_division=lead[task.lead_division],
                   support_divisions=tuple(supports[code] for code in task.support_divisions), description=task.description,
                   parent=task.parent, leader_in_charge=leader_id, assignee=assignee_id, due_on=due_on, priority=task.priority)


async def list_directives(actor: Actor, q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """The register: directives, newest first, each with its number of tasks (one aggregate query
    per 1,000 directives: the export reads up to 50,000)."""
    if not may_read_register(actor):
        raise Forbidden(REGISTER_REFUSAL)
    query = Directive.select(Directive.id, Directive.number, Directive.issuer, Directive.signer, Directive.issued_on,
                             Directive.received_on, Directive.kind, Directive.summary, Directive.state)
    count = Directive.count()
    clause = where_matching("directive.search", q)
    if clause is not None:
        query, count = query.where(clause), count.where(clause)
    rows = await query.order_by(Directive.id, ascending=False).limit(limit).offset(offset).run()
    by_id: dict[int, int] = {}
    for i in range(0, len(rows), 1000):
        counts = await Task.select(Task.directive, Count(Task.id, alias="n")).where(
            Task.directive.is_in([r["id"] for r in rows[i:i + 1000]])).group_by(Task.directive).run()
        by_id.update((c["directive"], c["n"]) for c in counts)
    for r in rows:
        r["task_count"] = by_id.get(r["id"], 0)
    return rows, await count.run()


async def get_directive(actor: Actor, directive_id: int) -> dict:
    if not may_read_register(actor):
        raise Forbidden(REGISTER_REFUSAL)
    row = await Directive.select(*(getattr(Directive, c) for c in DIRECTIVE_COLUMNS)).where(Directive.id == directive_id).first().run()
    if row is None:
        raise NotFound(N_("No directive {value}."), value=directive_id)
    return row
