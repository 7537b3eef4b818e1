"""One entry point for the API and the command line: a report in a format, as bytes and a file name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tasks.calendar import WorkingCalendar
from tasks.errors import N_, Invalid
from tasks.exports import csv_export, docx_report, tables, xlsx
from tasks.exports.header import load_header
from tasks.i18n import gettext_for
from tasks.permissions import Actor
from tasks.overdue import overdue_list
from tasks.reports import completion_report, weekly_trend
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}
KINDS = ("completion", "overdue")


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    media_type: str


async def export_report(
    kind: str, fmt: str, actor: Actor | None, calendar: WorkingCalendar, as_of: datetime, start: date | None = None,
    end: date | None = None, group_by: str = "division", due_soon_days: int = DEFAULT_DUE_SOON_DAYS, locale: str = "vi",
) -> Export:
    if kind not in KINDS:
        raise Invalid(N_("Unknown report: {value}"), fields={"report": N_("Must be completion or overdue")}, value=kind)
    if fmt not in FORMATS:
        raise Invalid(N_("Unknown format: {value}"), fields={"format": N_("Must be xlsx, docx or csv")}, value=fmt)
    _ = gettext_for(locale)
    day = calendar.today(as_of)
    name = f"{'bao-cao-hoan-thanh' if kind == 'completion' else 'nhiem-vu-qua-han'}-{day.isoformat()}.{fmt}"
    items = await overdue_list(actor, calendar, as_of, start, end, due_soon_days)
    overdue = tables.overdue_table(items, _)
    if kind == "overdue" and fmt == "csv":
        return Export(csv_export.to_csv(overdue), name, FORMATS[fmt])
    if kind == "overdue" and fmt == "xlsx":
        return Export(xlsx.workbook(overdue, None, None), name, FORMATS[fmt])
    report = await completion_report(actor, calendar, as_of, start, end, group_by, due_soon_days)
    summary = tables.summary_table(report, _)
    if fmt == "csv":
        content = csv_export.to_csv(summary)
    elif fmt == "xlsx":
        trend = tables.trend_table(await weekly_trend(actor, calendar, as_of, start, due_soon_days), _)
        content = xlsx.workbook(summary, trend, overdue)
    else:
        content = docx_report.report_docx(report, summary, items, overdue, await load_header(), _, locale)
    return Export(content, name, FORMATS[fmt])
