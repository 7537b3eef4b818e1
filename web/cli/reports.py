"""`dondoc report completion|overdue`, `dondoc import-xlsx FILE` and `dondoc export-tasks`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from tasks import importer, overdue, reports
from tasks.calendar_days import load_calendar
from tasks.dates import as_date, format_date
from tasks.exports import build, tables
from tasks.exports.cells import display
from tasks.exports.task_list import export_tasks
from tasks.queries import TaskFilter
from tasks.formatting import format_percent
from tasks.i18n import gettext_for
from tasks.text import one_line
from web.cli.notify import parse_as_of
from web.cli.db import connected
from web.settings import Settings


def _date(value: str) -> date:
    try:
        day = as_date(value)
    except ValueError:
        day = None
    if day is not None:
        return day
    raise argparse.ArgumentTypeError(f"not a date: {value!r} (e.g. 2026-01-01 or 01/01/2026)")


def render_table(table: tables.Table, locale: str = "vi") -> str:
    # One line per row, and nothing a terminal would take for a control sequence (tasks.text).
    cells = [[format_percent(v, locale) if i in table.rate_columns else one_line(display(v))
              for i, v in enumerate(row)] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(table.headers)]
    widths = [min(w, 48) for w in widths]

    def line(values: list[str]) -> str:
        return "  ".join(v[:w].rjust(w) if v.replace(",", "").replace(".", "").replace("%", "").replace("–", "").isdigit() else v[:w].ljust(w)
                         for v, w in zip(values, widths)).rstrip()

    out = [table.title, line(table.headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    if table.notes:
        out += [""] + table.notes
    return "\n".join(out)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:

    _ = gettext_for(args.locale)

    async def run() -> int:
        async with connected(settings):
            calendar = await load_calendar(settings.timezone)
            at = parse_as_of(args.as_of, settings.timezone)
            if args.format == "table":
                if args.kind == "completion":
                    report = await reports.completion_report(None, calendar, at, args.period_from, args.period_to, args.group_by,
                                                             settings.due_soon_days)
                    text = render_table(tables.summary_table(report, _), args.locale)
                else:
                    items = await overdue.overdue_list(None, calendar, at, args.period_from, args.period_to, settings.due_soon_days)
                    table = tables.overdue_table(items, _)
                    table.rows = [r[:8] for r in table.rows]
                    table.headers = table.headers[:8]
                    text = render_table(table, args.locale)
                _write(text.encode("utf-8") + b"\n", args.out)
                return 0
            export = await build.export_report(args.kind, args.format, None, calendar, at, args.period_from, args.period_to,
                                               args.group_by, settings.due_soon_days, args.locale)
            out = args.out or export.filename
            if out == "-" and args.format != "csv":
                print("dondoc: binary formats need --out FILE", file=sys.stderr)
                return 2
            _write(export.content, out)
            if out != "-":
                print(f"dondoc: wrote {out}", file=sys.stderr)
            return 0

    return asyncio.run(run())


def _write(content: bytes, out: str | None) -> None:
    if out in (None, "-"):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(content)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from web.clock import SystemClock

    content = Path(args.file).read_bytes()
    _ = gettext_for(args.locale)
    bar = tqdm(total=0, unit=" rows", desc="dondoc: reading", file=sys.stderr, disable=args.quiet or None)

    def set_total(n: int) -> None:
        bar.total = n
        bar.refresh()

    async def run() -> importer.ImportResult:
        async with connected(settings) as db:
            calendar = await load_calendar(settings.timezone)
            return await importer.import_xlsx(db, None, SystemClock().now(), calendar, content, dry_run=args.dry_run,
                                              source_name=Path(args.file).name, progress=bar.update, on_rows=set_total)

    try:
        result = asyncio.run(run())
    finally:
        bar.close()
    if result.errors:
        print(f"dondoc: {len(result.errors)} problem(s); nothing was imported:", file=sys.stderr)
        for e in result.errors:
            print(f"  row {e.row}: {_(e.message, **e.params)}", file=sys.stderr)
        return 1
    verb = "would import" if args.dry_run else "imported"
    print(f"dondoc: {result.rows_read} rows read ({result.format} layout); {verb} {len(result.new_tasks)} new task(s) "
          f"in {result.new_directives} new directive(s); {result.existing_tasks} already present, {result.duplicate_rows} repeated rows skipped")
    if args.dry_run:
        for p in result.new_tasks[: importer.PREVIEW_ROWS]:
            print(f"  row {p.row}: {p.number} — {p.title} (due {format_date(p.due_on) or '—'})")
    return 0


def cmd_export_tasks(settings: Settings, args: argparse.Namespace) -> int:
    from web.clock import SystemClock

    async def run() -> bytes:
        async with connected(settings):
            # The page's export (tasks.exports.task_list), as the command line sees the list: every task.
            export = await export_tasks(None, TaskFilter(), args.format, SystemClock().now(), await load_calendar(settings.timezone),
                                        settings.due_soon_days, args.locale)
            return export.content

    content = asyncio.run(run())
    Path(args.out).write_bytes(content)
    print(f"dondoc: wrote {args.out}", file=sys.stderr)
    return 0


def add_report_commands(sub) -> None:
    report = sub.add_parser("report", help="completion report or overdue list (table, csv, xlsx or docx)")
    report.add_argument("kind", choices=["completion", "overdue"])
    report.add_argument("--from", dest="period_from", type=_date, metavar="DATE", help="first day of the period (tasks assigned from)")
    report.add_argument("--to", dest="period_to", type=_date, metavar="DATE", help="last day of the period (default: the as-of day)")
    report.add_argument("--as-of", metavar="ISO-TIME", help="figures as of this time (province time unless it has an offset); default: now")
    report.add_argument("--group-by", default="division", choices=list(reports.GROUP_BYS))
    report.add_argument("--format", default="table", choices=["table", "csv", "xlsx", "docx"])
    report.add_argument("--out", metavar="FILE", help="write here ('-' = standard output); default: a dated file name, or the screen for table")
    report.add_argument("--locale", default="vi", choices=["vi", "en"])
    report.set_defaults(func=cmd_report)
    imp = sub.add_parser("import-xlsx", help="import tasks from an Excel file (all rows or none)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="read and check only; show what would be imported")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--locale", default="vi", choices=["vi", "en"])
    imp.set_defaults(func=cmd_import)
    exp = sub.add_parser("export-tasks", help="write the task list as XLSX (the layout import-xlsx reads) or CSV")
    exp.add_argument("--out", required=True, metavar="FILE")
    exp.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    exp.add_argument("--locale", default="vi", choices=["vi", "en"])
    exp.set_defaults(func=cmd_export_tasks)
