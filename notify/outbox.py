"""The outbox: deciding which notifications are due and writing them (ON CONFLICT DO NOTHING), then
claiming them for sending with a lease, and recording how sending went.

Exactly-once rests on the database, never on "check, then act" across processes: the unique key
(task, rule, deadline_version, recipient) makes a second decision of the same notification a no-op,
and a claim is one conditional UPDATE that only one process can win for a given row (SQLite
serialises writers with BEGIN IMMEDIATE; PostgreSQL locks the rows FOR UPDATE SKIP LOCKED). A claim
is a lease: a row claimed by a process that died is claimable again once the lease has expired.
The lease is renewed while a batch is sent (Lease), and a row is marked only by the claim that
still holds it, so a batch that outlasts its lease is neither taken over nor recorded twice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from piccolo.query.mixins import WhereRaw

from notify.ladder import URGED_STATES, Ladder, Rule, due_on_window, due_rules
from notify.tables import Notification
from notify.webhooks import load_hooks, with_webhooks
from tasks.calendar import WorkingCalendar
from tasks.clock import Clock
from tasks.db import Db
from tasks.notices import addressed
from tasks.tables import Notice, Task, User

KINDS = ("task", "notice", "digest", "request")  # ladder reminders, notices of changes, the weekly digest, update requests
LEASE = timedelta(minutes=10)
CLAIM_RECIPIENTS = 200  # recipients per claimed batch: all of a recipient's due rows come together
INSERT_CHUNK = 5000
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class TaskRow:
    id: int
    state: str
    due_on: date | None
    deadline_version: int
    lead_division: int
    leader_in_charge: int | None
    assignee: int | None


@dataclass(frozen=True)
class Planned:
    task_id: int
    rule: str
    deadline_version: int
    recipient_id: int
    role: str  # "to" | "cc"
    due_day: date


@dataclass
class People:
    """Who can receive mail (active, with an address), by the roles the ladder speaks of."""

    heads: dict[int, list[int]] = field(default_factory=dict)  # division id -> head user ids
    office: list[int] = field(default_factory=list)
    reachable: set[int] = field(default_factory=set)
    director: int | None = None


async def load_people(director: int | None) -> People:
    rows = await User.select(User.id, User.role, User.division, User.email).where(
        (User.active == True) & (User.email != "")  # noqa: E712
    ).order_by(User.id).run()
    people = People(director=director)
    for r in rows:
        people.reachable.add(r["id"])
        if r["role"] == "head" and r["division"] is not None:
            people.heads.setdefault(r["division"], []).append(r["id"])
        elif r["role"] == "office":
            people.office.append(r["id"])
    return people


def recipients(rule: Rule, task: TaskRow, people: People) -> list[tuple[int, str]]:
    """(user id, "to"|"cc") for one rule and task; someone both in to and cc gets it as "to"."""

    def users(kind: str) -> list[int]:
        if kind == "lead_head":
            return people.heads.get(task.lead_division, [])
        if kind == "assignee":
            return [task.assignee] if task.assignee else []
        if kind == "leader_in_charge":
            return [task.leader_in_charge] if task.leader_in_charge else []
        if kind == "director":
            return [people.director] if people.director else []
        if kind == "office":
            return people.office
        raise ValueError(kind)

    return addressed(rule.to, rule.cc, users, people.reachable.__contains__)


async def plan(now: datetime, calendar: WorkingCalendar, ladder: Ladder, people: People) -> list[Planned]:
    """What is due at `now` and not yet in the outbox. Reads only; outside working hours, nothing.

    The query narrows by state and by the `due_on` window the ladder can reach today
    (notify.ladder.due_on_window); due_rules() then decides each candidate exactly.
    """
    if not ladder.hours.contains(now, calendar):
        return []
    today = calendar.today(now)
    window = due_on_window(today, calendar, ladder)
    if window is None:
        return []
    after, until = window
    candidates = (Task.state.is_in(list(URGED_STATES))) & (Task.due_on > after) & (Task.due_on <= until)
    rows = await Task.select(
        Task.id, Task.state, Task.due_on, Task.deadline_version, Task.lead_division, Task.leader_in_charge, Task.assignee
    ).where(candidates).order_by(Task.id).run()
    if not rows:
        return []
    sent: dict[tuple[int, int], set[str]] = {}
    for n in await Notification.select(Notification.task, Notification.rule, Notification.deadline_version).where(
        Notification.task.is_in(Task.select(Task.id).where(candidates))
    ).run():
        sent.setdefault((n["task"], n["deadline_version"]), set()).add(n["rule"])
    planned = []
    decided: dict[tuple, list[Rule]] = {}  # the rules depend only on these, and many tasks share them
    for r in rows:
        task = TaskRow(**r)
        already = frozenset(sent.get((task.id, task.deadline_version), ()))
        key = (task.state, task.due_on, already)
        if key not in decided:
            decided[key] = due_rules(task, now, calendar, ladder, already)
        for rule in decided[key]:
            planned += [Planned(task.id, rule.name, task.deadline_version, user_id, role, today) for user_id, role in recipients(rule, task, people)]
    planned.sort(key=lambda p: (p.task_id, p.rule, p.deadline_version, p.recipient_id))
    return planned


_INSERT_COLUMNS = ("kind, task, rule, deadline_version, recipient, role, due_day, channel, webhook, state, created_at, next_attempt_at, "
                   "attempts, claim_token, message_id, last_error")
# The unique key of rows about a task (migrations/notify, 2026-12-02T14): an email row has no
# webhook, and COALESCE makes that a value, so two email rows of one key conflict.
_ON_CONFLICT = "ON CONFLICT (task, rule, deadline_version, recipient, channel, COALESCE(webhook, 0)) DO NOTHING RETURNING id"
# The planned rows travel as one JSON document per statement, unpacked by the database: thousands
# of rows cost one parameter, not thousands.
_INSERT_SQLITE = (
    f"INSERT INTO notification ({_INSERT_COLUMNS}) "
    "SELECT j.value ->> '$.kind', j.value ->> '$.task', j.value ->> '$.rule', j.value ->> '$.deadline_version', j.value ->> '$.recipient', "
    "j.value ->> '$.role', j.value ->> '$.due_day', j.value ->> '$.channel', j.value ->> '$.webhook', 'pending', {}, {}, 0, '', '', '' "
    "FROM json_each({}) AS j WHERE true "
    + _ON_CONFLICT
)
_INSERT_POSTGRES = (
    f"INSERT INTO notification ({_INSERT_COLUMNS}) "
    "SELECT x.kind, x.task, x.rule, x.deadline_version, x.recipient, x.role, x.due_day, x.channel, x.webhook, 'pending', {}, {}, 0, '', '', '' "
    "FROM jsonb_to_recordset({}::jsonb) AS x(kind text, task integer, rule text, deadline_version integer, recipient integer, role text, "
    "due_day date, channel text, webhook integer) "
    + _ON_CONFLICT
)


async def write_plan(db: Db, planned: list[Planned], now: datetime) -> int:
    """Insert planned rows, and the webhook rows that go with them; a row another pass already
    wrote is skipped (ON CONFLICT DO NOTHING on the unique key). Returns how many were new."""
    return await _insert(db, [
        {"kind": "task", "task": p.task_id, "rule": p.rule, "deadline_version": p.deadline_version, "recipient": p.recipient_id,
         "role": p.role, "due_day": p.due_day.isoformat()}
        for p in planned
    ], now)


def _key(row: dict) -> tuple:
    return (row["task"] or 0, row["rule"], row["deadline_version"], row["recipient"], row["channel"], row["webhook"] or 0)


async def _insert(db: Db, rows: list[dict], now: datetime) -> int:
    """Email rows (dicts of the columns that vary) and, for the active webhooks, theirs
    (notify.webhooks), in the order of the unique key, so concurrent passes inserting the same keys
    wait on each other in one sequence instead of deadlocking."""
    if not rows:
        return 0
    rows = sorted(with_webhooks(rows, await load_hooks()), key=_key)
    sql = _INSERT_SQLITE if db.is_sqlite else _INSERT_POSTGRES
    inserted = 0
    for i in range(0, len(rows), INSERT_CHUNK):
        inserted += len(await Notification.raw(sql, now, now, json.dumps(rows[i : i + INSERT_CHUNK])).run())
    return inserted


async def queue_notices(db: Db, now: datetime) -> int:
    """Turn the notices no pass has queued yet into outbox rows, for the recipients who have an
    active account with an address; the others keep them in their inbox only. A notice row's rule
    is the notice's kind and its deadline_version holds the audit event's id, so the outbox's
    unique key is (event, recipient) for them and two passes queue a notice once. Returns how
    many rows were new."""
    queued = 0
    while True:
        async with db.transaction():
            query = Notice.select(Notice.id, Notice.user, Notice.event, Notice.task, Notice.kind, Notice.role).where(
                Notice.queued_at.is_null()).order_by(Notice.id).limit(INSERT_CHUNK)
            if not db.is_sqlite:  # a second pass at the same moment takes other notices, not these
                query = query.lock_rows("UPDATE", skip_locked=True)
            notices = await query.run()
            if not notices:
                return queued
            reachable = {u["id"] for u in await User.select(User.id).where(
                User.id.is_in(sorted({n["user"] for n in notices})) & (User.active == True) & (User.email != "")).run()}  # noqa: E712
            queued += await _insert(db, [
                {"kind": "notice", "task": n["task"], "rule": n["kind"], "deadline_version": n["event"], "recipient": n["user"], "role": n["role"]}
                for n in notices if n["user"] in reachable
            ], now)
            await Notice.update({Notice.queued_at: now}).where(_ids_of(Notice, [n["id"] for n in notices])).run()


async def plan_and_write(db: Db, now: datetime, calendar: WorkingCalendar, ladder: Ladder, director: int | None) -> int:
    """Decide and write in one transaction, as the outbox pattern wants."""
    async with db.transaction():
        people = await load_people(director)
        return await write_plan(db, await plan(now, calendar, ladder, people), now)


# --- claiming ---------------------------------------------------------------------------------

_READY = "state = 'pending' AND next_attempt_at <= {} AND (claimed_at IS NULL OR claimed_at < {})"


async def claim(db: Db, now: datetime, kinds: tuple[str, ...] = KINDS, lease: timedelta = LEASE,
                claimed_at: datetime | None = None) -> tuple[str, list[int]]:
    """Claim every ready row of up to CLAIM_RECIPIENTS recipients. Returns (claim token, ids).

    Ready: pending, its next attempt is due at the pass's `now`, and unclaimed or claimed longer
    ago than the lease at `claimed_at` (the clock's time when the claim is made, which is what
    leases are measured in; by default `now`). Only the rows this call changed are returned;
    another process claiming at the same moment gets other rows or none.
    """
    token = str(uuid.uuid4())
    claimed_at = claimed_at or now
    stale = claimed_at - lease
    kinds_sql = ", ".join(f"'{k}'" for k in kinds if k in KINDS)
    ready = f"{_READY} AND kind IN ({kinds_sql})"
    if db.is_sqlite:
        sql = (
            f"UPDATE notification SET claimed_at = {{}}, claim_token = {{}} WHERE {ready} AND recipient IN "
            f"(SELECT DISTINCT recipient FROM notification WHERE {ready} ORDER BY recipient LIMIT {CLAIM_RECIPIENTS}) RETURNING id"
        )
        async with db.transaction():
            rows = await Notification.raw(sql, claimed_at, token, now, stale, now, stale).run()
    else:
        # ARRAY(…) is evaluated once, so the update finds its rows by primary key whatever the
        # planner believes about a table that grew a moment ago.
        sql = (
            "UPDATE notification SET claimed_at = {}, claim_token = {} WHERE id = ANY(ARRAY("
            f"SELECT id FROM notification WHERE {ready} AND recipient = ANY(ARRAY("
            f"SELECT DISTINCT recipient FROM notification WHERE {ready} ORDER BY recipient LIMIT {CLAIM_RECIPIENTS})) "
            "FOR UPDATE SKIP LOCKED)) RETURNING id"
        )
        async with db.transaction():
            rows = await Notification.raw(sql, claimed_at, token, now, stale, now, stale).run()
    return token, sorted(r["id"] for r in rows)


async def renew(token: str, at: datetime) -> set[int]:
    """Stamp this claim's rows with `at`, extending their lease; returns the ids it still holds
    (rows another process claimed after the lease ran out carry that process's token)."""
    rows = await Notification.update({Notification.claimed_at: at}).where(
        (Notification.claim_token == token) & (Notification.state == "pending") & Notification.claimed_at.is_not_null()
    ).returning(Notification.id).run()
    return {r["id"] for r in rows}


@dataclass
class Lease:
    """A claim held while its batch is sent. `holds(ids)` is asked before each email: once a third
    of the lease has passed it renews the claim, then says whether these rows are still this
    claim's, so no other process can take over a batch that is still being sent."""

    token: str
    clock: Clock
    length: timedelta
    renewed_at: datetime
    held: set[int]

    async def holds(self, ids: list[int]) -> bool:
        at = self.clock.now()
        if at - self.renewed_at >= self.length / 3:
            self.held = await renew(self.token, at)
            self.renewed_at = at
        return all(i in self.held for i in ids)


def _ids_of(table, ids: list[int]):
    """`id IN (…)`; on PostgreSQL one array parameter, so every batch reuses one prepared statement."""
    if table._meta.db.engine_type == "postgres":
        return WhereRaw("id = ANY({})", list(ids))
    return table.id.is_in(list(ids))


def _ids(ids: list[int]):
    return _ids_of(Notification, ids)


async def mark_sent(ids: list[int], token: str, now: datetime, message_id: str) -> int:
    """Each mark_… changes only the rows this claim still holds and returns how many it changed."""
    return await _mark(ids, token, {
        Notification.state: "sent", Notification.sent_at: now, Notification.message_id: message_id,
        Notification.attempts: Notification.attempts + 1, Notification.claimed_at: None, Notification.last_error: "",
    })


async def mark_failed(ids: list[int], token: str, message_id: str, error: str) -> int:
    return await _mark(ids, token, {
        Notification.state: "failed", Notification.message_id: message_id, Notification.attempts: Notification.attempts + 1,
        Notification.claimed_at: None, Notification.last_error: error[:2000],
    })


def backoff(attempts_before: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most an hour, after the n-th failed attempt."""
    return min(BACKOFF_BASE * (2 ** min(attempts_before, 16)), BACKOFF_MAX)


async def mark_retry(rows: list[dict], token: str, now: datetime, error: str) -> int:
    """Release the claim and try again later, each row after its own back-off."""
    by_attempts: dict[int, list[int]] = {}
    for r in rows:
        by_attempts.setdefault(r["attempts"], []).append(r["id"])
    changed = 0
    for attempts, ids in by_attempts.items():
        changed += await _mark(ids, token, {
            Notification.attempts: attempts + 1, Notification.next_attempt_at: now + backoff(attempts),
            Notification.claimed_at: None, Notification.last_error: error[:2000],
        })
    return changed


async def mark_skipped(ids: list[int], token: str, reason: str) -> int:
    return await _mark(ids, token, {Notification.state: "skipped", Notification.claimed_at: None, Notification.last_error: reason})


async def _mark(ids: list[int], token: str, values: dict) -> int:
    if not ids:  # Piccolo refuses an empty IN (…), and there is nothing to change
        return 0
    rows = await Notification.update(values).where(
        _ids(ids) & (Notification.claim_token == token) & (Notification.state == "pending")
    ).returning(Notification.id).run()
    return len(rows)
