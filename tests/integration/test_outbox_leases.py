"""A batch that takes longer to send than its lease: the sender renews its claim, so no other
instance takes the batch over, and a claim that did run out records nothing it no longer holds.
Two Notifiers on one database stand for two app instances; one clock stands for the time both see."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import date, timedelta

from notify import outbox
from notify.mailer import SmtpMailer
from notify.passes import Notifier
from notify.tables import Notification

from escalation_support import BASE_URL, ZONE, Department, local
from tasks.calendar_days import load_calendar

TUESDAY = date(2026, 3, 3)
FRIDAY = date(2026, 3, 6)  # remind_3 falls due on TUESDAY
MINUTES_PER_MESSAGE = timedelta(minutes=6)  # three messages outlast the 10-minute lease


class SlowServer:
    """Makes every message take MINUTES_PER_MESSAGE of the shared clock, and holds the n-th one
    back until the test lets it through."""

    def __init__(self, clock, hold: int) -> None:
        self.clock, self.hold = clock, hold
        self.arrived = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def __call__(self) -> None:
        self.arrived += 1
        self.clock.advance(MINUTES_PER_MESSAGE)
        if self.arrived == self.hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)


async def until(event: threading.Event) -> None:
    for _ in range(3000):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the slow server never saw the message it was to hold")


def instance(db, sink, clock) -> Notifier:
    return Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn", clock=clock)


async def three_recipients_due(db, clock) -> Department:
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    await dept.task(calendar, FRIDAY)  # QLNL: two heads
    await dept.task(calendar, FRIDAY, lead="QLTM")  # QLTM: one head
    return dept


async def test_a_batch_outlasting_its_lease_is_not_taken_over_by_another_instance(db, clock, sink):
    clock.at = local(TUESDAY, 9)
    await three_recipients_due(db, clock)
    server = sink.on_data = SlowServer(clock, hold=3)
    first, second = instance(db, sink, clock), instance(db, sink, clock)

    sending = asyncio.create_task(first.run_pass(clock.now()))
    await until(server.holding)  # 18 minutes into the batch; the third email is on the wire
    meanwhile = await second.run_pass(clock.now())
    server.release.set()
    result = await sending

    assert meanwhile.send.emails_sent == 0 and meanwhile.send.sent == 0
    assert Counter(sink.task_links()).most_common(1)[0][1] == 1  # nobody got a task twice
    assert len(sink.received) == 3
    assert (result.send.emails_sent, result.send.sent, result.send.taken_over) == (3, 3, 0)
    assert await Notification.count().where(Notification.state == "sent").run() == 3


async def test_a_claim_that_ran_out_records_nothing_it_no_longer_holds(db, clock, sink):
    """The first instance stalls for longer than the lease inside its first message (nothing can
    renew then); the second takes the whole batch over and sends it. The first then withholds what
    it lost and counts it as taken over, not as sent."""
    clock.at = local(TUESDAY, 9)
    await three_recipients_due(db, clock)
    server = sink.on_data = SlowServer(clock, hold=1)
    first, second = instance(db, sink, clock), instance(db, sink, clock)

    sending = asyncio.create_task(first.run_pass(clock.now()))
    await until(server.holding)
    clock.advance(timedelta(minutes=15))  # the first message hangs past the lease
    server.hold = 0  # the second instance's messages go straight through
    taken = await second.run_pass(clock.now())
    server.release.set()
    result = await sending

    rows = await Notification.select(Notification.recipient, Notification.state).run()
    assert [r["state"] for r in rows] == ["sent"] * 3
    assert (taken.send.sent, result.send.sent, result.send.taken_over) == (3, 0, 3)
    # The first message was already on the wire when the lease ran out: it and the second
    # instance's copy of it are the only duplicate a server stalled past the lease can cause.
    assert len(sink.received) == 4


async def test_lease_renewal_only_touches_this_claims_pending_rows(db, clock):
    clock.at = local(TUESDAY, 9)
    await three_recipients_due(db, clock)
    calendar = await load_calendar(ZONE)
    from notify.config import load_director, load_ladder

    await outbox.plan_and_write(db, clock.now(), calendar, await load_ladder(), (await load_director()).user_id)
    token, ids = await outbox.claim(db, clock.now())
    assert len(ids) == 3
    await outbox.mark_sent(ids[:1], token, clock.now(), "<m@x>")
    later = clock.now() + timedelta(minutes=4)
    assert await outbox.renew(token, later) == set(ids[1:])
    assert await outbox.renew("another-token", later) == set()
    claimed = {r["id"]: r["claimed_at"] for r in await Notification.select(Notification.id, Notification.claimed_at).run()}
    assert claimed[ids[0]] is None
