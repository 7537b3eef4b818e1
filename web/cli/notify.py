"""`dondoc escalate` and `dondoc digest`: one pass as of any time, or a dry run that prints the plan
and writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from notify.mailer import mailer_from_url
from notify.passes import Notifier
from tasks.dates import format_date, format_datetime
from tasks.formatting import format_percent
from tasks.reports import Rate
from web.cli.db import connected
from web.clock import SystemClock
from web.settings import Settings


def parse_as_of(value: str | None, timezone: str) -> datetime:
    """ISO time; without an offset it is read as province time. Absent: the wall clock."""
    if not value:
        return SystemClock().now()
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--as-of: not an ISO time: {value!r} (e.g. 2026-11-24T09:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(timezone))


def _local(at: datetime, timezone: str) -> str:
    return format_datetime(at, ZoneInfo(timezone))


async def _with_notifier(settings: Settings, work):
    async with connected(settings) as db:
        # Leases are measured in real time whatever the pass's "as of": serving instances may
        # share the outbox with this run.
        notifier = Notifier(db, mailer_from_url(settings.smtp_url), timezone=settings.timezone,
                            base_url=settings.base_url, mail_from=settings.mail_from,
                            lease=settings.outbox_lease, link_key=settings.secret_key, clock=SystemClock())
        return await work(notifier)


def print_plan(preview: dict, at: datetime, timezone: str) -> None:
    print(f"dondoc escalate: dry run as of {_local(at, timezone)} ({timezone}); nothing is written or sent")
    if preview["quiet"]:
        print("outside working hours: a pass now would plan and send nothing")
        return
    planned = preview["planned"]
    by_recipient: dict[str, list[dict]] = {}
    for p in planned:
        by_recipient.setdefault(p["recipient"], []).append(p)
    print(f"{len(planned)} new notifications in {len(by_recipient)} emails (one per recipient):")
    for username in sorted(by_recipient, key=lambda u: by_recipient[u][0]["name"]):
        rows = by_recipient[username]
        first = rows[0]
        print(f"\n  {first['name']} <{first['email']}> ({username}): {len(rows)} tasks")
        for p in sorted(rows, key=lambda p: (p["due_on"], p["task"])):
            cc = "  (cc)" if p["role"] == "cc" else ""
            print(f"    {p['rule']:<10} #{p['task']:<6} due {format_date(p['due_on'])}  {p['title']}{cc}")
    if preview["waiting"]:
        print(f"\n{preview['waiting']} notifications already in the outbox would also be sent (or retried).")


def cmd_escalate(settings: Settings, args: argparse.Namespace) -> int:
    try:
        at = parse_as_of(args.as_of, settings.timezone)
    except ValueError as exc:
        print(f"dondoc escalate: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        preview = asyncio.run(_with_notifier(settings, lambda n: n.preview(at)))
        print_plan(preview, at, settings.timezone)
        return 0
    result = asyncio.run(_with_notifier(settings, lambda n: n.run_pass(at)))
    if result.quiet:
        print(f"dondoc escalate: {_local(at, settings.timezone)} is outside working hours; nothing planned or sent")
        return 0
    s = result.send
    webhooks = f", {s.webhooks_sent} webhook calls" if s.webhooks_sent else ""
    print(f"dondoc escalate: {result.planned} new notifications planned; {s.emails_sent} emails{webhooks} sent ({s.sent} notifications), "
          f"{s.retried} to retry, {s.failed} failed, {s.skipped} skipped"
          + (f", {s.taken_over} left to another instance" if s.taken_over else ""))
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    try:
        at = parse_as_of(args.as_of, settings.timezone)
    except ValueError as exc:
        print(f"dondoc digest: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        preview = asyncio.run(_with_notifier(settings, lambda n: n.preview_digest(at)))
        payload = preview["payload"]
        print(f"dondoc digest: dry run as of {_local(at, settings.timezone)}; nothing is written or sent")
        s, rate = payload["summary"], payload["summary"]["rates"]["completion_of_due"]
        print(f"week of {payload['monday']}: {payload['overdue_total']} overdue tasks; {s['assigned']} assigned, "
              f"{s['done_on_time']} done on time, {s['done_late']} done late, completion (of tasks fallen due) "
              f"{format_percent(Rate(rate['numerator'], rate['denominator']).value, 'en')}")
        for d in payload["divisions"]:
            print(f"\n  {d['name']} ({len(d['tasks'])})")
            for t in d["tasks"]:
                print(f"    #{t['id']:<6} {t['days_overdue']:>3} working days overdue  {t['title']}")
        names = ", ".join(p["username"] for p in preview["leaders"]) or "nobody (already sent this week, or no leader with an email)"
        print(f"\nwould be sent to: {names}")
        return 0
    result = asyncio.run(_with_notifier(settings, lambda n: n.run_digest(at)))
    s = result.send
    print(f"dondoc digest: {result.planned} digests planned; {s.emails_sent} emails sent, {s.retried} to retry, {s.failed} failed")
    return 0


def add_notify_commands(sub) -> None:
    escalate = sub.add_parser("escalate", help="run one escalation pass (plan and send reminders)")
    escalate.add_argument("--as-of", metavar="ISO-TIME", help="run as of this time (province time unless it has an offset)")
    escalate.add_argument("--dry-run", action="store_true", help="print what would be sent; write and send nothing")
    escalate.set_defaults(func=cmd_escalate)
    digest = sub.add_parser("digest", help="send the weekly overdue digest to the leaders")
    digest.add_argument("--as-of", metavar="ISO-TIME", help="run as of this time (province time unless it has an offset)")
    digest.add_argument("--dry-run", action="store_true", help="print the digest; write and send nothing")
    digest.set_defaults(func=cmd_digest)
