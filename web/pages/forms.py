"""Reading HTML form values into the types the services take."""

from __future__ import annotations

from datetime import date

from tasks.dates import as_date, check_date
from tasks.errors import N_, Invalid
from tasks.text import check_lengths, normalise_breaks


def parse_date(value: str | None, field: str) -> date | None:
    """dd/mm/yyyy as people write it (also dd.mm.yyyy, dd-mm-yyyy, ddmmyyyy, yyyy-mm-dd); empty means no date.
    Every date a form gives is held to tasks.dates' range here."""
    try:
        return check_date(as_date(value), field)
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


def value(form, name: str) -> str:
    """The field stripped, its line breaks made \\n (tasks.text), whole however long: web.inputs has
    already refused any other control character, and the handler holds it to its limit
    (check_lengths) where it can show the form again with what was typed."""
    return normalise_breaks(form.get(name) or "").strip()


def text(form, name: str) -> str:
    """value(), refused (Invalid naming the field and its limit, tasks.text.LIMITS) when too long."""
    found = value(form, name)
    check_lengths({name: found})
    return found
