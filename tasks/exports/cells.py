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
cannot, so `tasks.text.for_xml` drops them on the way out rather than failing the whole file."""

from __future__ import annotations

import re
from typing import Any, Iterable

from openpyxl.worksheet.worksheet import Worksheet

from tasks.text import for_xml

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def text_out(value: Any) -> Any:
    """A value ready for any export: text made XML-safe, everything else as it is."""
    return for_xml(value) if isinstance(value, str) else value


def csv_value(value: Any) -> Any:
    value = text_out(value)
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """`ws.append`, with every text cell a string cell: openpyxl would store text starting with
    "=" as a formula."""
    ws.append([text_out(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
