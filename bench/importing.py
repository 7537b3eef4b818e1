"""Benchmark of the Excel import: one workbook in the document-management layout, imported into a
fresh database, the way `dondoc import-xlsx FILE` does it.

    .venv/bin/python bench/importing.py                           # 5,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/importing.py --rows 10000 --engines postgres --repeat 7

Each run starts from an empty register (three divisions, `--heads` heads in each, and a leader): it times `import_xlsx` with
`dry_run=True` (reading and checking the rows, nothing written) and then the real import (reading
again, then writing the directives, tasks, supporting divisions and audit events in one
transaction), and prints the median seconds of each (and the best import, and the CPU seconds this
process spent in it: on SQLite that is all the work, and it is steadier than the clock on a shared
machine), their difference (the writing) and rows per second. The PostgreSQL database is `--postgres-url` (default
`postgresql://postgres@127.0.0.1:5432/dondoc_bench_import`), created if missing and wiped: never
point it at data you keep.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fresh_db import fresh_database  # noqa: E402

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/dondoc_bench_import"
HEADER = ["Lãnh đạo chỉ đạo", "Ngày tạo", "Số phiếu giao việc", "Tên nhiệm vụ cha", "Tên nhiệm vụ", "Chủ trì", "Phối hợp", "Hạn xử lý"]
DIVISIONS = [("QLNL", "Phòng Quản lý năng lượng"), ("QLTM", "Phòng Quản lý thương mại"), ("KHTC", "Phòng Kế hoạch - Tài chính")]


def workbook(n: int) -> bytes:
    """Five tasks per work slip, a supporting division each, one in seven without a deadline."""
    import openpyxl

    names = ["QLNL", "Phòng Quản lý thương mại", "khtc"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH NHIỆM VỤ"])
    ws.append(HEADER)
    for i in range(n):
        ws.append(["Phạm Văn Hải" if i % 3 else "", f"{1 + i % 28:02d}/02/2026", f"PGV-{i // 5:05d}", f"Văn bản {i // 5}",
                   f"Nhiệm vụ số {i}", names[i % 3], names[(i + 1) % 3], "01/01/1970" if i % 7 == 0 else f"{1 + i % 28:02d}/04/2026"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def _empty(db, heads: int) -> None:
    from tasks.tables import AuditEvent, Directive, Division, Notice, Task, TaskSupport, User

    for table in (Notice, AuditEvent, TaskSupport, Task, Directive, User, Division):
        await table.delete(force=True).run()
    for code, name in DIVISIONS:
        division = (await Division.insert(Division(code=code, name=name)).returning(Division.id).run())[0]["id"]
        for i in range(heads):
            await User.insert(User(username=f"truong.{code.lower()}.{i}", role="head", division=division)).run()
    await User.insert(User(username="pgd.hai", full_name="Phạm Văn Hải", role="leader")).run()


async def _runs(url: str, content: bytes, repeat: int, heads: int) -> tuple[list[float], list[float], list[float], int]:
    from tasks.calendar import build_calendar
    from tasks.db import Db
    from tasks.importer import import_xlsx

    calendar = build_calendar("Asia/Ho_Chi_Minh", [])
    db = Db.from_url(url)
    await db.open()
    dry, full, cpu, imported = [], [], [], 0
    try:
        for _ in range(repeat):
            await _empty(db, heads)
            start = time.perf_counter()
            await import_xlsx(db, None, NOW, calendar, content, dry_run=True, source_name="bench.xlsx")
            dry.append(time.perf_counter() - start)
            start, start_cpu = time.perf_counter(), time.process_time()
            result = await import_xlsx(db, None, NOW, calendar, content, source_name="bench.xlsx")
            full.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            imported = len(result.new_tasks)
    finally:
        await db.close()
    return dry, full, cpu, imported


def run_engine(engine: str, args: argparse.Namespace, content: bytes) -> None:
    with fresh_database(engine, args.postgres_url) as url:
        dry, full, cpu, imported = asyncio.run(_runs(url, content, args.repeat, args.heads))
    d, f = statistics.median(dry), statistics.median(full)
    print(f"{engine:9} {args.rows:>7} rows  read {d:5.2f} s  import {f:5.2f} s (best {min(full):.2f}, this process's CPU "
          f"{statistics.median(cpu):.2f})  writing {f - d:5.2f} s  {imported / f:6.0f} rows/s  (medians of {args.repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    parser.add_argument("--heads", type=int, default=0, help="division heads per division: each imported task is then a notice to "
                        "its lead and supporting divisions' heads (tasks.notices), as in a real department (default 0)")
    args = parser.parse_args()
    content = workbook(args.rows)
    for engine in args.engines.split(","):
        run_engine(engine.strip(), args, content)


if __name__ == "__main__":
    main()
