"""Every text an export writes passes here: made safe for XML, and never taken for a formula.

A spreadsheet treats a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: a task titled `=HYPERLINK("http://…","Bấm vào đây")` would become a live link, or worse, in
the office's Excel. As OWASP advises (CSV Injection), such text is neutralised: in CSV it is written
with a single quote in front (`'=HYPERLINK(…)`: Excel shows the text, quote hidden, and computes
nothing); in XLSX it is written as a string cell marked "quote prefix", the text itself unchanged,
so it reads the same and `dondoc import-xlsx` reads back exactly what was exported. Numbers stay
numbers: only text is neutralised (a negative figure is an int, not text), and text that is just a
number ("-5", "+84") cannot run anything, so it is left as it is.

Rows recorded before the door refused control characters (tasks.text) may still hold some; XML
cannot, so `tasks.text.for_xml` drops them on the way out rather than failing the whole file.

Dates stay dates: an XLSX cell holds the date itself, formatted dd/mm/yyyy (DATE_FORMAT), so Excel
sorts, filters and computes with it; CSV, DOCX and the terminal print it dd/mm/yyyy (`display`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet

from tasks.dates import format_date
from tasks.text import for_xml

DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Deadline:
    """A deadline as a cell: the day set and, when it fell on a day off, the working day it moved to.
    Printed "20/02/2026 (→ 23/02/2026)"; in XLSX a date cell of the day set, the move in its comment."""

    on: date
    effective: date

    def __str__(self) -> str:
        if self.on == self.effective:
            return format_date(self.on)
        return f"{format_date(self.on)} (→ {format_date(self.effective)})"


def display(value: Any) -> str:
    """A cell as text (CSV, DOCX, the terminal): dates dd/mm/yyyy, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    return str(value)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def text_out(value: Any) -> Any:
    """A value ready for any export: text made XML-safe, everything else as it is."""
    return for_xml(value) if isinstance(value, str) else value


def csv_value(value: Any) -> Any:
    if isinstance(value, (date, Deadline)):
        return display(value)
    value = text_out(value)
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """`ws.append`, with every text cell a string cell (openpyxl would store text starting with
    "=" as a formula) and every date a date cell shown dd/mm/yyyy."""
    values = list(values)
    ws.append([v.on if isinstance(v, Deadline) else text_out(v) for v in values])
    for cell, value in zip(ws[ws.max_row], values):
        if isinstance(cell.value, str) and is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif isinstance(value, (date, Deadline)):
            cell.number_format = DATE_FORMAT
            if isinstance(value, Deadline) and value.on != value.effective:
                cell.comment = Comment(str(value), "dondoc")
