"""Exactly once across OS processes: two senders at the same moment over thousands of due
notifications, and a sender killed in the middle of a batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path


from notify.tables import Notification

from escalation_support import Sink, bulk_department, local

WORKER = Path(__file__).with_name("escalation_worker.py")
ROOT = Path(__file__).resolve().parents[2]
# Tasks due Friday 06/03/2026; on Wednesday 11/03 overdue_3 is due: to the leader in charge, cc the head.
DUE = date(2026, 3, 6)
AS_OF = local(date(2026, 3, 11), 9)


def start_worker(database_url: str, smtp_url: str, as_of, mode: str = "pass", claim_recipients: int = 3) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), database_url, smtp_url, as_of.isoformat(), mode, str(claim_recipients)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def passes_at_once(database_url: str, smtp_url: str, as_of, claim_recipients: int = 3) -> list[dict]:
    """Two worker processes start a pass at the same moment; their summaries."""
    workers = [start_worker(database_url, smtp_url, as_of, claim_recipients=claim_recipients) for _ in range(2)]
    for w in workers:
        w.stdin.write("go\n")
        w.stdin.flush()
    summaries = []
    for w in workers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        summaries.append(json.loads(out.strip().splitlines()[-1]))
    return summaries


def expected_pairs(world: dict, sink: Sink) -> Counter:
    address = {uid: f"leader{i}@sct.example.vn" for i, uid in enumerate(world["leader_ids"])}
    heads = {d: f"head{i:03}@sct.example.vn" for i, d in enumerate(world["division_ids"])}
    pairs = Counter()
    for task in world["task_ids"]:
        pairs[(address[world["leader_of_task"][task]], task)] += 1
        pairs[(heads[world["division_of_task"][task]], task)] += 1
    return pairs


async def test_two_processes_sending_at_once_deliver_every_notification_exactly_once(db, database_url, sink):
    world = await bulk_department(AS_OF, divisions=40, leaders=5, tasks_per_division=28, due_on=DUE)
    summaries = passes_at_once(database_url, sink.url, AS_OF)

    expected = expected_pairs(world, sink)
    assert len(expected) == 2240
    received = Counter(sink.task_links())
    assert received == expected  # every one arrived, none twice
    assert sum(s["planned"] for s in summaries) == 2240  # decided once, whoever decided it
    assert sum(s["sent"] for s in summaries) == 2240
    assert len(sink.received) == 45  # one email per recipient
    assert await Notification.count().where(Notification.state == "sent").run() == 2240


async def test_a_sender_killed_mid_batch_leaves_its_rows_to_be_sent_once_the_lease_expires(db, database_url, sink):
    world = await bulk_department(AS_OF, divisions=6, leaders=2, tasks_per_division=5, due_on=DUE)
    doomed = start_worker(database_url, sink.url, AS_OF, mode="die", claim_recipients=100)
    doomed.stdin.write("go\n")
    doomed.stdin.flush()
    assert doomed.stdout.readline().strip() == "sent-one"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert len(sink.received) == 1
    claimed = await Notification.count().where((Notification.state == "pending") & Notification.claimed_at.is_not_null()).run()
    assert claimed == 60 - len(sink.task_links())

    # Within the lease nobody touches the dead sender's rows.
    early = start_worker(database_url, sink.url, AS_OF + timedelta(minutes=5))
    out, err = early.communicate("go\n", timeout=60)
    assert early.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["sent"] == 0 and len(sink.received) == 1

    late = start_worker(database_url, sink.url, AS_OF + timedelta(minutes=11))
    out, err = late.communicate("go\n", timeout=60)
    assert late.returncode == 0, err
    assert Counter(sink.task_links()) == expected_pairs(world, sink)
    assert len(sink.received) == 8
    assert await Notification.count().where(Notification.state == "sent").run() == 60
