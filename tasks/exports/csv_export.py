"""CSV export: UTF-8 with a byte-order mark, so Excel opens the Vietnamese correctly; comma
separated; rates as fractions with a dot (0.625), dates dd/mm/yyyy; text that a spreadsheet would
take for a formula starts with a quote (tasks.exports.cells)."""

from __future__ import annotations

import csv
import io

from tasks.exports.cells import csv_value
from tasks.exports.tables import Table

BOM = "\ufeff"


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_value(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if (i in table.rate_columns and v is None) else (round(v, 4) if i in table.rate_columns else csv_value(v))
                         for i, v in enumerate(row)])
    return (BOM + out.getvalue()).encode("utf-8")
