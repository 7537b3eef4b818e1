"""Importing tasks from Excel: dondoc's own task export, or the usual export of document-management
systems (Lãnh đạo chỉ đạo | Ngày tạo | Số phiếu giao việc | Tên nhiệm vụ cha | Tên nhiệm vụ | Chủ trì |
Phối hợp | Hạn xử lý).

- Divisions and leaders match by code/username or by name through the search's one rule,
  tasks.search.fold: ignoring accents, case, Unicode normalisation (NFC/NFD) and spacing.
- 01/01/1970 (what those systems write for "no deadline") and an empty cell mean no deadline; any
  other date outside 01/01/2000–31/12/2100 (tasks.dates) refuses its row.
- Every row is read first; if any row cannot be read, nothing is written and each bad row is
  reported with its row number and the reason. Otherwise everything is written in one transaction,
  with an audit event per directive and per task, in batches (fast for 10,000 rows), through the
  register's own writers (tasks.register.insert_directives / insert_tasks).
- What is already there is read inside that transaction, one import at a time (Db.hold), so two
  imports of one file at once write it once; a directive a clerk records in the same instant is a
  Conflict, never a second copy.
- Identity: a task is the same task when its directive (issuer + number), its title (compared
  accent-, case- and space-insensitively) and its lead division are the same. Importing the same
  file twice adds nothing; a row repeated in a file is imported once.
- In the document-management format the work slip number (Số phiếu giao việc) is the directive's
  number, issued by "Phiếu giao việc"; the parent task's name (Tên nhiệm vụ cha) becomes the
  directive's summary; the creation date (Ngày tạo) is the day the task was assigned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Callable, Iterable

from tasks.audit import refuse
from tasks.calendar import WorkingCalendar
from tasks.dates import as_date, format_date, in_range
from tasks.db import Db
from tasks.errors import N_, Conflict
from tasks.i18n import Gettext
from tasks.permissions import Actor, may_import
from tasks.register import NewDirective, TaskRow, insert_directives, insert_tasks
from tasks.search import fold
from tasks.tables import Directive, Division, Task, User
from tasks.text import LIMITS, control_character, describe
from tasks.unique import unique_conflict
from tasks.workbook import ImportFileError, read_rows as _read_rows

NO_DEADLINE_DATES = {date(1970, 1, 1)}
IMPORT_ISSUER = "Phiếu giao việc"
BATCH = 400
PREVIEW_ROWS = 20
HEADER_SCAN_ROWS = 15

# Columns of the document-management export, and of dondoc's own task export (tasks.exports.task_list).
DMS_COLUMNS = {
    "leader": "Lãnh đạo chỉ đạo", "created": "Ngày tạo", "number": "Số phiếu giao việc", "parent": "Tên nhiệm vụ cha",
    "title": "Tên nhiệm vụ", "lead": "Chủ trì", "support": "Phối hợp", "due": "Hạn xử lý",
}
DONDOC_COLUMNS = {
    "number": "Số ký hiệu", "issuer": "Cơ quan ban hành", "issued": "Ngày ban hành", "summary": "Trích yếu",
    "title": "Tên nhiệm vụ", "lead": "Chủ trì", "support": "Phối hợp", "leader": "Lãnh đạo phụ trách",
    "due": "Hạn xử lý", "created": "Ngày giao",
}
REQUIRED = {"title", "lead", "number"}


@dataclass(frozen=True)
class RowError:
    row: int
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedTask:
    row: int
    number: str
    issuer: str
    issued_on: date | None
    summary: str
    title: str
    lead_id: int
    support_ids: tuple[int, ...]
    leader_id: int | None
    due_on: date | None
    assigned_on: date | None


@dataclass
class ImportResult:
    format: str
    rows_read: int
    errors: list[RowError]
    new_tasks: list[ParsedTask]
    existing_tasks: int
    duplicate_rows: int
    new_directives: int
    dry_run: bool
    imported: bool


def _find_header(rows: list[tuple[int, tuple]]) -> tuple[str, int, dict[str, int]]:
    for fmt, columns in (("dms", DMS_COLUMNS), ("dondoc", DONDOC_COLUMNS)):
        wanted = {fold(v): k for k, v in columns.items()}
        for number, row in rows[:HEADER_SCAN_ROWS]:
            found = {wanted[fold(c)]: i for i, c in enumerate(row) if c is not None and fold(c) in wanted}
            if REQUIRED <= set(found) and len(found) >= len(columns) - 2:
                return fmt, number, found
    raise ImportFileError(
        N_("No header row with the expected columns was found (expected: {columns})."),
        fields={"file": N_("Unknown layout")}, columns=" | ".join(DMS_COLUMNS.values()),
    )


def _cell(row: tuple, columns: dict[str, int], key: str) -> Any:
    i = columns.get(key)
    if i is None or i >= len(row):
        return None
    value = row[i]
    return value.strip() if isinstance(value, str) else value


def _control_characters(fmt: str, row: tuple, columns: dict[str, int]) -> list[tuple[str, dict]]:
    """A problem for each column dondoc reads whose text holds a control character (tasks.text);
    the line breaks were already made \\n when the workbook was read."""
    names = DMS_COLUMNS if fmt == "dms" else DONDOC_COLUMNS
    problems = []
    for key, i in columns.items():
        value = row[i] if i < len(row) else None
        if isinstance(value, str) and (char := control_character(value)) is not None:
            problems.append((N_("The cell in column {column} holds an invisible control character ({char}); remove it."),
                             {"column": names[key], "char": describe(char)}))
    return problems


# The field (tasks.text.LIMITS) each column's text becomes: a work slip's parent task is the directive's summary.
_LIMITED = {"title": "title", "number": "number", "issuer": "issuer", "summary": "summary", "parent": "summary"}


def _over_long(fmt: str, row: tuple, columns: dict[str, int]) -> list[tuple[str, dict]]:
    """A problem for each column whose text is longer than its field takes: refused, never cut."""
    names = DMS_COLUMNS if fmt == "dms" else DONDOC_COLUMNS
    problems = []
    for key, i in columns.items():
        value = row[i] if i < len(row) else None
        if key in _LIMITED and isinstance(value, str) and len(value.strip()) > (limit := LIMITS[_LIMITED[key]]):
            problems.append((N_("The cell in column {column} holds {length} characters; it takes at most {limit}."),
                             {"column": names[key], "length": len(value.strip()), "limit": limit}))
    return problems


def _split_names(value: Any) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\n]+", str(value or "")) if p.strip()]


class _Lookup:
    def __init__(self, divisions: list[dict], leaders: list[dict]):
        self.divisions: dict[str, int] = {}
        for d in divisions:
            for key in (d["code"], d["name"], re.sub(r"^phong ", "", fold(d["name"]))):
                self.divisions.setdefault(fold(key), d["id"])
        self.leaders: dict[str, int] = {}
        for u in leaders:
            for key in (u["username"], u["full_name"]):
                if key:
                    self.leaders.setdefault(fold(key), u["id"])

    def division(self, name: str) -> int | None:
        return self.divisions.get(fold(name))


def _parse(fmt: str, columns: dict[str, int], rows: Iterable[tuple[int, tuple]], lookup: _Lookup, today: date,
           progress: Callable[[int], None] | None) -> tuple[list[ParsedTask], list[RowError]]:
    parsed: list[ParsedTask] = []
    errors: list[RowError] = []
    for number, row in rows:
        if progress:
            progress(1)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        problems: list[tuple[str, dict]] = _control_characters(fmt, row, columns) + _over_long(fmt, row, columns)
        title = str(_cell(row, columns, "title") or "").strip()
        if not title:
            problems.append((N_("The task title is empty."), {}))
        doc_number = str(_cell(row, columns, "number") or "").strip()
        if not doc_number:
            problems.append((N_("The directive number is empty."), {}))
        lead_name = str(_cell(row, columns, "lead") or "").strip()
        lead_id = lookup.division(lead_name) if lead_name else None
        if not lead_name:
            problems.append((N_("No lead division."), {}))
        elif lead_id is None:
            problems.append((N_("Unknown lead division: {value}"), {"value": lead_name}))
        support_ids = []
        for name in _split_names(_cell(row, columns, "support")):
            sid = lookup.division(name)
            if sid is None:
                problems.append((N_("Unknown supporting division: {value}"), {"value": name}))
            elif sid != lead_id and sid not in support_ids:
                support_ids.append(sid)
        leader_name = str(_cell(row, columns, "leader") or "").strip()
        leader_id = lookup.leaders.get(fold(leader_name)) if leader_name else None
        if leader_name and leader_id is None:
            problems.append((N_("Unknown leader: {value}"), {"value": leader_name}))
        dates: dict[str, date | None] = {}
        for key in ("due", "created", "issued"):
            raw = _cell(row, columns, key)
            try:
                dates[key] = as_date(raw)
            except ValueError:
                problems.append((N_("Unreadable date in column {column}: {value}"),
                                 {"column": (DMS_COLUMNS if fmt == "dms" else DONDOC_COLUMNS)[key], "value": str(raw)}))
                dates[key] = None
        if dates["due"] in NO_DEADLINE_DATES:
            dates["due"] = None
        for key, value in dates.items():
            if value is None:
                continue
            if not in_range(value):
                problems.append((N_("The date {value} in column {column} is outside the dates dondoc accepts, 01/01/2000 to 31/12/2100."),
                                 {"column": (DMS_COLUMNS if fmt == "dms" else DONDOC_COLUMNS)[key], "value": format_date(value)}))
            elif key != "due" and value > today:
                problems.append((N_("The date {value} is in the future."), {"value": format_date(value)}))
        if problems:
            errors += [RowError(number, message, params) for message, params in problems]
            continue
        if fmt == "dms":
            issuer, issued_on, summary = IMPORT_ISSUER, dates["created"], str(_cell(row, columns, "parent") or "").strip()
        else:
            issuer = str(_cell(row, columns, "issuer") or "").strip() or IMPORT_ISSUER
            issued_on, summary = dates["issued"], str(_cell(row, columns, "summary") or "").strip()
        parsed.append(ParsedTask(number, doc_number, issuer, issued_on, summary, title, lead_id, tuple(support_ids),
                                 leader_id, dates["due"], dates["created"]))
    return parsed, errors


def _identity(issuer: str, number: str, title: str, lead_id: int) -> tuple:
    return (fold(issuer), fold(number), fold(title), lead_id)


async def _existing(parsed: list[ParsedTask]) -> tuple[dict[tuple, int], set[tuple]]:
    """Directives already recorded ((fold issuer, fold number) → id) and identities of their tasks."""
    numbers = sorted({p.number for p in parsed})
    directives: dict[tuple, int] = {}
    for i in range(0, len(numbers), BATCH):
        for d in await Directive.select(Directive.id, Directive.issuer, Directive.number).where(Directive.number.is_in(numbers[i:i + BATCH])).run():
            directives[(fold(d["issuer"]), fold(d["number"]))] = d["id"]
    by_id = {v: k for k, v in directives.items()}
    ids = sorted(by_id)
    seen: set[tuple] = set()
    for i in range(0, len(ids), BATCH):
        for t in await Task.select(Task.directive, Task.title, Task.lead_division).where(Task.directive.is_in(ids[i:i + BATCH])).run():
            issuer, number = by_id[t["directive"]]
            seen.add((issuer, number, fold(t["title"]), t["lead_division"]))
    return directives, seen


async def import_xlsx(
    db: Db, actor: Actor | None, now: datetime, calendar: WorkingCalendar, content: bytes, *, dry_run: bool = False,
    source_name: str = "", progress: Callable[[int], None] | None = None, on_rows: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read the workbook, and unless `dry_run` or a row is bad, write every new task in one transaction,
    which is also where what is already in dondoc is read (a preview reads it without one).
    `actor` None is the command line, run by whoever administers the server."""
    if actor is not None and not may_import(actor):
        raise await refuse(actor, now, "import_xlsx", "task", None, N_("Only the office may import tasks."))
    total, rows = _read_rows(content)
    fmt, header_row, columns = _find_header(rows)
    if on_rows:
        on_rows(total - header_row)
    divisions = await Division.select(Division.id, Division.code, Division.name).where(Division.active == True).run()  # noqa: E712
    leaders = await User.select(User.id, User.username, User.full_name).where((User.role == "leader") & (User.active == True)).run()  # noqa: E712
    parsed, errors = _parse(fmt, columns, (r for r in rows if r[0] > header_row), _Lookup(divisions, leaders), calendar.today(now), progress)
    result = ImportResult(fmt, total - header_row, errors, [], 0, 0, 0, dry_run, False)
    if errors:
        return result
    if dry_run:
        _classify(result, parsed, *await _existing(parsed))
        return result
    note = f"import {source_name}".strip()
    async with unique_conflict(_recorded_meanwhile(), "directive", ("issuer", "number")), db.transaction():
        await db.hold("import")
        directives, in_database = await _existing(parsed)
        _classify(result, parsed, directives, in_database)
        if result.new_tasks:
            await _write(actor, now, calendar, fmt, result.new_tasks, directives, note)
            result.imported = True
    return result


def _recorded_meanwhile() -> Conflict:
    """A clerk recorded one of the file's directives between this import's reading and its writing."""
    return Conflict(N_("A directive in this file was recorded by someone else during the import; nothing was imported. "
                       "Import the file again."), fields={"file": N_("Recorded meanwhile")})


def _classify(result: ImportResult, parsed: list[ParsedTask], directives: dict[tuple, int], in_database: set[tuple]) -> None:
    """Sort the rows into new tasks, tasks already in dondoc and rows repeated in the file."""
    in_file: set[tuple] = set()
    for p in parsed:
        key = _identity(p.issuer, p.number, p.title, p.lead_id)
        if key in in_database:
            result.existing_tasks += 1
        elif key in in_file:
            result.duplicate_rows += 1
        else:
            in_file.add(key)
            result.new_tasks.append(p)
    result.new_directives = len({(fold(p.issuer), fold(p.number)) for p in result.new_tasks} - set(directives))


async def _write(actor: Actor | None, now: datetime, calendar: WorkingCalendar, fmt: str, tasks: list[ParsedTask],
                 directives: dict[tuple, int], note: str) -> None:
    grouped: dict[tuple, list[ParsedTask]] = {}
    for p in tasks:
        grouped.setdefault((fold(p.issuer), fold(p.number)), []).append(p)
    new = [key for key in grouped if key not in directives]
    written = await insert_directives(actor, now, [_directive(fmt, grouped[key]) for key in new], action="import_directive", note=note)
    directives.update((key, row["id"]) for key, row in zip(new, written))
    await insert_tasks(actor, now, [
        TaskRow(directive=directives[(fold(p.issuer), fold(p.number))], title=p.title, lead_division=p.lead_id,
                support_divisions=p.support_ids, leader_in_charge=p.leader_id, due_on=p.due_on,
                assigned_at=datetime.combine(p.assigned_on, time.min, tzinfo=calendar.timezone) if p.assigned_on else None)
        for p in tasks
    ], action="import_task", note=note)


def _directive(fmt: str, group: list[ParsedTask]) -> NewDirective:
    """The directive of a group of rows: issued (and received) on the earliest date given, its summary the first one given."""
    issued = min((p.issued_on for p in group if p.issued_on), default=None)
    return NewDirective(number=group[0].number, issuer=group[0].issuer, issued_on=issued, received_on=issued,
                        kind="instruction" if fmt == "dms" else "document", summary=next((p.summary for p in group if p.summary), ""))


def result_dict(result: ImportResult, _: Gettext) -> dict[str, Any]:
    return {
        "format": result.format,
        "dry_run": result.dry_run,
        "imported": result.imported,
        "rows_read": result.rows_read,
        "new_tasks": len(result.new_tasks),
        "new_directives": result.new_directives,
        "existing_tasks": result.existing_tasks,
        "duplicate_rows": result.duplicate_rows,
        "errors": [{"row": e.row, "message": _(e.message, **e.params)} for e in result.errors],
        "preview": [{"row": p.row, "directive": p.number, "title": p.title, "due_on": p.due_on} for p in result.new_tasks[:PREVIEW_ROWS]],
    }
