"""Reading HTML form values into the types the services take."""

from __future__ import annotations

import re
from datetime import date

from tasks.dates import check_date
from tasks.errors import N_, Invalid

DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
# A phone's numeric keypad may have no "/": 19032026 is read as 19/03/2026.
DIGITS = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")


def parse_date(value: str | None, field: str) -> date | None:
    """dd/mm/yyyy as people write it (also dd.mm.yyyy, dd-mm-yyyy, ddmmyyyy, yyyy-mm-dd); empty means no date.
    Every date a form gives is held to tasks.dates' range here."""
    if value is None or not value.strip():
        return None
    m = DMY.match(value) or DIGITS.match(value)
    try:
        if m:
            return check_date(date(int(m[3]), int(m[2]), int(m[1])), field)
        m = ISO.match(value)
        if m:
            return check_date(date(int(m[1]), int(m[2]), int(m[3])), field)
    except ValueError:
        pass
    raise Invalid(N_("Write the date as dd/mm/yyyy."), fields={field: N_("Write the date as dd/mm/yyyy.")})


def parse_int(value: str | None, field: str, low: int, high: int) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise Invalid(N_("Enter a whole number from {low} to {high}."), fields={field: N_("Out of range")}, low=low, high=high)
    return number


def text(form, name: str, limit: int = 2000) -> str:
    return (form.get(name) or "").replace("\x00", "").strip()[:limit]
