"""A notice for every change: each event of the table in issue 11 reaches exactly the people it
concerns, once, by a real SMTP server, in their language, with the reason or the note; it waits
for working hours; and it is in each recipient's inbox in the app, theirs alone."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from notify.mailer import SmtpMailer
from notify.passes import Notifier
from notify.tables import Notification
from tasks import extensions, lifecycle, notices
from tasks.calendar_days import load_calendar
from tasks.tables import Notice, User

from escalation_support import BASE_URL, TASK_LINK, ZONE, Department, local
from test_escalation_processes import passes_at_once

MONDAY = date(2026, 3, 2)
DUE = date(2026, 3, 31)  # far enough that no ladder rule is due during these tests


@pytest.fixture
async def dept(db, clock) -> Department:
    clock.at = local(MONDAY, 9)
    return await Department(db, clock).build()


@pytest.fixture
async def calendar(db):
    return await load_calendar(ZONE)


class Told:
    """Runs a pass and says who was told what by it: {(username, kind, role)}, and each email."""

    def __init__(self, db, sink, clock) -> None:
        self.db, self.sink, self.clock = db, sink, clock
        self.seen = 0

    async def __call__(self) -> set[tuple[str, str, str]]:
        self.clock.advance(timedelta(minutes=1))
        await Notifier(self.db, SmtpMailer(self.sink.url), timezone=ZONE, base_url=BASE_URL,
                       mail_from="dondoc@sct.example.vn").run_pass(self.clock.now())
        rows = await Notification.select(Notification.id, Notification.rule, Notification.role, Notification.state,
                                         Notification.recipient.username.as_alias("username")).where(
            (Notification.kind == "notice") & (Notification.id > self.seen)).order_by(Notification.id).run()
        if rows:
            self.seen = rows[-1]["id"]
        assert {r["state"] for r in rows} <= {"sent"}
        return {(r["username"], r["rule"], r["role"]) for r in rows}

    def mail_to(self, dept: Department, username: str) -> str:
        """The plain text of the last email to `username`."""
        return self.sink.to(dept.address(username))[-1].get_body(("plain",)).get_content()


@pytest.fixture
def told(db, sink, clock) -> Told:
    return Told(db, sink, clock)


HEADS = {"truong.qlnl", "pho.qlnl"}


def to(usernames, kind, role="to") -> set:
    return {(u, kind, role) for u in usernames}


async def test_an_assigned_task_reaches_its_heads_and_the_assignee_and_copies_the_supporting_division(db, dept, calendar, told):
    from tasks import register

    await register.record_directive(db, dept.actors["vanphong"], dept.clock.now(), calendar, register.NewDirective(
        number="300/UBND-KT", issuer="UBND tỉnh"), [register.NewTask(
            title="Kiểm tra an toàn điện", lead_division="QLNL", support_divisions=("QLTM",), leader_in_charge="pgd.hai",
            assignee="pho.qlnl", due_on=DUE)])
    assert await told() == to(HEADS, "assigned") | to({"truong.qltm"}, "assigned", "cc")
    assert "Nhiệm vụ mới giao đơn vị chủ trì" in told.mail_to(dept, "truong.qlnl")
    assert "New task your division supports" in told.mail_to(dept, "truong.qltm")  # she reads English
    assert await told() == set()  # once


async def test_each_change_reaches_exactly_the_people_it_concerns_with_its_reason(db, dept, calendar, told, clock):
    office, head, leader, director = (dept.actors[u] for u in ("vanphong", "truong.qlnl", "pgd.hai", "giamdoc"))
    task_id = await dept.task(calendar, DUE)  # announced already: lead QLNL, leader in charge pgd.hai
    now = clock.now

    await lifecycle.assign(db, office, now(), task_id, lead_division="QLTM", support_divisions=["QLNL"], leader_in_charge="pgd.hai", assignee=None)
    assert await told() == to({"truong.qltm"}, "reassigned") | to(HEADS, "reassigned", "cc")
    await lifecycle.assign(db, office, now(), task_id, lead_division="QLNL", support_divisions=[], leader_in_charge="pgd.hai", assignee=None)
    assert await told() == to(HEADS, "reassigned")

    ext = await extensions.request_extension(db, head, now(), calendar, task_id, date(2026, 4, 15), "Chờ số liệu của EVN")
    assert await told() == {("pgd.hai", "extension_requested", "to"), ("vanphong", "extension_requested", "cc")}
    assert "Xin gia hạn đến 15/04/2026" in told.mail_to(dept, "pgd.hai") and "Chờ số liệu của EVN" in told.mail_to(dept, "pgd.hai")

    await extensions.decide_extension(db, leader, now(), ext["id"], True, "Đồng ý, không gia hạn thêm")
    assert await told() == to(HEADS, "extension_approved") | {("vanphong", "extension_approved", "cc")}
    assert "Đồng ý gia hạn: hạn mới là 15/04/2026" in told.mail_to(dept, "truong.qlnl")
    assert "Đồng ý, không gia hạn thêm" in told.mail_to(dept, "truong.qlnl")

    ext = await extensions.request_extension(db, head, now(), calendar, task_id, date(2026, 4, 30), "Thêm thời gian khảo sát")
    await told()
    await extensions.decide_extension(db, leader, now(), ext["id"], False, "Không đủ lý do")
    assert await told() == to(HEADS, "extension_refused") | {("vanphong", "extension_refused", "cc")}
    assert "Không đủ lý do" in told.mail_to(dept, "pho.qlnl")

    await lifecycle.correct(db, office, now(), calendar, task_id, "Sai ngày khi nhập", {"due_on": date(2026, 4, 20)})
    assert await told() == to(HEADS | {"pgd.hai"}, "deadline_corrected")
    assert "Văn phòng điều chỉnh hạn thành 20/04/2026" in told.mail_to(dept, "pgd.hai") and "Sai ngày khi nhập" in told.mail_to(dept, "pgd.hai")
    await lifecycle.correct(db, office, now(), calendar, task_id, "Sửa chính tả", {"title": "Kiểm tra an toàn điện mùa khô"})
    assert await told() == set()  # not a deadline: nobody is bothered

    await lifecycle.report_progress(db, head, now(), task_id, 50, "Đã khảo sát 3 huyện")
    assert await told() == set()  # progress is not a notice
    await lifecycle.submit(db, head, now(), calendar, task_id, "Đã gửi báo cáo")
    assert await told() == {("vanphong", "done_submitted", "to")}
    await lifecycle.return_task(db, office, now(), task_id, "Thiếu số liệu huyện Gio Linh")
    assert await told() == to(HEADS, "returned")
    assert "Văn phòng trả lại" in told.mail_to(dept, "pho.qlnl") and "Thiếu số liệu huyện Gio Linh" in told.mail_to(dept, "pho.qlnl")

    await lifecycle.pause(db, director, now(), task_id, "Chờ chủ trương mới")
    assert await told() == to(HEADS, "task_paused")
    await lifecycle.resume(db, director, now(), task_id, "Đã có chủ trương")
    assert await told() == to(HEADS, "task_resumed")
    await lifecycle.submit(db, head, now(), calendar, task_id, "Đã bổ sung")
    await told()
    await lifecycle.confirm(db, office, now(), task_id)
    assert await told() == to(HEADS | {"pgd.hai"}, "done_confirmed")


async def test_an_extension_without_a_leader_in_charge_goes_to_the_director_and_a_cancel_to_both_divisions(db, dept, calendar, told, clock):
    task_id = await dept.task(calendar, DUE, leader=None)
    await lifecycle.assign(db, dept.actors["vanphong"], clock.now(), task_id, lead_division="QLNL", support_divisions=["QLTM"],
                           leader_in_charge=None, assignee=None)
    await told()
    await extensions.request_extension(db, dept.actors["pho.qlnl"], clock.now(), calendar, task_id, date(2026, 4, 15), "Chờ EVN")
    assert await told() == {("giamdoc", "extension_requested", "to"), ("vanphong", "extension_requested", "cc")}
    await lifecycle.cancel(db, dept.actors["giamdoc"], clock.now(), task_id, "UBND tỉnh thu hồi văn bản")
    assert await told() == to(HEADS, "task_cancelled") | to({"truong.qltm"}, "task_cancelled")
    assert "UBND tỉnh thu hồi văn bản" in told.mail_to(dept, "truong.qltm")


async def test_a_notice_made_after_hours_waits_for_the_morning(db, dept, calendar, told, clock):
    clock.at = local(MONDAY, 19)
    await dept.task(calendar, DUE, announced=False)
    assert await told() == set()
    clock.at = local(MONDAY + timedelta(days=1), 7, 30)
    assert await told() == to(HEADS, "assigned")


async def test_someone_without_an_address_still_finds_the_notice_in_the_inbox(db, dept, calendar, told):
    await User.update({User.email: ""}).where(User.username == "pho.qlnl").run()
    task_id = await dept.task(calendar, DUE, announced=False)
    assert await told() == {("truong.qlnl", "assigned", "to")}
    box = await notices.inbox(dept.actors["pho.qlnl"])
    assert [(i["kind"], i["task"]) for i in box["items"]] == [("assigned", task_id)] and box["unread"] == 1


async def test_two_processes_passing_at_once_mail_each_notice_once(db, dept, calendar, database_url, sink):
    from tasks import register

    await register.record_directive(db, dept.actors["vanphong"], dept.clock.now(), calendar, register.NewDirective(
        number="301/UBND-KT", issuer="UBND tỉnh"), [
        register.NewTask(title=f"Nhiệm vụ {i}", lead_division="QLNL" if i % 2 else "QLTM", support_divisions=("QLTM",) if i % 2 else (),
                         leader_in_charge=None, due_on=DUE) for i in range(60)])
    summaries = passes_at_once(database_url, sink.url, dept.clock.now() + timedelta(minutes=1), claim_recipients=1)

    expected = await Notice.count().run()
    assert expected == 30 * 2 + 30 * 1 + 30 * 1  # QLNL's two heads and QLTM copied on 30; QLTM's head on the other 30
    received = Counter((rcpt, int(task)) for rcpt, m in sink.received for task in TASK_LINK.findall(m.get_body(("plain",)).get_content()))
    assert sum(received.values()) == expected and set(received.values()) == {1}
    assert sum(s["planned"] for s in summaries) == expected
    assert await Notification.count().where((Notification.kind == "notice") & (Notification.state == "sent")).run() == expected
