"""Benchmark of "Xuất Excel": the whole task list of a register shaped like a large Sở's
(bench/api_data.py) exported as XLSX and CSV, then the XLSX read back by the import's preview.

    .venv/bin/python bench/exports.py                       # 20,000 tasks (the most an export takes), SQLite
    .venv/bin/python bench/exports.py --tasks 10000 --engines sqlite,postgres

Prints the seconds of each step, the file sizes and this process's peak memory. The PostgreSQL
database is `--postgres-url` (default `postgresql://postgres@127.0.0.1:5432/dondoc_bench_exports`),
created if missing and wiped: never point it at data you keep.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import api_data  # noqa: E402
from bulk import load_postgres, load_sqlite  # noqa: E402
from fresh_db import migrate, reset_postgres  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/dondoc_bench_exports"


async def measure(url: str) -> dict[str, float]:
    from tasks import importer
    from tasks.calendar_days import load_calendar
    from tasks.exports.task_list import export_tasks
    from tasks.permissions import Actor, Role
    from tasks.queries import TaskFilter
    from web.app import app_db

    db = app_db(url)
    await db.open()
    try:
        calendar = await load_calendar("Asia/Ho_Chi_Minh")
        out: dict[str, float] = {}
        for fmt in ("xlsx", "csv"):
            start = time.perf_counter()
            export = await export_tasks(None, TaskFilter(), fmt, api_data.AS_OF, calendar, 3)
            out[f"export {fmt} s"] = time.perf_counter() - start
            out[f"{fmt} MB"] = len(export.content) / 1e6
            if fmt == "xlsx":
                content = export.content
                with zipfile.ZipFile(io.BytesIO(content)) as z:
                    out["xlsx unpacked MB"] = sum(m.file_size for m in z.infolist()) / 1e6
        office = Actor(id=api_data.office_id(), username=api_data.USERNAME, role=Role.OFFICE)
        start = time.perf_counter()
        result = await importer.import_xlsx(db, office, api_data.AS_OF, calendar, content, dry_run=True)
        out["import preview s"] = time.perf_counter() - start
        out["rows already in dondoc"] = result.existing_tasks
        out["rows refused"] = len(result.errors)
        return out
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as folder:
            if engine == "postgres":
                url = args.postgres_url
                asyncio.run(reset_postgres(url))
                migrate(url)
                asyncio.run(load_postgres(url, api_data.batches(args.tasks)))
            else:
                path = f"{folder}/bench.sqlite3"
                url = f"sqlite:///{path}"
                migrate(url)
                load_sqlite(path, api_data.batches(args.tasks))
            figures = asyncio.run(measure(url))
        print(f"{engine}, {args.tasks:,} tasks:")
        for name, value in figures.items():
            print(f"  {name:24} {value:10.2f}" if isinstance(value, float) else f"  {name:24} {value:10}")
        print(f"  {'peak memory MiB':24} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:10.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
