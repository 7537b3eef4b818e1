"""The dates dondoc accepts: 01/01/2000 to 31/12/2100, for every date a person or a file gives it
(deadlines, directive dates, calendar days, report periods, filters). Nothing the department
tracks lies outside it, so a date there is a typo (2206 for 2026) or a placeholder (31/12/9999 for
"no deadline"); refusing it keeps it out of the figures. The database holds the same bounds as
CHECK constraints (migration tasks_2026_12_01t10_00_00_000000), which must agree with these."""

from __future__ import annotations

from datetime import date

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
            value=value.strftime("%d/%m/%Y"), earliest=EARLIEST.strftime("%d/%m/%Y"), latest=LATEST.strftime("%d/%m/%Y"),
        )
    return value
