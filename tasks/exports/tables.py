"""The report as plain tables (title, column headers, rows), translated; every export format renders these.
Dates are `date` values (and a deadline a `cells.Deadline`): each format writes them its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks.dates import format_date
from tasks.errors import N_
from tasks.exports.cells import Deadline
from tasks.i18n import Gettext
from tasks.overdue import OverdueItem
from tasks.reports import CATEGORY_LABELS, GROUP_LABELS, NO_LEADER, RATE_LABELS, CompletionReport, Tally, TrendPoint

COUNT_KEYS = tuple(CATEGORY_LABELS)
RATE_KEYS = tuple(RATE_LABELS)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    # Column indexes holding a rate (a fraction 0–1, or None when the denominator is 0).
    rate_columns: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)


def rate_notes(_: Gettext) -> list[str]:
    return [f"{_(label)} = {_(formula)}" for label, formula in RATE_LABELS.values()]


def _tally_cells(t: Tally) -> list[Any]:
    rates = t.rates()
    return [*(getattr(t, k) for k in COUNT_KEYS), *(rates[k].value for k in RATE_KEYS)]


def summary_table(report: CompletionReport, _: Gettext) -> Table:
    headers = [_(N_("No.")), _(GROUP_LABELS[report.group_by]), *(_(CATEGORY_LABELS[k]) for k in COUNT_KEYS),
               *(_(RATE_LABELS[k][0]) for k in RATE_KEYS)]
    rows = []
    for i, r in enumerate(report.rows, start=1):
        name = _(NO_LEADER) if r.name == NO_LEADER else r.name
        if report.group_by == "directive":
            label = f"{r.code} ({format_date(r.extra.get('issued_on'))}, {r.extra.get('issuer', '')})"
        elif report.group_by == "issuer" or not r.code:
            label = name
        else:
            label = name or r.code
        rows.append([i, label, *_tally_cells(r.tally)])
    rows.append(["", _(N_("Total")), *_tally_cells(report.total)])
    first_rate = 2 + len(COUNT_KEYS)
    return Table(_(N_("Completion")), headers, rows,
                 rate_columns=tuple(range(first_rate, first_rate + len(RATE_KEYS))), notes=rate_notes(_))


def trend_table(points: list[TrendPoint], _: Gettext) -> Table:
    headers = [_(N_("Week ending")), _(CATEGORY_LABELS["assigned"]), _(N_("Done")), _(CATEGORY_LABELS["overdue"]),
               *(_(RATE_LABELS[k][0]) for k in RATE_KEYS)]
    rows = []
    for p in points:
        rates = p.tally.rates()
        rows.append([p.day, p.tally.assigned, p.tally.done, p.tally.overdue, *(rates[k].value for k in RATE_KEYS)])
    return Table(_(N_("12-week trend")), headers, rows, rate_columns=(4, 5, 6, 7), notes=rate_notes(_))


OVERDUE_HEADERS = (
    N_("No."), N_("Task"), N_("Directive (number)"), N_("Directive date"), N_("Lead division"), N_("Due date"),
    N_("Working days overdue"), N_("Leader in charge"), N_("Last progress note"), N_("Date of the note"),
)


def overdue_table(items: list[OverdueItem], _: Gettext) -> Table:
    rows = []
    for i, item in enumerate(items, start=1):
        rows.append([i, item.title, item.directive_number, item.directive_issued_on, item.division_name,
                     Deadline(item.due_on, item.effective_due_on), item.working_days_overdue, item.leader, item.last_note, item.last_note_on])
    return Table(_(N_("Overdue tasks")), [_(h) for h in OVERDUE_HEADERS], rows)
