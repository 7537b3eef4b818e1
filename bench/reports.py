"""Benchmark: the completion report (all divisions) and the weekly overdue list over 100,000 and
1,000,000 tasks, on SQLite and PostgreSQL. Prints the median time of each and, beneath it, the time
of the bare SQL it runs (the same statement through the same engine, without the Python that
classifies and presents the rows). Targets: completion under 50 ms at 100,000 tasks on PostgreSQL;
each within 1.5 × its bare SQL.

    .venv/bin/python bench/reports.py                       # 100k and 1M, both engines
    .venv/bin/python bench/reports.py --sizes 20000 --engines sqlite

The data is bulk-loaded (COPY on PostgreSQL, executemany on SQLite), not played through the
services: 12 divisions, 8 leaders, one directive per 5 tasks, two years of assignments, a realistic
mix of states, and progress reports on a fifth of the tasks. PostgreSQL: DONDOC_BENCH_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/dondoc_bench; the database is created if missing and
its public schema is replaced).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk import load_postgres, load_sqlite  # noqa: E402
from fresh_db import migrate, reset_postgres  # noqa: E402
from tasks.calendar import build_calendar  # noqa: E402
from tasks.db import Db  # noqa: E402
from tasks.overdue import overdue_list, overdue_rows  # noqa: E402
from tasks.report_sql import make_period  # noqa: E402
from tasks.reports import completion_report, grouped_counts, weekly_trend  # noqa: E402
from tasks.state import TaskState  # noqa: E402

AS_OF = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)  # Tuesday 09:00 in Hà Nội
TODAY = date(2026, 3, 3)
CAL = build_calendar("Asia/Ho_Chi_Minh", [])
DIVISIONS = 12
LEADERS = 8
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/dondoc_bench"


def generate(n: int, seed: int = 2026):
    """Rows for division, app_user, directive, task, progress_report (tuples in column order)."""
    rnd = random.Random(seed)
    created0 = datetime(2024, 3, 1, 1, 0, tzinfo=timezone.utc)
    span = (AS_OF - created0).days
    divisions = [(i + 1, f"P{i + 1:02d}", f"Phòng nghiệp vụ số {i + 1}", "", True) for i in range(DIVISIONS)]
    users = [(i + 1, f"pgd{i + 1}", f"Phó Giám đốc {i + 1}", "", "leader", None, "", True, "vi") for i in range(LEADERS)]
    n_directives = max(1, n // 5)
    directives = []
    for i in range(n_directives):
        issued = (created0 + timedelta(days=span * i // n_directives)).date()
        directives.append((i + 1, f"{i + 1}/UBND-KT", "UBND tỉnh" if i % 3 else "Bộ Công Thương", "", issued, issued, "document",
                           f"Văn bản số {i + 1}", "active", None, created0))
    tasks, progress = [], []
    for i in range(n):
        directive = i // 5 + 1 if i // 5 < n_directives else n_directives
        created = created0 + timedelta(days=span * i // n, hours=rnd.randint(0, 8))
        cday = created.date()
        due = None if rnd.random() < 0.08 else cday + timedelta(days=rnd.randint(5, 90))
        roll = rnd.random()
        completed = None
        if roll < 0.04:
            state = TaskState.PAUSED if roll < 0.02 else TaskState.CANCELLED
        elif due is not None and due < TODAY and roll < 0.90:
            state = TaskState.DONE if roll < 0.88 else TaskState.SUBMITTED
            completed = min(TODAY, max(cday, due + timedelta(days=rnd.choice([-20, -10, -5, -2, -1, 0, 0, 1, 2, 3, 7, 15]))))
        elif due is None and roll < 0.60:
            state, completed = TaskState.DONE, min(TODAY, cday + timedelta(days=rnd.randint(3, 60)))
        else:
            state = TaskState.IN_PROGRESS if rnd.random() < 0.6 else TaskState.OPEN
        tasks.append((i + 1, directive, None, f"Nhiệm vụ số {i + 1}", "", rnd.randint(1, DIVISIONS), rnd.randint(1, LEADERS), None,
                      due, due, 1, state, "", 100 if completed else rnd.choice([0, 20, 50]), completed, 0, False, None, created, created))
        if rnd.random() < 0.2:
            at = min(AS_OF - timedelta(minutes=5), created + timedelta(days=rnd.randint(0, 40)))
            progress.append((len(progress) + 1, i + 1, None, None, 50, f"Tiến độ nhiệm vụ {i + 1}", at))
    return divisions, users, directives, tasks, progress


COLUMNS = {
    "division": ("id", "code", "name", "email", "active"),
    "app_user": ("id", "username", "full_name", "email", "role", "division", "password_hash", "active", "locale"),
    "directive": ("id", "number", "issuer", "signer", "issued_on", "received_on", "kind", "summary", "state", "created_by", "created_at"),
    "task": ("id", "directive", "parent", "title", "description", "lead_division", "leader_in_charge", "assignee", "due_on",
             "original_due_on", "deadline_version", "state", "state_reason", "percent", "completed_on", "priority", "starred",
             "created_by", "created_at", "updated_at"),
    "progress_report": ("id", "task", "division", "author", "percent", "note", "reported_at"),
}


def batches(data):
    return [(table, COLUMNS[table], rows) for table, rows in zip(COLUMNS, data)]


async def seed_postgres(url: str, data) -> None:
    await reset_postgres(url)
    migrate(url)
    await load_postgres(url, batches(data))


def seed_sqlite(path: str, data) -> None:
    migrate(f"sqlite:///{path}")
    load_sqlite(path, batches(data))


async def timed(fn, repeat: int) -> float:
    await fn()  # warm-up (plans, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def paired(full, bare, repeat: int) -> tuple[float, float]:
    """Median times of `full` and of its bare SQL, run alternately so that a busy machine weighs
    on both alike."""
    await full()
    await bare()
    a, b = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        await full()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        await bare()
        b.append(time.perf_counter() - start)
    return statistics.median(a) * 1000, statistics.median(b) * 1000


async def measure(url: str, repeat: int) -> dict[str, float]:
    db = Db.from_url(url)
    await db.open()
    try:
        period = make_period(CAL, AS_OF, None, None)
        out = {}
        # The bare SQL of the report is all its statements (the grouped counts, the recently
        # updated tasks, the deadline range), through the same engine, without the Python.
        out["completion"], out["completion_sql"] = await paired(
            lambda: completion_report(None, CAL, AS_OF), lambda: grouped_counts("division", period, CAL), repeat)
        out["overdue"], out["overdue_sql"] = await paired(lambda: overdue_list(None, CAL, AS_OF), lambda: overdue_rows(period, CAL), repeat)
        out["trend"] = await timed(lambda: weekly_trend(None, CAL, AS_OF), max(1, repeat // 3))
        rows, _updated = await grouped_counts("division", period, CAL)
        out["groups"] = len(rows)
        out["overdue_items"] = len(await overdue_list(None, CAL, AS_OF))
        return out
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--engines", default="postgres,sqlite")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    pg_url = os.environ.get("DONDOC_BENCH_POSTGRES_URL", DEFAULT_PG)
    print(f"as of {AS_OF.isoformat()}; median of {args.repeat} runs after a warm-up")
    for size in [int(s) for s in args.sizes.split(",")]:
        start = time.perf_counter()
        data = generate(size)
        print(f"\n{size:,} tasks ({len(data[4]):,} progress reports) generated in {time.perf_counter() - start:.1f} s")
        for engine_name in args.engines.split(","):
            start = time.perf_counter()
            if engine_name == "postgres":
                asyncio.run(seed_postgres(pg_url, data))
                url = pg_url
            else:
                path = os.path.join(tempfile.mkdtemp(prefix="dondoc-bench-"), "bench.sqlite3")
                seed_sqlite(path, data)
                url = f"sqlite:///{path}"
            seeded = time.perf_counter() - start
            m = asyncio.run(measure(url, args.repeat))
            print(f"  {engine_name} (seeded in {seeded:.1f} s; {m['groups']:,} distinct groups, {m['overdue_items']:,} overdue tasks)")
            for key, label in (("completion", "completion report, all divisions"), ("overdue", "weekly overdue list")):
                ratio = m[key] / m[f"{key}_sql"] if m[f"{key}_sql"] else float("nan")
                print(f"    {label:34s} {m[key]:9.1f} ms")
                print(f"      {'bare SQL aggregate' if key == 'completion' else 'bare SQL query':32s} {m[f'{key}_sql']:9.1f} ms   (× {ratio:.2f})")
            print(f"    {'12-week trend (12 aggregates)':34s} {m['trend']:9.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
