"""One recipient's trouble never holds back the rest of a batch: rows that are all stale and
undeliverable are skipped without a crash (on SQLite too), and an email that cannot be written
(an address that is no address) is retried alone while everyone else's mail goes out."""

from __future__ import annotations

from datetime import date, timedelta

from notify.mailer import SmtpMailer
from notify.passes import Notifier
from notify.tables import Notification
from tasks.calendar_days import load_calendar
from tasks.tables import Task, User

from escalation_support import BASE_URL, ZONE, Department, local

TUESDAY = date(2026, 3, 3)
FRIDAY = date(2026, 3, 6)  # remind_3 falls due on TUESDAY


def instance(db, sink) -> Notifier:
    return Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn")


async def due_for_three_heads(db, clock) -> list[int]:
    clock.at = local(TUESDAY, 9)
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    return [await dept.task(calendar, FRIDAY), await dept.task(calendar, FRIDAY, lead="QLTM")]


async def test_a_batch_of_only_stale_rows_for_an_inactive_recipient_is_skipped_not_pushed_back(db, clock, sink):
    task_ids = await due_for_three_heads(db, clock)
    sink.replies = {"truong.qlnl@sct.example.vn": "451 try later", "pho.qlnl@sct.example.vn": "451 try later",
                    "truong.qltm@sct.example.vn": "451 try later"}
    first = await instance(db, sink).run_pass(clock.now())
    assert first.send.retried == 3  # all three wait for the server
    # Meanwhile every task is cancelled and one of the heads has left.
    await Task.update({Task.state: "cancelled"}).where(Task.id.is_in(task_ids)).run()
    await User.update({User.active: False}).where(User.username == "truong.qltm").run()
    sink.replies = {}

    clock.advance(timedelta(minutes=5))  # past the first back-off
    second = await instance(db, sink).run_pass(clock.now())

    assert (second.send.skipped, second.send.retried, second.send.emails_sent) == (3, 0, 0)
    states = await Notification.select(Notification.state).run()
    assert [s["state"] for s in states] == ["skipped"] * 3
    assert sink.received == []


async def test_an_email_that_cannot_be_written_is_retried_alone(db, clock, sink):
    await due_for_three_heads(db, clock)
    # An address that went into the database before the door checked it.
    await User.update({User.email: "pho qlnl"}).where(User.username == "pho.qlnl").run()

    result = await instance(db, sink).run_pass(clock.now())

    assert sorted(rcpt for rcpt, _ in sink.received) == ["truong.qlnl@sct.example.vn", "truong.qltm@sct.example.vn"]
    assert (result.send.emails_sent, result.send.sent, result.send.retried) == (2, 2, 1)
    waiting = await Notification.select(Notification.recipient.username.as_alias("username"), Notification.last_error).where(
        Notification.state == "pending").run()
    assert [w["username"] for w in waiting] == ["pho.qlnl"]
    assert "could not be written" in waiting[0]["last_error"]
