"""Benchmark of the JSON API through HTTP over a register of 100,000 and 1,000,000 tasks, on
PostgreSQL and SQLite, with the issue 8 targets printed beside each figure.

    .venv/bin/python bench/api.py                                   # 100k and 1M, both engines
    .venv/bin/python bench/api.py --sizes 100000 --engines postgres --keep --duration 10

For each size and engine: seed the register (`bench/api_data.py`: 20 divisions, due dates from
120 days before to 60 days after the as-of day, ~60 % done) with bulk SQL after `dondoc migrate`;
start the real app in a separate process (uvicorn on `create_app` with a FixedClock at the as-of
time, scheduler off, access log off) on 127.0.0.1; sign in through `POST /api/v1/auth/token`; time
three requests (median of 20 after a warm-up); run 16 connections for `--duration` seconds on the
first page of open tasks from another process; and read the server's peak RSS (VmHWM).

PostgreSQL: one database per size, named after `--postgres-url` with the size appended
(`dondoc_bench_api_100k`, `dondoc_bench_api_1m`): created if missing, and wiped when seeded, so
never point it at data you keep. SQLite: files under `--sqlite-dir`. `--keep` reuses a database
already seeded with the same size and data version instead of seeding it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import api_data  # noqa: E402
from tasks.state import RUNNING, TaskState  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/dondoc_bench_api"
DEFAULT_SQLITE_DIR = "/tmp/dondoc-bench-api"
REPEAT = 20
CONNECTIONS = 16
REQUEST_TIMEOUT_S = 60.0
MAX_LOAD_REQUESTS_PER_S = 5_000  # a ceiling on the load phase's count, whatever the duration
OPEN_STATES = ",".join(sorted(RUNNING))  # the "open tasks" of the task list: open and in progress
DIVISION = api_data.division_code(7)
OVERDUE = "/api/v1/tasks?timeliness=overdue&limit=100"
BY_DIVISION = f"/api/v1/tasks?division={DIVISION}&limit=25"
COMPLETION = "/api/v1/reports/completion"
OPEN_PAGE = f"/api/v1/tasks?state={OPEN_STATES}&limit=25"

# figure → (100k target, 1M target, "max" or "min" for what meets it; None = no target)
TARGETS = {
    "overdue page + total (ms)": (25, 60, "max"),
    "division page (ms)": (15, 30, "max"),
    "completion report (ms)": (40, 400, "max"),
    # The list's totals are cached per version of the task data (tasks/totals.py): these time the
    # same requests when a task was written just before each, so every total is counted afresh.
    "overdue page + total, after a write (ms)": (None, None, "max"),
    "division page, after a write (ms)": (None, None, "max"),
    f"{CONNECTIONS} conns: req/s": (300, 150, "min"),
    f"{CONNECTIONS} conns: p50 (ms)": (None, None, "max"),
    f"{CONNECTIONS} conns: p99 (ms)": (150, None, "max"),
    f"{CONNECTIONS} conns: errors": (0, 0, "max"),
    "server peak RSS (MiB)": (130, 150, "max"),
}


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --- seeding ------------------------------------------------------------------------------------

async def _pg_marker(url: str) -> dict | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(url)
    except (asyncpg.InvalidCatalogNameError, OSError):
        return None
    try:
        value = await conn.fetchval("SELECT value FROM setting WHERE key = $1", api_data.MARKER_KEY)
    except asyncpg.UndefinedTableError:
        value = None
    finally:
        await conn.close()
    return json.loads(value) if value else None


def _sqlite_marker(path: Path) -> dict | None:
    if not path.exists():
        return None
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT value FROM setting WHERE key = ?", (api_data.MARKER_KEY,)).fetchone()
    except sqlite3.OperationalError:
        row = None
    finally:
        db.close()
    return json.loads(row[0]) if row else None


def prepare(engine: str, n: int, args: argparse.Namespace) -> tuple[str, str]:
    """The database URL for this run, seeded (or reused with --keep); and what was done, with its time."""
    from bulk import load_postgres, load_sqlite
    from fresh_db import migrate, reset_postgres

    wanted = {"tasks": n, "version": api_data.DATA_VERSION}
    if engine == "postgres":
        url = f"{args.postgres_url}_{label(n)}"
        if args.keep and asyncio.run(_pg_marker(url)) == wanted:
            return url, "reused (--keep)"
        start = time.perf_counter()
        asyncio.run(reset_postgres(url))
        migrate(url)
        asyncio.run(load_postgres(url, api_data.batches(n)))
    else:
        path = Path(args.sqlite_dir) / f"bench-{label(n)}.sqlite3"
        url = f"sqlite:///{path}"
        if args.keep and _sqlite_marker(path) == wanted:
            return url, "reused (--keep)"
        start = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".migrate-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        migrate(url)
        load_sqlite(str(path), api_data.batches(n))
    return url, f"seeded in {time.perf_counter() - start:.0f} s"


# --- the server, in a process of its own ---------------------------------------------------------

def serve(url: str, port: int) -> None:
    import uvicorn

    from tasks.clock import FixedClock
    from web.app import create_app
    from web.settings import Settings

    settings = Settings(database_url=url, scheduler=False, base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, clock=FixedClock(api_data.AS_OF))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, log_path: Path) -> Iterator[tuple[str, int]]:
    import httpx

    port = _free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server stopped (exit {proc.returncode}); see {log_path}:\n{log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer within 120 s; see {log_path}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory_mib(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024
    return out


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used: on a shared machine, the part of a request's
    time that is the server's own work and not waiting for a core (PostgreSQL's work not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- requests ---------------------------------------------------------------------------------------

def sign_in(base: str) -> str:
    import httpx

    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": api_data.USERNAME, "password": api_data.PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def writer(url: str):
    """A write to one task as the database sees any (its triggers move task_version), leaving
    the data as it was: what a head's progress report does to the cached totals."""
    sql = "UPDATE task SET priority = priority WHERE id = 1"
    if url.startswith("sqlite"):
        path = url[len("sqlite:///"):]

        def write() -> None:
            with sqlite3.connect(path) as connection:
                connection.execute(sql)
        return write
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(dsn=url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    return lambda: asyncio.run(run())


def median_ms(client, path: str, before_each=None) -> tuple[float, dict]:
    """Median of REPEAT requests after one warm-up; refuses to time anything but 200s.
    `before_each` runs untimed before every request (a write, to time the uncached totals)."""
    body = {}
    times = []
    for i in range(REPEAT + 1):
        if before_each is not None:
            before_each()
        start = time.perf_counter()
        r = client.get(path)
        elapsed = time.perf_counter() - start
        if r.status_code != 200:
            raise SystemExit(f"GET {path} answered {r.status_code}: {r.text[:500]}")
        if i == 0:
            body = r.json()
        else:
            times.append(elapsed)
    return statistics.median(times) * 1000, body


async def load(base: str, token: str, path: str, duration: float, connections: int) -> dict:
    """`connections` clients, each sending its next request when the last one is answered."""
    import httpx

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    budget = int(duration * MAX_LOAD_REQUESTS_PER_S)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=REQUEST_TIMEOUT_S) as client:
        await asyncio.gather(*(client.get(path) for _ in range(connections)))  # open the connections, warm the path
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal budget
            while budget > 0 and (start := time.perf_counter()) < deadline:
                budget -= 1
                try:
                    r = await client.get(path)
                    problem = None if r.status_code == 200 else str(r.status_code)
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                if problem is None:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors[problem] = errors.get(problem, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - started
    latencies.sort()
    pick = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000) if latencies else (lambda q: float("nan"))
    return {"requests": len(latencies), "rate": len(latencies) / wall, "p50": pick(0.50), "p99": pick(0.99),
            "errors": sum(errors.values()), "error_kinds": errors, "wall": wall}


def measure(url: str, args: argparse.Namespace, log_path: Path) -> dict:
    import httpx

    with server(url, log_path) as (base, pid):
        at_start = memory_mib(pid)
        token = sign_in(base)
        # Checking the password takes argon2's 64 MiB for a moment: part of the peak, said apart.
        after_sign_in = memory_mib(pid)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT_S) as client:
            overdue_ms, overdue_body = median_ms(client, OVERDUE)
            division_ms, division_body = median_ms(client, BY_DIVISION)
            completion_ms, _ = median_ms(client, COMPLETION)
            write = writer(url)
            overdue_cold_ms, _ = median_ms(client, OVERDUE, write)
            division_cold_ms, _ = median_ms(client, BY_DIVISION, write)
        cpu_before = cpu_s(pid)  # the load process sends CONNECTIONS warm-up requests first: counted below
        run = subprocess.run([sys.executable, __file__, "--load", base, OPEN_PAGE, str(args.duration), str(CONNECTIONS)],
                             cwd=ROOT, env={**os.environ, "BENCH_TOKEN": token}, capture_output=True, text=True,
                             timeout=args.duration + 300)
        if run.returncode != 0:
            raise SystemExit(f"the load generator failed:\n{run.stderr[-2000:]}")
        loaded = json.loads(run.stdout.strip().splitlines()[-1])
        cpu_per_request = (cpu_s(pid) - cpu_before) * 1000 / (loaded["requests"] + loaded["errors"] + CONNECTIONS)
        memory = memory_mib(pid)
    return {
        "overdue page + total (ms)": overdue_ms,
        "division page (ms)": division_ms,
        "completion report (ms)": completion_ms,
        "overdue page + total, after a write (ms)": overdue_cold_ms,
        "division page, after a write (ms)": division_cold_ms,
        f"{CONNECTIONS} conns: req/s": loaded["rate"],
        f"{CONNECTIONS} conns: p50 (ms)": loaded["p50"],
        f"{CONNECTIONS} conns: p99 (ms)": loaded["p99"],
        f"{CONNECTIONS} conns: errors": loaded["errors"],
        "server peak RSS (MiB)": memory["VmHWM"],
        "_notes": f"{overdue_body['total']:,} overdue, {division_body['total']:,} tasks of {DIVISION}, "
                  f"{loaded['requests']:,} requests under load ({cpu_per_request:.1f} ms of server CPU each){' ' + str(loaded['error_kinds']) if loaded['errors'] else ''}, "
                  f"RSS at start {at_start['VmRSS']:.0f} MiB, peak after the sign-in {after_sign_in['VmHWM']:.0f} MiB, at the end {memory['VmRSS']:.0f} MiB",
    }


# --- the report ---------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.1f}"


def verdict(figure: str, value: float, n: int) -> str:
    low, high, sense = TARGETS[figure]
    target = high if n >= 1_000_000 else low
    if target is None:
        return _fmt(value)
    ok = value <= target if sense == "max" else value >= target
    return f"{_fmt(value)} {'✓' if ok else '✗'}"


def print_table(results: dict[tuple[str, int], dict]) -> None:
    def target(value: float | None, sense: str) -> str:
        if value is None:
            return "–"
        return "0" if value == 0 else f"{'≤' if sense == 'max' else '≥'} {value}"

    runs = list(results)
    header = ["figure", "100k target", "1M target"] + [f"{engine} {label(n)}" for engine, n in runs]
    rows = [[figure, target(low, sense), target(high, sense)] + [verdict(figure, results[run][figure], run[1]) for run in runs]
            for figure, (low, high, sense) in TARGETS.items()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("✓/✗: against the target of the run's size (1M targets from 1,000,000 tasks up); the targets are PostgreSQL's.")


def describe_machine(engines: list[str], postgres_url: str) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) / 1024 / 1024 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    print(f"machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    versions = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    if "postgres" in engines:
        import asyncpg

        async def pg_version() -> str:
            conn = await asyncpg.connect(postgres_url.rpartition("/")[0] + "/postgres")
            try:
                return await conn.fetchval("SHOW server_version")
            finally:
                await conn.close()

        versions.append(f"PostgreSQL {asyncio.run(pg_version())}")
    versions += [f"{p} {metadata.version(p)}" for p in ("litestar", "piccolo", "uvicorn", "asyncpg", "aiosqlite", "httpx")]
    commit = subprocess.run(["git", "log", "-1", "--format=%h %cs %s"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print("versions: " + ", ".join(versions))
    print(f"commit: {commit}")


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "--load":
        _, _, base, path, duration, connections = sys.argv
        print(json.dumps(asyncio.run(load(base, os.environ["BENCH_TOKEN"], path, float(duration), int(connections)))))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,1000000", help="task counts, comma-separated (default %(default)s)")
    p.add_argument("--engines", default="postgres,sqlite", help="postgres, sqlite or both (default %(default)s)")
    p.add_argument("--postgres-url", default=os.environ.get("DONDOC_BENCH_API_POSTGRES_URL", DEFAULT_PG),
                   help="base name of the databases this benchmark may wipe; the size is appended (default %(default)s)")
    p.add_argument("--sqlite-dir", default=DEFAULT_SQLITE_DIR, help="where the SQLite files go (default %(default)s)")
    p.add_argument("--duration", type=float, default=30.0, help=f"seconds of the {CONNECTIONS}-connection load (default %(default)s)")
    p.add_argument("--keep", action="store_true", help="reuse a database already seeded with the same size")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e.strip() for e in args.engines.split(",")]
    if not set(engines) <= {"postgres", "sqlite"} or not 0 < args.duration <= 600:
        p.error("--engines takes postgres and/or sqlite; --duration 1–600 s")
    describe_machine(engines, args.postgres_url)
    print(f"as of {api_data.AS_OF.isoformat()}; median of {REPEAT} requests after a warm-up; load: {CONNECTIONS} connections "
          f"for {args.duration:g} s on GET {OPEN_PAGE}; open tasks = {', '.join(TaskState(s) for s in sorted(RUNNING))}")
    results = {}
    for n in sizes:
        for engine in engines:
            url, seeding = prepare(engine, n, args)
            print(f"\n{engine}, {n:,} tasks: {seeding}; load average {os.getloadavg()[0]:.2f}", flush=True)
            figures = measure(url, args, Path(args.sqlite_dir) / f"server-{engine}-{label(n)}.log")
            print(f"  {figures.pop('_notes')}")
            for figure in TARGETS:
                print(f"  {figure:28s} {verdict(figure, figures[figure], n)}", flush=True)
            results[(engine, n)] = figures
    print()
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
