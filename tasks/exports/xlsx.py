"""XLSX export (openpyxl): one sheet per table, a frozen header row, rates as Excel percentages,
and native Excel charts of the rates (a bar chart per group, a line chart of the trend)."""

from __future__ import annotations

import io
from typing import Iterable

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tasks.exports.cells import append_row
from tasks.exports.tables import Table

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_SHEET_TITLE = 31


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:MAX_SHEET_TITLE]


def write_table(ws: Worksheet, table: Table, widths: dict[int, int] | None = None) -> None:
    append_row(ws, table.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in table.rows:
        append_row(ws, row)
    for col in table.rate_columns:
        for (cell,) in ws.iter_rows(min_row=2, max_row=len(table.rows) + 1, min_col=col + 1, max_col=col + 1):
            cell.number_format = "0.0%"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 45
    for i, header in enumerate(table.headers, start=1):
        longest = max([len(str(r[i - 1])) for r in table.rows if r[i - 1] is not None] + [min(len(header), 14), 6])
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(i, min(max(longest + 2, 8), 60))
    if table.notes:
        start = len(table.rows) + 3
        for offset, note in enumerate(table.notes):
            ws.cell(row=start + offset, column=2, value=note).font = Font(italic=True)


def _rate_chart(ws: Worksheet, table: Table, rows: int, kind: str, anchor: str, title: str, columns: Iterable[int]):
    chart = BarChart() if kind == "bar" else LineChart()
    if kind == "bar":
        chart.type = "col"
    chart.title = title
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.height, chart.width = 9, 22
    for col in columns:
        data = Reference(ws, min_col=col + 1, max_col=col + 1, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
    label_col = 2 if kind == "bar" else 1
    chart.set_categories(Reference(ws, min_col=label_col, max_col=label_col, min_row=2, max_row=rows + 1))
    ws.add_chart(chart, anchor)


def workbook(summary: Table, trend: Table | None, overdue: Table | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(summary.title)
    write_table(ws, summary, widths={2: 34})
    groups = len(summary.rows) - 1  # the chart leaves out the total row
    if groups > 0 and summary.rate_columns:
        _rate_chart(ws, summary, groups, "bar", f"B{len(summary.rows) + 4 + len(summary.notes)}", summary.title, summary.rate_columns[:3])
    if trend is not None:
        ws = wb.create_sheet(_sheet_title(trend.title))
        write_table(ws, trend)
        _rate_chart(ws, trend, len(trend.rows), "line", f"A{len(trend.rows) + 4 + len(trend.notes)}", trend.title, trend.rate_columns)
    if overdue is not None:
        ws = wb.create_sheet(_sheet_title(overdue.title))
        write_table(ws, overdue, widths={2: 50, 9: 50})
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
