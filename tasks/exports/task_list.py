"""dondoc's own task list as XLSX, in the layout tasks.importer reads back."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from tasks.calendar import WorkingCalendar
from tasks.exports.cells import append_row
from tasks.importer import BATCH, DONDOC_COLUMNS
from tasks.permissions import Actor, sees_all_tasks
from tasks.tables import Task, TaskSupport


async def export_tasks_xlsx(actor: Actor | None, calendar: WorkingCalendar) -> bytes:
    """dondoc's own task list as XLSX, in the layout import_xlsx reads back (headers in Vietnamese,
    whatever the reader's language, because it is an interchange format)."""
    query = Task.select(
        Task.directive.number, Task.directive.issuer, Task.directive.issued_on, Task.directive.summary, Task.title,
        Task.lead_division.name, Task.id, Task.leader_in_charge.full_name, Task.due_on, Task.created_at,
    ).order_by(Task.id)
    if actor is not None and not sees_all_tasks(actor):
        query = query.where(Task.lead_division == (actor.division_id or -1))
    rows = await query.run()
    ids = [r["id"] for r in rows]
    supports: dict[int, list[str]] = {}
    for i in range(0, len(ids), BATCH):
        for s in await TaskSupport.select(TaskSupport.task, TaskSupport.division.name).where(TaskSupport.task.is_in(ids[i:i + BATCH])).run():
            supports.setdefault(s["task"], []).append(s["division.name"])
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(list(DONDOC_COLUMNS.values()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for r in rows:
        append_row(ws, [r["directive.number"], r["directive.issuer"], r["directive.issued_on"], r["directive.summary"], r["title"],
                   r["lead_division.name"], "; ".join(sorted(supports.get(r["id"], []))), r["leader_in_charge.full_name"] or "",
                   r["due_on"], calendar.today(r["created_at"]) if r["created_at"] else None])
    for row in ws.iter_rows(min_row=2):
        for i in (2, 8, 9):
            row[i].number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
