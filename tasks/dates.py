"""Dates in and out: the one reader of a written date (`as_date`), the one way a date or an instant
is written for people (`format_date`, `format_datetime`: dd/mm/yyyy, as Vietnamese offices write
them), and the dates dondoc accepts.

The accepted range is 01/01/2000 to 31/12/2100, for every date a person or a file gives it
(deadlines, directive dates, calendar days, report periods, filters). Nothing the department
tracks lies outside it, so a date there is a typo (2206 for 2026) or a placeholder (31/12/9999 for
"no deadline"); refusing it keeps it out of the figures. The database holds the same bounds as
CHECK constraints (migration tasks_2026_12_01t10_00_00_000000), which must agree with these."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any

from tasks.errors import N_, Invalid

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def in_range(value: date) -> bool:
    return EARLIEST <= value <= LATEST


def check_date(value: date | None, field: str) -> date | None:
    """`value` itself when it is empty or within the bounds; otherwise Invalid naming `field`."""
    if value is not None and not in_range(value):
        raise Invalid(
            N_("The date {value} is outside the dates dondoc accepts, {earliest} to {latest}."),
            fields={field: N_("Not between 01/01/2000 and 31/12/2100")},
            value=format_date(value), earliest=format_date(EARLIEST), latest=format_date(LATEST),
        )
    return value


# A time may follow the day ("19/03/2026 08:30", "2026-03-19T08:30:00+07:00", a database's text);
# it is not part of the date.
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T].*)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?")
# A phone's numeric keypad may have no "/": 19032026 is read as 19/03/2026.
_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")


def as_date(value: Any) -> date | None:
    """A date from whatever holds one: a date, a datetime (its day), or text as people write it
    (dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy, ddmmyyyy) or as machines do (yyyy-mm-dd, which is how
    SQLite returns a computed date). Empty is None; anything else is ValueError."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    if not text:
        return None
    if m := _ISO.fullmatch(text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.fullmatch(text) or _DIGITS.fullmatch(text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(f"not a date: {text!r}")


def format_date(value: date | str | None) -> str:
    """dd/mm/yyyy; empty for no date."""
    day = as_date(value)
    return "" if day is None else day.strftime("%d/%m/%Y")


def format_datetime(value: datetime | str | None, zone: tzinfo) -> str:
    """dd/mm/yyyy HH:MM in the province's time zone; empty for none."""
    if value in (None, ""):
        return ""
    at = (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(zone)
    return at.strftime("%d/%m/%Y %H:%M")
