"""The scheduled jobs: `run_pass(now)` (plan, then send, every minute) and `run_digest(now)` (Monday
07:00). The scheduler only calls them; tests and the CLI call them directly with any `now`. Any
number of processes may run them at once: the outbox makes each notification go out once."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta


from notify import digest, outbox, update_requests
from notify.config import load_director, load_ladder
from notify.ladder import Ladder
from notify.mailer import Mailer
from notify.sender import SendResult, send_claimed
from notify.tables import Notification, bind_notify_tables
from notify.transport import Transport
from notify.webhook_transport import WebhookTransport
from tasks.calendar import WorkingCalendar
from tasks.calendar_days import load_calendar
from tasks.clock import Clock, FixedClock
from tasks.db import Db
from tasks.tables import Task, User

log = logging.getLogger("dondoc.notify")


@dataclass
class PassResult:
    at: datetime
    quiet: bool = False  # outside working hours: nothing was planned or sent
    planned: int = 0
    send: SendResult = field(default_factory=SendResult)
    # Seconds spent deciding and writing, and claiming and sending (for the logs and the benchmark).
    planning_s: float = 0.0
    sending_s: float = 0.0

    def summary(self) -> dict:
        return {"at": self.at.isoformat(), "quiet": self.quiet, "planned": self.planned, **asdict(self.send)}


class Notifier:
    """`clock` measures leases while a batch is sent (the app's clock); without one, time stands at
    each pass's `now`, which is right for a single process run "as of" a moment. `link_key` (the
    secret key) signs the one-tap links in the heads' emails; without it there are none. `webhooks`
    is the transport of the webhook rows (a WebhookTransport unless given)."""

    def __init__(self, db: Db, mailer: Mailer, *, timezone: str, base_url: str, mail_from: str,
                 lease: timedelta = outbox.LEASE, clock: Clock | None = None, link_key: str | None = None,
                 webhooks: Transport | None = None) -> None:
        self.db, self.mailer, self.clock, self.link_key = db, mailer, clock, link_key
        self.webhooks = webhooks or WebhookTransport()
        self.timezone, self.base_url, self.mail_from, self.lease = timezone, base_url.rstrip("/"), mail_from, lease
        bind_notify_tables(db.engine)

    async def _context(self) -> tuple[WorkingCalendar, Ladder]:
        return await load_calendar(self.timezone), await load_ladder()

    async def run_pass(self, now: datetime) -> PassResult:
        """Write what fell due, then send what is ready. Outside working hours it does nothing:
        what falls due then waits for the next pass inside them."""
        calendar, ladder = await self._context()
        result = PassResult(at=now)
        if not ladder.hours.contains(now, calendar):
            result.quiet = True
            return result
        started = time.perf_counter()
        director = await load_director()
        result.planned = await outbox.plan_and_write(self.db, now, calendar, ladder, director.user_id)
        result.planned += await outbox.queue_notices(self.db, now)
        planned = time.perf_counter()
        result.send = await self.send_ready(now, calendar, outbox.KINDS)
        result.planning_s, result.sending_s = planned - started, time.perf_counter() - planned
        return result

    async def run_digest(self, now: datetime) -> PassResult:
        calendar = await load_calendar(self.timezone)
        result = PassResult(at=now)
        payload = await digest.digest_payload(now, calendar, self.base_url)
        result.planned = await digest.write_digest(payload, now)
        result.send = await self.send_ready(now, calendar, ("digest",))
        return result

    async def run_update_request(self, now: datetime) -> PassResult:
        """The update request to the heads (Fridays, by the scheduler), then a send. On a day off
        or outside working hours it does nothing."""
        calendar, ladder = await self._context()
        result = PassResult(at=now)
        if not ladder.hours.contains(now, calendar):
            result.quiet = True
            return result
        result.planned = await update_requests.write_requests(now, calendar, self.base_url)
        result.send = await self.send_ready(now, calendar, ("request",))
        return result

    async def send_ready(self, now: datetime, calendar: WorkingCalendar, kinds: tuple[str, ...]) -> SendResult:
        total = SendResult()
        clock = self.clock or FixedClock(now)
        while True:
            claimed_at = clock.now()
            token, ids = await outbox.claim(self.db, now, kinds, self.lease, claimed_at)
            if not ids:
                return total
            lease = outbox.Lease(token, clock, self.lease, claimed_at, set(ids))
            try:
                total.add(await send_claimed(lease, now, self.mailer, calendar, self.base_url, self.mail_from, self.link_key,
                                            self.webhooks))
            except Exception as exc:  # one bad batch must not crash-loop the sender: push it back
                log.exception("sending notifications %s failed", ids[:10])
                rows = await Notification.select(Notification.id, Notification.attempts).where(
                    Notification.id.is_in(ids) & (Notification.claim_token == token) & (Notification.state == "pending")).run()
                await outbox.mark_retry(rows, token, now, f"internal error: {exc}")
                total.retried += len(rows)
                return total

    # --- dry runs: read only ------------------------------------------------------------------

    async def preview(self, now: datetime) -> dict:
        """What a pass at `now` would write and send, without writing anything."""
        calendar, ladder = await self._context()
        if not ladder.hours.contains(now, calendar):
            return {"quiet": True, "planned": [], "waiting": 0}
        director = await load_director()
        planned = await outbox.plan(now, calendar, ladder, await outbox.load_people(director.user_id))
        waiting = await Notification.count().where(
            (Notification.state == "pending") & (Notification.next_attempt_at <= now)
            & (Notification.claimed_at.is_null() | (Notification.claimed_at < now - self.lease))
        ).run()
        return {"quiet": False, "planned": await _describe(planned), "waiting": waiting}

    async def preview_digest(self, now: datetime) -> dict:
        calendar = await load_calendar(self.timezone)
        payload = await digest.digest_payload(now, calendar, self.base_url)
        version = int(payload["monday"].replace("-", ""))
        already = {r["recipient"] for r in await Notification.select(Notification.recipient).where(
            (Notification.kind == "digest") & (Notification.deadline_version == version)).run()}
        return {"payload": payload, "leaders": [p for p in await digest.leaders() if p["id"] not in already]}


async def _describe(planned: list[outbox.Planned]) -> list[dict]:
    if not planned:
        return []
    users = {u["id"]: u for u in await User.select(User.id, User.username, User.full_name, User.email).where(
        User.id.is_in(list({p.recipient_id for p in planned}))).run()}
    tasks = {t["id"]: t for t in await Task.select(Task.id, Task.title, Task.due_on).where(
        Task.id.is_in(list({p.task_id for p in planned}))).run()}
    return [
        {"recipient": users[p.recipient_id]["username"], "name": users[p.recipient_id]["full_name"], "email": users[p.recipient_id]["email"],
         "role": p.role, "rule": p.rule, "task": p.task_id, "title": tasks[p.task_id]["title"], "due_on": tasks[p.task_id]["due_on"]}
        for p in planned
    ]
