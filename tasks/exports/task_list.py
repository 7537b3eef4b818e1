"""The task list as the pages show it, downloaded: XLSX or CSV, every row the filters select.

The first ten columns are dondoc's interchange layout, the one tasks.importer reads back (headers
in Vietnamese whatever the reader's language: DONDOC_COLUMNS); after them, what the list shows of
each task, in the reader's language: its state, percent, timeliness (tasks.timeliness, as the list
classifies it) and last progress report (note and day). The importer reads only its own columns,
so an export imports back as "already in dondoc", row for row. `dondoc export-tasks` writes the
same file (every task). The rows are those of the list (tasks.queries.matching_task_ids: the
same filters, the same division scope, the same order), at most MAX_EXPORT_ROWS (20,000): a task
row unpacks to about 1.2 kB of XML, so such a file stays within the 50 MB the import unpacks
(tasks.workbook) and reads back in one go, and one download cannot hold a server for minutes;
more is refused with a message asking to narrow the filters. The import template (`template_xlsx`) is the same layout: the header row and one example
row made of this department's own divisions and leaders, so it imports as it stands.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tasks.calendar import WorkingCalendar
from tasks.dates import as_date
from tasks.errors import N_, Invalid
from tasks.exports import csv_export, xlsx
from tasks.exports.build import FORMATS, Export
from tasks.exports.tables import Table
from tasks.i18n import Gettext, gettext_for
from tasks.importer import DONDOC_COLUMNS, fold
from tasks.permissions import Actor, Role
from tasks.queries import TaskFilter, matching_task_ids
from tasks.state import STATE_LABELS, TaskState
from tasks.tables import Division, Task, User
from tasks.timeliness import TaskDates, timeliness, timeliness_label

MAX_EXPORT_ROWS = 20_000
LIST_FORMATS = ("xlsx", "csv")
SHEET = "Nhiệm vụ"
BATCH = 1000
SHOWN_COLUMNS = (N_("State"), N_("Progress (%)"), N_("Status"), N_("Last progress note"), N_("Date of the note"))


def file_name(*parts: Any, ext: str) -> str:
    """A download's name in a form every system takes: words folded to ASCII (accents and "đ"
    dropped, tasks.importer.fold), joined by hyphens: nhiem-vu-qlnl-2026-03-03.xlsx."""
    words: list[str] = []
    for part in parts:
        if part is not None and part != "":
            words += re.findall(r"[a-z0-9]+", part.isoformat() if isinstance(part, date) else fold(str(part)))
    return "-".join(words) + f".{ext}"


def check_format(fmt: str) -> None:
    if fmt not in LIST_FORMATS:
        raise Invalid(N_("Unknown format: {value}"), fields={"format": N_("Must be xlsx or csv")}, value=fmt)


def _day(value: Any, calendar: WorkingCalendar) -> date | None:
    """A DATE or TIMESTAMP column as the province's day (SQLite may hand either back as text)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if ("T" in value or " " in value) else as_date(value)
    if isinstance(value, datetime):
        return calendar.today(value)
    return value


def _id_list(ids: list[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")"


def _capitalised(label: str) -> str:
    """A state's label (written to sit inside a sentence) as a cell of its own."""
    return label[:1].upper() + label[1:]


async def task_table(ids: list[int], now: datetime, calendar: WorkingCalendar, due_soon_days: int, _: Gettext) -> Table:
    """The tasks `ids`, in that order, as the export's rows (a fixed number of queries per 1,000)."""
    found: dict[int, dict] = {}
    supports: dict[int, list[str]] = {}
    for i in range(0, len(ids), BATCH):
        batch = _id_list(ids[i:i + BATCH])
        for r in await Task.raw(
            "SELECT t.id, t.title, t.state, t.percent, t.due_on, t.completed_on, t.missed_due_on, t.created_at, "
            "d.number, d.issuer, d.issued_on, d.summary, v.name AS lead_name, "
            "COALESCE(NULLIF(u.full_name, ''), u.username, '') AS leader, COALESCE(p.note, '') AS note, p.reported_at "
            "FROM task t JOIN directive d ON d.id = t.directive JOIN division v ON v.id = t.lead_division "
            "LEFT JOIN app_user u ON u.id = t.leader_in_charge "
            # The last progress report, as the overdue list reads it (tasks.overdue).
            "LEFT JOIN progress_report p ON p.id = (SELECT MAX(q.id) FROM progress_report q WHERE q.task = t.id) "
            f"WHERE t.id IN {batch}"
        ).run():
            found[r["id"]] = r
        for s in await Task.raw(
            f"SELECT s.task, v.name FROM task_support s JOIN division v ON v.id = s.division WHERE s.task IN {batch}"
        ).run():
            supports.setdefault(s["task"], []).append(s["name"])
    rows = []
    for task_id in ids:
        r = found[task_id]
        due, completed, missed = (_day(r[k], calendar) for k in ("due_on", "completed_on", "missed_due_on"))
        verdict = timeliness(TaskDates(r["state"], due, completed, missed), now, calendar, due_soon_days)
        rows.append([
            r["number"], r["issuer"], _day(r["issued_on"], calendar), r["summary"], r["title"], r["lead_name"],
            "; ".join(sorted(supports.get(task_id, []))), r["leader"], due, _day(r["created_at"], calendar),
            _capitalised(_(STATE_LABELS[TaskState(r["state"])])), r["percent"], _(timeliness_label(verdict.value if verdict else None, r["state"])),
            r["note"], _day(r["reported_at"], calendar),
        ])
    return Table(SHEET, [*DONDOC_COLUMNS.values(), *(_(h) for h in SHOWN_COLUMNS)], rows)


async def export_tasks(actor: Actor | None, f: TaskFilter, fmt: str, now: datetime, calendar: WorkingCalendar, due_soon_days: int,
                       locale: str = "vi") -> Export:
    """Every task the list shows `actor` for `f` (None: the command line, every task), as XLSX or CSV."""
    check_format(fmt)
    ids = await matching_task_ids(actor, f, now, calendar, due_soon_days, most=MAX_EXPORT_ROWS)
    table = await task_table(ids, now, calendar, due_soon_days, gettext_for(locale))
    content = xlsx.list_workbook(SHEET, table) if fmt == "xlsx" else csv_export.to_csv(table)
    return Export(content, file_name("nhiem-vu", f.division, calendar.today(now), ext=fmt), FORMATS[fmt])


async def template_xlsx(now: datetime, calendar: WorkingCalendar) -> Export:
    """The import's layout with one example row: the first two active divisions (lead and
    supporting) and the first active leader of this department, dates around today; it imports."""
    divisions = await Division.select(Division.name).where(Division.active == True).order_by(Division.id).limit(2).run()  # noqa: E712
    leader = await User.select(User.full_name, User.username).where(
        (User.role == Role.LEADER.value) & (User.active == True)).order_by(User.id).first().run()  # noqa: E712
    today = calendar.today(now)
    example = [
        "01/UBND-VP", "UBND tỉnh", today, "Về việc triển khai nhiệm vụ (ví dụ, thay bằng văn bản của anh/chị)",
        "Ví dụ: rà soát và báo cáo kết quả thực hiện", divisions[0]["name"] if divisions else "",
        divisions[1]["name"] if len(divisions) > 1 else "", (leader["full_name"] or leader["username"]) if leader else "",
        calendar.add_working_days(today, 10), today,
    ]
    table = Table(SHEET, list(DONDOC_COLUMNS.values()), [example])
    return Export(xlsx.list_workbook(SHEET, table), "mau-nhap-nhiem-vu.xlsx", FORMATS["xlsx"])

