"""Benchmark of one escalation pass (plan + send) over a large task register.

    .venv/bin/python bench/escalation.py                      # 100,000 tasks, SQLite and PostgreSQL
    .venv/bin/python bench/escalation.py --tasks 1000000 --engine postgres

Seeds N tasks with bulk SQL (40 % open or in progress, the rest done, paused or cancelled), of which
`--due` (default 3,000, the same whatever N) have a ladder rule due at the pass's time, the other
open ones being due well before or after the ladder's reach. Then a fresh process runs one full
pass (`Notifier.run_pass`) against a local aiosmtpd sink in this process, and prints the seconds
spent planning, sending and in all, emails per second and the pass process's peak memory (max RSS).
Targets (issue 3): the whole pass at 100,000 tasks under 2 s on PostgreSQL; at 1,000,000 tasks
within 1.5 × that. `--webhooks` also attaches a webhook to every division, received by a local
HTTP server in this process, and prints the calls made and received.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk import load_postgres, load_sqlite  # noqa: E402
from fresh_db import fresh_database  # noqa: E402
from tasks.state import TaskState  # noqa: E402

ZONE = "Asia/Ho_Chi_Minh"
AS_OF = datetime(2026, 3, 11, 2, 0, tzinfo=timezone.utc)  # Wednesday 11/03/2026, 09:00 in Hà Nội
DIVISIONS, HEADS_PER_DIVISION, LEADERS, OFFICE = 20, 2, 6, 3  # a large Sở: 20 divisions, a head and a deputy each
DIRECTIVES = 2000
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/dondoc_bench"


# --- seeding ------------------------------------------------------------------------------------

def plan_rows(n_tasks: int, n_due: int, divisions: int = DIVISIONS, heads_per_division: int = HEADS_PER_DIVISION, seed: int = 11) -> dict:
    """Rows for every table, as plain tuples; due dates placed around the ladder's window."""
    from notify.ladder import DEFAULT_LADDER, due_on_window
    from tasks.calendar import build_calendar

    rng = random.Random(seed)
    cal = build_calendar(ZONE, [])
    today = cal.today(AS_OF)
    after, until = due_on_window(today, cal, DEFAULT_LADDER)
    in_window = [after + timedelta(days=i) for i in range(1, (until - after).days + 1)]
    before = [after - timedelta(days=i) for i in range(0, 700)]
    later = [until + timedelta(days=i) for i in range(1, 400)]
    created = AS_OF - timedelta(days=800)

    n_divisions = divisions
    divisions = [(i + 1, f"D{i:03}", f"Phòng chuyên môn số {i}", f"d{i}@bench.example.vn") for i in range(n_divisions)]
    users, uid = [], 0
    heads: dict[int, list[int]] = {}
    for d, *_ in divisions:
        for h in range(heads_per_division):
            uid += 1
            users.append((uid, f"head{d}_{h}", f"Trưởng phòng {d}.{h}", f"head{d}_{h}@bench.example.vn", "head", d))
            heads.setdefault(d, []).append(uid)
    leaders = []
    for i in range(LEADERS):
        uid += 1
        users.append((uid, f"leader{i}", f"Lãnh đạo Sở {i}", f"leader{i}@bench.example.vn", "leader", None))
        leaders.append(uid)
    for i in range(OFFICE):
        uid += 1
        users.append((uid, f"office{i}", f"Văn phòng {i}", f"office{i}@bench.example.vn", "office", 1))
    directives = [(i + 1, f"{i + 1}/UBND-KT", "UBND tỉnh", created) for i in range(DIRECTIVES)]

    n_open = int(n_tasks * 0.4)
    due_positions = set(rng.sample(range(n_open), min(n_due, n_open)))
    tasks = []
    for i in range(n_tasks):
        d = rng.randrange(n_divisions) + 1
        if i < n_open:
            state = TaskState.OPEN if i % 3 else TaskState.IN_PROGRESS
            if i in due_positions:
                due = rng.choice(in_window)
            elif rng.random() < 0.1:
                due = None
            else:
                due = rng.choice(before) if rng.random() < 0.5 else rng.choice(later)
            completed = None
        else:
            state = rng.choices([TaskState.DONE, TaskState.PAUSED, TaskState.CANCELLED], [90, 5, 5])[0]
            due = today - timedelta(days=rng.randrange(1, 700))
            completed = due - timedelta(days=rng.randrange(-5, 20)) if state == TaskState.DONE else None
        assignee = rng.choice(heads[d]) if rng.random() < 0.5 else None
        tasks.append((i + 1, rng.randrange(DIRECTIVES) + 1, f"Nhiệm vụ số {i + 1}: rà soát, báo cáo tình hình thực hiện", d,
                      rng.choice(leaders), assignee, due, due, state, completed, created, created))
    return {"divisions": divisions, "users": users, "directives": directives, "tasks": tasks}


def batches(rows: dict) -> list:
    """The rows as `bulk` batches, with the columns the benchmark leaves at their defaults."""
    webhooks = [("webhook", ("id", "division", "url", "secret", "active", "created_at"), rows["webhooks"])] if rows.get("webhooks") else []
    return [
        ("division", ("id", "code", "name", "email", "active"), [(*r, True) for r in rows["divisions"]]),
        ("app_user", ("id", "username", "full_name", "email", "role", "division", "password_hash", "active", "locale"),
         [(*r, "", True, "vi") for r in rows["users"]]),
        ("directive", ("id", "number", "issuer", "created_at", "signer", "kind", "summary", "state"),
         [(*r, "", "document", "", "active") for r in rows["directives"]]),
        ("task", ("id", "directive", "title", "lead_division", "leader_in_charge", "assignee", "due_on", "original_due_on", "state",
                  "completed_on", "created_at", "updated_at", "deadline_version", "description", "state_reason", "percent", "priority",
                  "starred"),
         ((*t, 1, "", "", 0, 0, False) for t in rows["tasks"])),
        *webhooks,
    ]


# --- the pass, in a process of its own ----------------------------------------------------------

async def one_pass(url: str, smtp_url: str) -> dict:
    from notify.mailer import SmtpMailer
    from notify.passes import Notifier
    from tasks.db import Db

    db = Db.from_url(url)
    await db.open()
    try:
        notifier = Notifier(db, SmtpMailer(smtp_url), timezone=ZONE, base_url="http://dondoc.bench", mail_from="dondoc@bench.example.vn")
        started = time.perf_counter()
        result = await notifier.run_pass(AS_OF)
        whole = time.perf_counter() - started
    finally:
        await db.close()
    return {"planning_s": result.planning_s, "sending_s": result.sending_s, "whole_s": whole, "planned": result.planned,
            "emails": result.send.emails_sent, "webhook_calls": result.send.webhooks_sent, "notifications_sent": result.send.sent, "retried": result.send.retried,
            "failed": result.send.failed, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address space;
    getrusage's ru_maxrss would also count the parent's memory the child inherited before exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def webhook_receiver() -> ThreadingHTTPServer:
    """Answers every POST 204 and counts them (in `.calls`)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("content-length", 0)))
            with self.server.lock:
                self.server.calls += 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads, server.calls, server.lock = True, 0, threading.Lock()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


class CountingSink:
    def __init__(self) -> None:
        self.messages = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
        return "250 OK"


def run_engine(engine: str, args: argparse.Namespace, rows: dict) -> dict:
    from aiosmtpd.controller import Controller

    class SinkController(Controller):
        def _trigger_server(self):
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    receiver = webhook_receiver() if args.webhooks else None
    with fresh_database(engine, args.postgres_url) as url:
        if receiver is not None:
            hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
            rows = {**rows, "webhooks": [(d, d, hook_url, "bench-secret-0123456789", True, AS_OF) for d, *_ in rows["divisions"]]}
        t0 = time.perf_counter()
        if engine == "sqlite":
            load_sqlite(url[len("sqlite:///"):], batches(rows))
        else:
            asyncio.run(load_postgres(url, batches(rows)))
        seeded = time.perf_counter() - t0
        handler = CountingSink()
        controller = SinkController(handler, hostname="127.0.0.1", port=0)
        controller.start()
        try:
            out = subprocess.run([sys.executable, __file__, "--pass-only", url, f"smtp://127.0.0.1:{controller.port}"],
                                 cwd=ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"the pass failed:\n{out.stderr}")
            figures = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            controller.stop()
            if receiver is not None:
                receiver.shutdown()
                receiver.server_close()
    figures.update(engine=engine, seed_s=seeded, received=handler.messages, calls_received=receiver.calls if receiver else 0)
    return figures


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--pass-only":
        print(json.dumps(asyncio.run(one_pass(sys.argv[2], sys.argv[3]))))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=100_000)
    p.add_argument("--due", type=int, default=3_000, help="open tasks with a ladder rule due at the pass (default 3,000)")
    p.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--divisions", type=int, default=DIVISIONS, help="divisions (default %(default)s)")
    p.add_argument("--heads-per-division", type=int, default=HEADS_PER_DIVISION, help="users with the head role per division (default %(default)s)")
    p.add_argument("--postgres-url", default=os.environ.get("DONDOC_BENCH_POSTGRES_URL", DEFAULT_PG_URL),
                   help="a database this benchmark may wipe (default %(default)s)")
    p.add_argument("--webhooks", action="store_true", help="a webhook for every division, answered by a local HTTP server")
    args = p.parse_args()
    rows = plan_rows(args.tasks, args.due, args.divisions, args.heads_per_division)
    print(f"dondoc escalation benchmark: {args.tasks:,} tasks ({int(args.tasks * 0.4):,} open), {args.due:,} with a rule due, "
          f"{args.divisions} divisions × {args.heads_per_division} heads, {LEADERS} leaders, {OFFICE} office users; as of {AS_OF.isoformat()}")
    for engine in (["sqlite", "postgres"] if args.engine == "both" else [args.engine]):
        f = run_engine(engine, args, rows)
        rate = f["emails"] / f["sending_s"] if f["sending_s"] else 0.0
        print(f"{engine:>8}: seeded in {f['seed_s']:.1f} s; pass: planning {f['planning_s']:.3f} s, sending {f['sending_s']:.3f} s, "
              f"whole {f['whole_s']:.3f} s; {f['planned']:,} notifications in {f['emails']:,} emails "
              f"({f['received']:,} received), {rate:,.0f} emails/s; peak memory {f['peak_rss_mb']:.0f} MB"
              + (f"; {f['webhook_calls']:,} webhook calls ({f['calls_received']:,} received)" if args.webhooks else ""))


if __name__ == "__main__":
    main()
