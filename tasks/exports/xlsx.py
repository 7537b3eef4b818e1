"""XLSX export (openpyxl): one sheet per table, a frozen header row, rates as Excel percentages,
dates as Excel dates (dd/mm/yyyy), native Excel charts of the rates (a bar chart per group, a line
chart of the trend), and every sheet set to print on A4 landscape, fitted to the page's width."""

from __future__ import annotations

import io
from typing import Iterable

from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tasks.exports.cells import DATE_FORMAT, append_row, display, is_formula_like, text_out
from tasks.exports.tables import Table

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_SHEET_TITLE = 31


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:MAX_SHEET_TITLE]


def fit_to_width(ws) -> None:
    """Print on A4 landscape, every column on the page (as many pages down as it takes), the header
    row repeated on each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


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
    fit_to_width(ws)
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


MAX_WIDTH = 60
DATE_WIDTH = 12


def fitted_widths(table: Table) -> list[float]:
    """Each column as wide as its longest line (header included), within 8–60 characters: Excel
    has no "fit" of its own that a file can ask for."""
    widths = []
    for i, header in enumerate(table.headers):
        longest = max(len(line) for line in header.split("\n"))
        for row in table.rows:
            value = row[i]
            if isinstance(value, date):
                longest = max(longest, DATE_WIDTH - 2)
            elif value is not None:
                longest = max(longest, *(len(line) for line in display(value).split("\n")))
        widths.append(min(max(longest + 2, 8), MAX_WIDTH))
    return widths


def list_workbook(sheet_title: str, table: Table) -> bytes:
    """A list (the tasks, the directives) as one sheet: a bold header row, frozen and filtered;
    columns fitted to their content; dates as dates; printed fitted to A4 landscape. Written in
    openpyxl's write-only mode, so a list of 50,000 rows is written without holding every cell."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    widths = fitted_widths(table)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
    fit_to_width(ws)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for h in table.headers:
        cell = WriteOnlyCell(ws, value=text_out(h))
        cell.font, cell.fill = bold, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header.append(cell)
    ws.append(header)
    wide = {i for i, w in enumerate(widths) if w >= MAX_WIDTH}
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=text_out(value))
            if isinstance(value, str):
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if i in wide or "\n" in value:
                    cell.alignment = wrap
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
