"""Urging and escalation by email, received by a real SMTP server: what is sent, to whom, when,
and what happens when the mail server is down, busy or refuses."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest

from notify.mailer import MailError, MemoryMailer, SmtpMailer
from notify.passes import Notifier
from notify.tables import Notification
from tasks import lifecycle
from tasks.calendar_days import load_calendar
from tasks.tables import AuditEvent
from web.auth import issue_token

from escalation_support import BASE_URL, ZONE, Department, local

MAIL_FROM = "Văn phòng Sở <dondoc@sct.example.vn>"
TUESDAY = date(2026, 3, 3)
FRIDAY = date(2026, 3, 6)  # three working days after TUESDAY: remind_3 is due on TUESDAY


@pytest.fixture
async def dept(db, clock) -> Department:
    return await Department(db, clock).build()


@pytest.fixture
async def calendar(db):
    return await load_calendar(ZONE)


def notifier(db, mailer) -> Notifier:
    return Notifier(db, mailer, timezone=ZONE, base_url=BASE_URL, mail_from=MAIL_FROM)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"smtp://127.0.0.1:{port}"


async def rows(**where) -> list[dict]:
    query = Notification.select(Notification.all_columns(), Notification.recipient.username.as_alias("username"))
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return await query.order_by(Notification.id).run()


async def test_a_division_head_receives_a_vietnamese_reminder_with_both_parts_and_a_link_to_the_task(db, dept, calendar, sink):
    task_id = await dept.task(calendar, FRIDAY, title="Rà soát phương án cung ứng điện mùa khô năm 2026")
    english_task = await dept.task(calendar, FRIDAY, title="Kiểm tra niêm yết giá tại chợ", lead="QLTM")

    result = await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9))

    assert (result.planned, result.send.emails_sent) == (3, 3)
    [message] = sink.to(dept.address("truong.qlnl"))
    assert message["Subject"] == "[Đôn đốc] Còn 3 ngày làm việc đến hạn: Rà soát phương án cung ứng điện mùa khô năm 2026"
    assert message["From"].addresses[0].addr_spec == "dondoc@sct.example.vn"
    assert message["From"].addresses[0].display_name == "Văn phòng Sở"
    assert message["To"].addresses[0].display_name == "Trần Văn Năng"
    assert message["Date"].datetime == local(TUESDAY, 9)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi đồng chí Trần Văn Năng," in text
    assert "Rà soát phương án cung ứng điện mùa khô năm 2026" in text and "Hạn xử lý: 06/03/2026" in text
    assert f"{BASE_URL}/tasks/{task_id}" in text
    assert f'<a href="{BASE_URL}/tasks/{task_id}">Rà soát phương án cung ứng điện mùa khô năm 2026</a>' in html
    assert "Còn 3 ngày làm việc đến hạn" in html
    # The deputy head of the division is a head too, and gets their own copy.
    assert len(sink.to(dept.address("pho.qlnl"))) == 1
    # A head who chose English reads English.
    [english] = sink.to(dept.address("truong.qltm"))
    assert english["Subject"] == "[dondoc] Due in 3 working days: Kiểm tra niêm yết giá tại chợ"
    assert f"{BASE_URL}/tasks/{english_task}" in english.get_body(("plain",)).get_content()
    # The Message-ID is recorded with the notification it carried.
    [row] = await rows(task=task_id, recipient=dept.actors["truong.qlnl"].id)
    assert (row["state"], row["rule"], row["message_id"]) == ("sent", "remind_3", message["Message-ID"])

    again = await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9, 1))
    assert (again.planned, again.send.emails_sent, len(sink.received)) == (0, 0, 3)


async def test_one_recipient_with_five_due_tasks_gets_one_email_listing_them_all(db, dept, calendar, sink):
    dues = [date(2026, 3, 12), FRIDAY, date(2026, 3, 4), TUESDAY, date(2026, 3, 2)]  # remind_7, remind_3, remind_1, due_today, overdue_1
    ids = [await dept.task(calendar, due, title=f"Nhiệm vụ số {i}") for i, due in enumerate(dues)]

    await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9))

    [message] = sink.to(dept.address("truong.qlnl"))
    assert message["Subject"] == "[Đôn đốc] 5 nhiệm vụ cần đồng chí quan tâm"
    linked = [task for rcpt, task in sink.task_links() if rcpt == dept.address("truong.qlnl")]
    assert sorted(linked) == sorted(ids)
    assert {r["rule"] for r in await rows(recipient=dept.actors["truong.qlnl"].id)} == {
        "remind_7", "remind_3", "remind_1", "due_today", "overdue_1"}
    # The office is copied on the overdue one only.
    [office] = sink.to(dept.address("vanphong"))
    assert "Để đồng chí biết (đồng gửi):" in office.get_body(("plain",)).get_content()
    assert [t for r, t in sink.task_links() if r == dept.address("vanphong")] == [ids[4]]


async def test_nothing_is_planned_or_sent_outside_working_hours_and_it_waits_for_the_morning(db, dept, calendar):
    await dept.task(calendar, FRIDAY)
    mailer = MemoryMailer()
    saturday = date(2026, 3, 7)
    for at in (local(TUESDAY, 6, 0), local(TUESDAY, 7, 29), local(date(2026, 3, 2), 17, 0), local(saturday, 10)):
        result = await notifier(db, mailer).run_pass(at)
        assert result.quiet and result.planned == 0
    assert await Notification.count().run() == 0 and mailer.sent == []

    result = await notifier(db, mailer).run_pass(local(TUESDAY, 7, 30))
    assert not result.quiet and result.send.emails_sent == 2


async def test_after_downtime_only_the_highest_due_rule_of_each_task_is_sent(db, dept, calendar):
    task_id = await dept.task(calendar, FRIDAY)
    mailer = MemoryMailer()
    # Down from before remind_7 until Thursday 12/03: overdue_1 (09/03) and overdue_3 (11/03) were missed.
    result = await notifier(db, mailer).run_pass(local(date(2026, 3, 12), 8))
    sent = await rows(task=task_id)
    assert {(r["rule"], r["username"], r["role"]) for r in sent} == {
        ("overdue_3", "pgd.hai", "to"), ("overdue_3", "truong.qlnl", "cc"), ("overdue_3", "pho.qlnl", "cc")}
    assert result.send.emails_sent == 3


async def test_the_mail_server_down_for_a_pass_then_up_delivers_everything_once(db, dept, calendar, sink):
    await dept.task(calendar, FRIDAY)
    await dept.task(calendar, TUESDAY)
    down = await notifier(db, SmtpMailer(closed_port_url(), timeout=2)).run_pass(local(TUESDAY, 9))
    assert (down.send.emails_sent, down.send.retried) == (0, 4)
    pending = await rows()
    assert {(r["state"], r["attempts"]) for r in pending} == {("pending", 1)}
    assert all(r["next_attempt_at"] == local(TUESDAY, 9, 1) for r in pending)
    assert "cannot connect" in pending[0]["last_error"]

    too_early = await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9, 0) + timedelta(seconds=30))
    assert too_early.send.emails_sent == 0 and sink.received == []

    up = await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9, 2))
    assert up.send.emails_sent == 2
    later = await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 10))
    assert later.send.emails_sent == 0
    assert sorted(rcpt for rcpt, _ in sink.received) == [dept.address("pho.qlnl"), dept.address("truong.qlnl")]
    assert sorted(sink.task_links()) == sorted(set(sink.task_links()))
    assert {r["state"] for r in await rows()} == {"sent"}


async def test_a_temporary_refusal_is_retried_with_growing_back_off(db, dept, calendar, sink):
    await dept.task(calendar, FRIDAY)
    busy = dept.address("truong.qlnl")
    sink.replies[busy] = "450 4.2.1 Mailbox busy, try later"
    mailer = SmtpMailer(sink.url)
    await notifier(db, mailer).run_pass(local(TUESDAY, 9))
    [row] = await rows(recipient=dept.actors["truong.qlnl"].id)
    assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, local(TUESDAY, 9, 1))
    assert row["last_error"].startswith("450")
    await notifier(db, mailer).run_pass(local(TUESDAY, 9, 1))
    [row] = await rows(recipient=dept.actors["truong.qlnl"].id)
    assert (row["attempts"], row["next_attempt_at"]) == (2, local(TUESDAY, 9, 3))

    del sink.replies[busy]
    await notifier(db, mailer).run_pass(local(TUESDAY, 9, 3))
    assert len(sink.to(busy)) == 1
    [row] = await rows(recipient=dept.actors["truong.qlnl"].id)
    assert row["state"] == "sent"
    assert len(sink.to(dept.address("pho.qlnl"))) == 1  # not held back by the other's trouble


async def test_a_permanent_refusal_is_marked_failed_and_listed_by_the_api(db, dept, calendar, sink, client, settings, clock):
    task_id = await dept.task(calendar, FRIDAY)
    sink.replies[dept.address("truong.qlnl")] = "550 5.1.1 No such mailbox"
    await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 9))
    await notifier(db, SmtpMailer(sink.url)).run_pass(local(TUESDAY, 11))
    [row] = await rows(recipient=dept.actors["truong.qlnl"].id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("failed", 1, "550 5.1.1 No such mailbox")

    def auth(username):
        return {"Authorization": f"Bearer {issue_token(dept.actors[username], clock.now(), settings.secret_key, 12)}"}

    r = await client.get("/api/v1/notifications", params={"state": "failed"}, headers=auth("quantri"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert (item["task"], item["recipient"], item["rule"], item["last_error"]) == (task_id, "truong.qlnl", "remind_3", "550 5.1.1 No such mailbox")
    sent = (await client.get("/api/v1/notifications", params={"task": task_id, "state": "sent"}, headers=auth("truong.qlnl"))).json()
    assert [i["recipient"] for i in sent["items"]] == ["pho.qlnl"]
    # Another division's head sees nothing of this task's mail.
    assert (await client.get("/api/v1/notifications", headers=auth("truong.qltm"))).json() == {"items": [], "total": 0}
    by_recipient = (await client.get("/api/v1/notifications", params={"recipient": "pho.qlnl"}, headers=auth("giamdoc"))).json()
    assert by_recipient["total"] == 1
    bad = await client.get("/api/v1/notifications", params={"state": "lost"}, headers=auth("quantri"))
    assert bad.status_code == 422


async def test_a_task_walked_through_its_ladder_gets_each_mail_on_the_right_day_until_extended_and_completed(db, dept, calendar, clock):
    # Due Thursday 30/04/2026, a holiday: effectively due Monday 04/05 after 30/4, 1/5 and a weekend.
    clock.at = local(date(2026, 4, 10), 9)
    task_id = await dept.task(calendar, date(2026, 4, 30))
    mailer = MemoryMailer()
    seen: dict[date, set] = {}

    async def walk(first: date, last: date) -> None:
        day = first
        while day <= last:
            before = {r["id"] for r in await rows()}
            await notifier(db, mailer).run_pass(local(day, 9))
            new = [r for r in await rows() if r["id"] not in before]
            if new:
                seen[day] = {(r["rule"], r["username"], r["role"]) for r in new}
            day += timedelta(days=1)

    heads = lambda rule, role="to": {(rule, "truong.qlnl", role), (rule, "pho.qlnl", role)}  # noqa: E731
    await walk(date(2026, 4, 17), date(2026, 5, 18))  # 8 working days before to 10 after
    assert seen == {
        date(2026, 4, 20): heads("remind_7"),
        date(2026, 4, 24): heads("remind_3"),   # Giỗ Tổ (26–27/4) and 30/4–1/5 are not working days
        date(2026, 4, 29): heads("remind_1"),
        date(2026, 5, 4): heads("due_today"),
        date(2026, 5, 5): heads("overdue_1") | {("overdue_1", "vanphong", "cc")},
        date(2026, 5, 7): {("overdue_3", "pgd.hai", "to")} | heads("overdue_3", "cc"),
        date(2026, 5, 13): {("overdue_7", "giamdoc", "to"), ("overdue_7", "pgd.hai", "cc")},
    }
    assert len(mailer.sent) == 2 + 2 + 2 + 2 + 3 + 3 + 2
    assert {r["state"] for r in await rows()} == {"sent"}

    # The deadline has passed, so no extension: the office moves it to Friday 29/05 (the task stays
    # counted late against 04/05), and the ladder starts afresh towards the new date.
    now = local(date(2026, 5, 19), 10)
    await lifecycle.correct(db, dept.actors["vanphong"], now, calendar, task_id, "UBND tỉnh cho lùi hạn", {"due_on": date(2026, 5, 29)})
    seen.clear()
    await walk(date(2026, 5, 19), date(2026, 5, 27))
    assert seen == {date(2026, 5, 19): heads("deadline_corrected") | {("deadline_corrected", "pgd.hai", "to")},  # the same day
                    date(2026, 5, 20): heads("remind_7"), date(2026, 5, 26): heads("remind_3")}
    assert {r["deadline_version"] for r in await rows(rule="remind_7")} == {1, 2}

    # Submitted, then confirmed: the ladder stops; the office hears of the submission and the
    # division and the leader of the confirmation, at the next pass.
    await lifecycle.submit(db, dept.actors["truong.qlnl"], local(date(2026, 5, 27), 15), calendar, task_id, "Đã hoàn thành", None)
    seen.clear()
    await walk(date(2026, 5, 28), date(2026, 6, 1))
    await lifecycle.confirm(db, dept.actors["vanphong"], local(date(2026, 6, 1), 10), task_id)
    await walk(date(2026, 6, 2), date(2026, 6, 12))
    assert seen == {date(2026, 5, 28): {("done_submitted", "vanphong", "to")},
                    date(2026, 6, 2): heads("done_confirmed") | {("done_confirmed", "pgd.hai", "to")}}


async def test_a_pending_reminder_for_a_task_completed_meanwhile_is_not_sent(db, dept, calendar):
    task_id = await dept.task(calendar, FRIDAY)
    await notifier(db, MemoryMailer(fail_with=MailError("421 down"))).run_pass(local(TUESDAY, 9))
    await lifecycle.submit(db, dept.actors["truong.qlnl"], local(TUESDAY, 10), calendar, task_id, "Xong", None)
    mailer = MemoryMailer()
    result = await notifier(db, mailer).run_pass(local(TUESDAY, 11))
    assert result.send.skipped == 2  # the two heads' reminders
    assert [m["To"].addresses[0].username for m in mailer.sent] == ["vanphong"]  # the office hears of the submission
    assert sorted((r["rule"], r["state"]) for r in await rows()) == [("done_submitted", "sent"), ("remind_3", "skipped"), ("remind_3", "skipped")]


async def test_the_admin_edits_the_ladder_and_the_director_and_the_change_is_audited(db, dept, calendar, client, settings, clock):
    def auth(username):
        return {"Authorization": f"Bearer {issue_token(dept.actors[username], clock.now(), settings.secret_key, 12)}"}

    r = await client.get("/api/v1/settings/escalation", headers=auth("quantri"))
    assert r.status_code == 200, r.text
    current = r.json()
    assert [rule["name"] for rule in current["rules"]] == ["remind_7", "remind_3", "remind_1", "due_today", "overdue_1", "overdue_3", "overdue_7"]
    assert current["working_hours"] == {"start": "07:30", "end": "17:00"}
    assert (current["director"], current["effective_director"]) == (None, "giamdoc")

    assert (await client.get("/api/v1/settings/escalation", headers=auth("giamdoc"))).status_code == 403
    body = {**{k: current[k] for k in ("rules", "catch_up_days")}, "working_hours": {"start": "08:00", "end": "16:30"}, "director": "pgd.hai"}
    assert (await client.put("/api/v1/settings/escalation", json=body, headers=auth("vanphong"))).status_code == 403

    r = await client.put("/api/v1/settings/escalation", json=body, headers=auth("quantri"))
    assert r.status_code == 200, r.text
    assert (r.json()["working_hours"], r.json()["director"], r.json()["effective_director"]) == ({"start": "08:00", "end": "16:30"}, "pgd.hai", "pgd.hai")
    [event] = await AuditEvent.select().where(AuditEvent.action == "update_escalation_settings").run()
    assert event["actor_username"] == "quantri"

    twice = {**body, "rules": [*body["rules"], {"name": "nhac_lai", "offset": 3, "to": ["office"], "cc": []}]}
    r = await client.put("/api/v1/settings/escalation", json=twice, headers=auth("quantri"))
    assert r.status_code == 422
    assert r.json()["message"] == "Hai quy tắc không được rơi vào cùng một ngày làm việc (3)."
    assert "rules[7].offset" in r.json()["fields"]
    r = await client.put("/api/v1/settings/escalation", json={**body, "director": "truong.qlnl"}, headers=auth("quantri"))
    assert r.status_code == 422 and "truong.qlnl" in r.json()["message"] and "director" in r.json()["fields"]

    # The new hours and director are what the next pass uses.
    await dept.task(calendar, TUESDAY)
    assert (await notifier(db, MemoryMailer()).run_pass(local(TUESDAY, 7, 45))).quiet
    await notifier(db, MemoryMailer()).run_pass(local(date(2026, 3, 12), 9))
    assert {r["username"] for r in await rows(rule="overdue_7")} == {"pgd.hai"}
