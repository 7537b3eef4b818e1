"""The Friday update request: at 14:00 each head whose division has running tasks nobody reported
on in 7 days gets one email listing those, and only those; a division whose tasks were all
updated hears nothing; the list is what the update rate counts as not updated."""

from __future__ import annotations

from datetime import date, datetime, timezone

from notify.mailer import MemoryMailer, SmtpMailer
from notify.passes import Notifier
from notify.scheduler import build_scheduler
from tasks import lifecycle
from tasks.calendar_days import load_calendar
from tasks.clock import FixedClock
from tasks.reports import completion_report

from escalation_support import BASE_URL, TASK_LINK, ZONE, Department, local

FRIDAY = date(2026, 3, 6)


def instance(db, sink) -> Notifier:
    return Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn")


async def test_heads_with_stale_tasks_are_asked_once_and_the_others_not_at_all(db, clock, sink):
    clock.at = local(date(2026, 2, 20), 9)
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    updated = await dept.task(calendar, date(2026, 4, 30), title="Kiểm tra chợ Tết")
    stale = await dept.task(calendar, date(2026, 4, 30), title="Rà soát lưới điện nông thôn")
    elsewhere = await dept.task(calendar, date(2026, 4, 30), title="Báo cáo giá xăng dầu", lead="QLTM")
    await lifecycle.report_progress(db, dept.actors["truong.qlnl"], local(date(2026, 3, 4), 10), updated, 40, "Đã kiểm tra 3 chợ")
    await lifecycle.report_progress(db, dept.actors["truong.qltm"], local(date(2026, 3, 5), 10), elsewhere, 60, "Đã tổng hợp giá")
    await lifecycle.report_progress(db, dept.actors["pho.qlnl"], local(date(2026, 2, 24), 10), stale, 10, "Bắt đầu")  # 10 days ago

    result = await instance(db, sink).run_update_request(local(FRIDAY, 14))

    assert result.planned == 2 and result.send.emails_sent == 2
    assert sorted(rcpt for rcpt, _ in sink.received) == [dept.address("pho.qlnl"), dept.address("truong.qlnl")]
    mail = sink.to(dept.address("truong.qlnl"))[0]
    assert [int(t) for t in TASK_LINK.findall(mail.get_body(("plain",)).get_content())] == [stale]
    assert "Rà soát lưới điện nông thôn" in mail.get_body(("html",)).get_content() and "1" in mail["Subject"]
    # One question, one answer: what the request lists is what the update rate counts as not updated.
    report = await completion_report(None, calendar, local(FRIDAY, 14))
    qlnl = next(r for r in report.rows if r.key == dept.division_ids["QLNL"])
    assert qlnl.tally.open_tasks - qlnl.tally.updated == 1

    again = await instance(db, sink).run_update_request(local(FRIDAY, 14, 5))
    assert again.planned == 0 and len(sink.received) == 2


async def test_a_friday_off_asks_nobody(db, clock, sink):
    clock.at = local(date(2026, 4, 10), 9)
    dept = await Department(db, clock).build()
    await dept.task(await load_calendar(ZONE), date(2026, 5, 30))
    result = await instance(db, sink).run_update_request(local(date(2026, 5, 1), 14))  # Labour Day, a Friday
    assert result.quiet and sink.received == []


def test_the_scheduler_asks_on_friday_at_14_province_time(db):
    thursday = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)
    notifier = Notifier(db, MemoryMailer(), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn")
    fire = build_scheduler(notifier, FixedClock(thursday), ZONE, ("fri", 14, 0)).get_job("update_request").trigger.get_next_fire_time(None, thursday)
    assert fire.astimezone(timezone.utc) == local(FRIDAY, 14)
    assert build_scheduler(notifier, FixedClock(thursday), ZONE, None).get_job("update_request") is None
