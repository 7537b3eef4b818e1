"""One overdue list and one way to print a rate: the Monday digest, the leader's home and the report
page show the same overdue tasks, in the same order, with the same last notes and the same
percentages (the 64-task department of report_fixture, as of Tuesday 03/03/2026 09:00)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from notify.digest import digest_payload
from notify.mailer import MemoryMailer
from notify.passes import Notifier
from notify.tables import Notification
from tasks.calendar_days import load_calendar
from tasks.overdue import overdue_list
from tasks.state import TaskState
from tasks.tables import Task
from tests.integration.report_fixture import AS_OF, add_progress, department  # noqa: F401  (a fixture)
from tests.integration.test_pages import Browser

ZONE = "Asia/Ho_Chi_Minh"
BASE_URL = "http://dondoc.test"
LEADER_PASSWORD = "mat-khau-dai"  # as report_fixture creates its leaders
BEFORE, AFTER = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc), datetime(2026, 3, 3, 5, 0, tzinfo=timezone.utc)  # AS_OF is 02:00 UTC
OVERDUE_TABLE = re.compile(r'<table class="tasks overdue-list">(.*?)</table>', re.S)


def task_links(html: str) -> list[int]:
    [table] = OVERDUE_TABLE.findall(html)
    return [int(i) for i in re.findall(r'href="/tasks/(\d+)"', table)]


@pytest.fixture
async def busy_department(department):
    """The department, with what made the three lists disagree: several progress reports per task
    (some after the as-of time), a submission after the as-of day, a task assigned after the as-of
    time, and deadlines on a weekend and in the Tết holiday."""
    t = department["tasks"]
    await add_progress(t[3][2], datetime(2026, 2, 26, 3, 0, tzinfo=timezone.utc), "Lần 1: đã lập kế hoạch")
    await add_progress(t[3][2], BEFORE, "Lần 2: đã họp với Điện lực")
    await add_progress(t[3][2], AFTER, "Sau giờ giao ban: không tính")
    await add_progress(t[20][0], datetime(2026, 2, 10, 3, 0, tzinfo=timezone.utc), "Trước Tết: đang tổng hợp")
    await add_progress(t[20][0], datetime(2026, 3, 4, 3, 0, tzinfo=timezone.utc), "Ngày mai: không tính")
    await add_progress(t[13][0], BEFORE, "Đã gửi báo cáo")
    await add_progress(t[13][0], AFTER, "Văn phòng đang xem: không tính")
    # Submitted on Thursday 05/03, after the as-of day: as of Tuesday it was still in progress.
    await Task.update({Task.state: TaskState.SUBMITTED, Task.completed_on: date(2026, 3, 5), Task.percent: 100}).where(Task.id == t[3][3]).run()
    # Due Wednesday 18/02, in the Tết holiday: the effective deadline is Monday 23/02.
    await Task.update({Task.due_on: date(2026, 2, 18)}).where(Task.id == t[4][1]).run()
    directive = department["directives"]["UBND tỉnh"]
    late_comer = (await Task.insert(Task(directive=directive, title="Giao sau giờ giao ban", lead_division=department["divisions"]["VP"],
                                         due_on=date(2026, 2, 20), original_due_on=date(2026, 2, 20), state=TaskState.OPEN,
                                         created_at=AFTER, updated_at=AFTER)).returning(Task.id).run())[0]["id"]
    return {**department, "late_comer": late_comer}


def rows_of(items) -> list[tuple]:
    return [(i.task_id, i.working_days_overdue, i.last_note, i.last_note_on and i.last_note_on.isoformat()) for i in items]


def digest_rows(payload: dict) -> list[tuple]:
    return [(t["id"], t["days_overdue"], t["last_note"], t["last_note_on"]) for d in payload["divisions"] for t in d["tasks"]]


async def test_the_digest_lists_the_reports_overdue_tasks_in_its_order_with_its_last_notes(busy_department):
    t = busy_department["tasks"]
    calendar = await load_calendar(ZONE)
    payload = await digest_payload(AS_OF, calendar, BASE_URL)
    report = await overdue_list(None, calendar, AS_OF)

    # By division, in the list's own order within each: the report's list grouped by division.
    assert digest_rows(payload) == rows_of(await overdue_list(None, calendar, AS_OF, group_by="division"))
    for division in payload["divisions"]:
        assert [task["id"] for task in division["tasks"]] == [i.task_id for i in report if i.division_code == division["code"]]
    assert [d["code"] for d in payload["divisions"]] == ["KHTC", "QLNL", "QLTM", "VP"]
    assert payload["overdue_total"] == len(report) == payload["summary"]["overdue"]

    tasks = {task["id"]: task for d in payload["divisions"] for task in d["tasks"]}
    assert (tasks[t[3][2]]["last_note"], tasks[t[3][2]]["last_note_on"]) == ("Lần 2: đã họp với Điện lực", "2026-03-02")
    assert tasks[t[20][0]]["last_note"] == "Trước Tết: đang tổng hợp"
    assert tasks[t[13][0]]["last_note"] == "Đã gửi báo cáo" and tasks[t[13][0]]["days_overdue"] == 3  # submitted late on 02/03
    assert tasks[t[3][3]]["days_overdue"] == 2  # due Fri 27/02, submitted after the as-of day: 02/03 and 03/03
    assert (tasks[t[4][1]]["due_on"], tasks[t[4][1]]["effective_due_on"]) == ("2026-02-18", "2026-02-23")
    assert busy_department["late_comer"] not in tasks


async def test_the_digest_email_reads_the_tasks_in_that_order_with_those_notes(db, busy_department):
    calendar = await load_calendar(ZONE)
    report = await overdue_list(None, calendar, AS_OF, group_by="division")
    mailer = MemoryMailer()
    result = await Notifier(db, mailer, timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn").run_digest(AS_OF)
    assert result.planned == 2 and len(mailer.sent) == 2
    [message] = [m for m in mailer.sent if "giamdoc@" in m["To"]]
    text = message.get_body(("plain",)).get_content()
    assert [int(i) for i in re.findall(rf"{BASE_URL}/tasks/(\d+)", text)] == [i.task_id for i in report]
    for item in report:
        if item.last_note:
            assert f"Tiến độ gần nhất: {item.last_note} ({item.last_note_on:%d/%m/%Y})" in text
    assert "không tính" not in text
    assert await Notification.count().where(Notification.kind == "digest").run() == 2


async def test_the_leader_page_lists_the_same_overdue_tasks_in_the_same_order_as_the_report_page(busy_department, app):
    browser = Browser(app)
    await browser.sign_in("giamdoc", LEADER_PASSWORD)
    leader, reports = (await browser.get("/leader")).text, (await browser.get("/reports")).text
    await browser.close()
    expected = [i.task_id for i in await overdue_list(None, await load_calendar(ZONE), AS_OF)]
    assert task_links(leader) == task_links(reports) == expected and len(expected) == 12
    assert "Lần 2: đã họp với Điện lực" in leader and "Sau giờ giao ban" not in leader


async def test_a_rate_reads_the_same_on_the_leader_page_the_report_page_and_in_the_digest(department, app, db):
    # 21 done of 33 fallen due; 21 of 58 assigned and not stopped; 15 on time of 21 done.
    browser = Browser(app)
    await browser.sign_in("giamdoc", LEADER_PASSWORD)
    leader, reports = (await browser.get("/leader")).text, (await browser.get("/reports")).text
    await browser.close()
    mailer = MemoryMailer()
    await Notifier(db, mailer, timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn").run_digest(AS_OF)
    email = mailer.sent[0]
    for shown in (leader, reports, email.get_body(("plain",)).get_content(), email.get_body(("html",)).get_content()):
        assert "63,6%" in shown and "36,2%" in shown
        assert "64%" not in shown and "63.6%" not in shown
    assert "71,4%" in reports and "71,4%" in email.get_body(("plain",)).get_content()
