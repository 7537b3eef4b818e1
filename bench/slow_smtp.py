"""Two `dondoc serve` instances sharing one PostgreSQL outbox, sending through an SMTP server that
takes 4 s per message: does any email go out twice, or not at all? (Issue 10, defect 1.)

    .venv/bin/python bench/slow_smtp.py                    # 250 emails of 34 tasks each, 4 s a message
    .venv/bin/python bench/slow_smtp.py --app-root /tmp/old-checkout   # the same run against another checkout

It seeds a fresh database with one head per division and tasks whose three-day reminder falls due
today, starts an aiosmtpd server in this process that sleeps before accepting each message, starts
two real `dondoc serve` processes (their scheduler passes every minute, with the real clock), and
waits until the outbox has nothing pending. It prints emails received, (recipient, task) pairs
received twice and never, the outbox states, and how long it took. A batch of 200 recipients takes
200 × 4 s = 13 minutes to send: longer than the 10-minute lease, which is the point.

It uses the wall clock, so it must run inside working hours (07:30–17:00 province time on a working
day); it says so and stops otherwise. The run takes about 15 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import re
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from fresh_db import migrate, reset_postgres  # noqa: E402
from instances import ServeProcess, free_port  # noqa: E402

ZONE = "Asia/Ho_Chi_Minh"
BASE_URL = "http://dondoc.bench"
TASK_LINK = re.compile(re.escape(BASE_URL) + r"/tasks/(\d+)")
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dondoc_bench_slow_smtp"


class SlowSink:
    def __init__(self, per_message_s: float) -> None:
        self.per_message_s = per_message_s
        self.links: list[tuple[str, int]] = []
        self.emails = 0
        self.last_at = time.monotonic()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.per_message_s)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        with self.lock:
            self.emails += len(envelope.rcpt_tos)
            for rcpt in envelope.rcpt_tos:
                self.links += [(rcpt, int(n)) for n in TASK_LINK.findall(text)]
            self.last_at = time.monotonic()
        return "250 OK"


async def seed(url: str, emails: int, tasks_per_email: int, now: datetime) -> set[tuple[str, int]]:
    """One division and one head per email; every task's remind_3 falls due today. Returns the
    (address, task id) pairs that should each arrive exactly once."""
    from notify.ladder import DEFAULT_LADDER
    from tasks.calendar import build_calendar
    from tasks.db import Db
    from tasks.tables import Directive, Division, Task, User

    calendar = build_calendar(ZONE, [])
    if not DEFAULT_LADDER.hours.contains(now, calendar):
        raise SystemExit("slow_smtp: outside working hours (07:30–17:00 province time on a working day); "
                         "the instances would send nothing. Run it inside them.")
    due_on = calendar.add_working_days(calendar.today(now), 3)
    db = Db.from_url(url, [Division, User, Directive, Task])
    db.bind()
    await db.open()
    try:
        divisions = [r["id"] for r in await Division.insert(*[
            Division(code=f"D{i:03}", name=f"Phòng số {i}", email=f"d{i}@bench.example.vn") for i in range(emails)
        ]).returning(Division.id).run()]
        await User.insert(*[
            User(username=f"head{i:03}", full_name=f"Trưởng phòng {i}", email=f"head{i:03}@bench.example.vn", role="head",
                 division=d, active=True, locale="vi")
            for i, d in enumerate(divisions)
        ]).run()
        directive = (await Directive.insert(Directive(number="1/BENCH", issuer="UBND tỉnh", created_at=now))
                     .returning(Directive.id).run())[0]["id"]
        expected: set[tuple[str, int]] = set()
        for i, d in enumerate(divisions):
            rows = [Task(directive=directive, title=f"Nhiệm vụ {i}-{j}", lead_division=d, due_on=due_on, original_due_on=due_on,
                         deadline_version=1, state="open", created_at=now, updated_at=now) for j in range(tasks_per_email)]
            for r in await Task.insert(*rows).returning(Task.id).run():
                expected.add((f"head{i:03}@bench.example.vn", r["id"]))
        return expected
    finally:
        await db.close()


async def outbox_states(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return {r["state"]: r["n"] for r in await conn.fetch("SELECT state, count(*) AS n FROM notification GROUP BY state")}
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> int:
    now = datetime.now(timezone.utc)
    await reset_postgres(args.url)
    migrate(args.url)
    expected = await seed(args.url, args.emails, args.tasks_per_email, now)
    sink = SlowSink(args.per_message)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {"DONDOC_DATABASE_URL": args.url, "DONDOC_SMTP_URL": f"smtp://127.0.0.1:{controller.port}", "DONDOC_BASE_URL": BASE_URL}
    instances = [ServeProcess(f"instance{i}", env, Path(args.logs), Path(args.app_root)) for i in range(2)]
    for instance in instances:
        instance.start()
    started = time.monotonic()
    print(f"slow_smtp: {len(expected)} notifications for {args.emails} recipients, {args.per_message:g} s a message, "
          f"two instances of {args.app_root}", flush=True)
    try:
        while time.monotonic() - started < args.timeout:
            await asyncio.sleep(10)
            states = await outbox_states(args.url)
            print(f"  {time.monotonic() - started:6.0f} s: emails received {sink.emails}, outbox {states}", flush=True)
            settled = states and not states.get("pending") and time.monotonic() - sink.last_at > 3 * args.per_message
            if settled and sum(states.values()) >= len(expected):
                break
    finally:
        for instance in instances:
            instance.stop()
        controller.stop()
    received = Counter(sink.links)
    twice = sum(n - 1 for n in received.values() if n > 1)
    missing = len(expected - set(received))
    print(f"slow_smtp: {sink.emails} emails in {time.monotonic() - started:.0f} s; notifications received twice: {twice}; "
          f"never received: {missing}; outbox: {await outbox_states(args.url)}")
    return 0 if twice == 0 and missing == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL database this run may empty")
    parser.add_argument("--emails", type=int, default=250)
    parser.add_argument("--tasks-per-email", type=int, default=34)
    parser.add_argument("--per-message", type=float, default=4.0, help="seconds the server takes per message")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds")
    parser.add_argument("--app-root", default=str(ROOT), help="the checkout whose `dondoc serve` runs")
    parser.add_argument("--logs", default="var/bench-slow-smtp", help="where the instances' logs go")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
