"""The register (the directives list) as the page shows it, downloaded: XLSX or CSV, every
directive its search finds (tasks.register.list_directives, the page's and the API's own query),
at most MAX_EXPORT_ROWS."""

from __future__ import annotations

from datetime import datetime

from tasks.calendar import WorkingCalendar
from tasks.errors import N_, Invalid
from tasks.exports import csv_export, xlsx
from tasks.exports.build import FORMATS, Export
from tasks.exports.tables import Table
from tasks.exports.task_list import MAX_EXPORT_ROWS, check_format, file_name
from tasks.i18n import gettext_for
from tasks.permissions import Actor
from tasks.register import list_directives

KIND_LABELS = {"document": N_("Document"), "meeting": N_("Meeting conclusion"), "instruction": N_("Verbal or email instruction")}
HEADERS = (N_("Number"), N_("Summary"), N_("Issuer"), N_("Signer"), N_("Issued on"), N_("Received on"), N_("Kind"), N_("Tasks"))


async def export_directives(actor: Actor, q: str | None, fmt: str, now: datetime, calendar: WorkingCalendar, locale: str = "vi") -> Export:
    check_format(fmt)
    _ = gettext_for(locale)
    rows, total = await list_directives(actor, q, limit=MAX_EXPORT_ROWS + 1)
    if total > MAX_EXPORT_ROWS:
        raise Invalid(N_("The list holds {total} directives, more than the {n} an export takes; narrow the search."),
                      fields={"q": N_("Too many rows")}, total=f"{total:,}".replace(",", "."), n=f"{MAX_EXPORT_ROWS:,}".replace(",", "."))
    table = Table(_(N_("Directives")), [_(h) for h in HEADERS], [
        [d["number"], d["summary"], d["issuer"], d["signer"], d["issued_on"], d["received_on"],
         _(KIND_LABELS[d["kind"]]) if d["kind"] in KIND_LABELS else d["kind"], d["task_count"]]
        for d in rows
    ])
    content = xlsx.list_workbook(table.title, table) if fmt == "xlsx" else csv_export.to_csv(table)
    return Export(content, file_name("van-ban-chi-dao", calendar.today(now), ext=fmt), FORMATS[fmt])
