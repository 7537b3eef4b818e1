"""The completion report and the overdue list against a 64-task department tallied by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tasks.calendar import build_calendar
from tasks.permissions import Actor, Role
from tasks.overdue import overdue_list
from tasks.reports import completion_report, weekly_trend
from tasks.state import TaskState
from tasks.tables import Task
from tests.integration.report_fixture import AS_OF, add_progress, department  # noqa: F401  (a fixture)

CAL = build_calendar("Asia/Ho_Chi_Minh", [])
FIELDS = ("assigned", "done_on_time", "done_late", "on_track", "due_soon", "overdue", "no_deadline", "stopped", "open_tasks", "updated")
# Tallied by hand from the comments in report_fixture.ROWS (and the progress reports below).
EXPECTED = {
    "KHTC": (14, 2, 1, 3, 0, 3, 3, 2, 8, 0),
    "QLNL": (24, 8, 2, 2, 3, 6, 1, 2, 12, 2),
    "QLTM": (23, 4, 3, 7, 3, 2, 2, 2, 9, 1),
    "VP": (3, 1, 0, 1, 0, 1, 0, 0, 2, 0),
}
TOTAL = (64, 15, 6, 13, 6, 12, 6, 6, 31, 3)


def as_tuple(tally) -> tuple:
    return tuple(getattr(tally, f) for f in FIELDS)


async def test_the_report_per_division_matches_the_hand_tally(department):
    report = await completion_report(None, CAL, AS_OF)
    assert {r.code: as_tuple(r.tally) for r in report.rows} == EXPECTED
    assert as_tuple(report.total) == TOTAL
    rates = report.total.rates()
    assert (rates["completion_of_due"].numerator, rates["completion_of_due"].denominator) == (21, 33)
    assert (rates["completion_of_assigned"].numerator, rates["completion_of_assigned"].denominator) == (21, 58)
    assert (rates["on_time"].numerator, rates["on_time"].denominator) == (15, 21)
    assert (rates["update"].numerator, rates["update"].denominator) == (3, 31)
    qlnl = next(r for r in report.rows if r.code == "QLNL").tally.rates()
    assert qlnl["completion_of_due"].percent() == "62,5%"  # 10 ÷ 16


async def test_grouping_by_leader_and_by_issuer_splits_the_same_total(department):
    by_leader = await completion_report(None, CAL, AS_OF, group_by="leader")
    assert {r.code: r.tally.assigned for r in by_leader.rows} == {"pgd.hai": 24, "giamdoc": 23, "": 17}
    assert as_tuple(by_leader.total) == TOTAL
    by_issuer = await completion_report(None, CAL, AS_OF, group_by="issuer")
    assert {r.code: (r.tally.assigned, r.tally.overdue) for r in by_issuer.rows} == {"UBND tỉnh": (27, 7), "Bộ Công Thương": (37, 5)}
    by_directive = await completion_report(None, CAL, AS_OF, group_by="directive")
    assert {r.code: r.tally.done for r in by_directive.rows} == {"1234/UBND-KT": 11, "56/BCT-ĐTĐL": 10}


async def test_a_division_head_sees_only_their_own_division(department):
    head = Actor(id=99, username="truong.qltm", role=Role.HEAD, division_id=department["divisions"]["QLTM"])
    report = await completion_report(head, CAL, AS_OF)
    assert [r.code for r in report.rows] == ["QLTM"]
    assert as_tuple(report.total) == EXPECTED["QLTM"]
    assert {i.division_code for i in await overdue_list(head, CAL, AS_OF)} == {"QLTM"}


async def test_the_period_counts_tasks_assigned_in_it_and_as_of_leaves_out_later_ones(department):
    late = datetime(2026, 2, 20, 2, 0, tzinfo=timezone.utc)
    await Task.update({Task.created_at: late}).where(Task.id.is_in(department["tasks"][0])).run()  # 5 QLNL done on time
    report = await completion_report(None, CAL, AS_OF, start=date(2026, 2, 1))
    assert report.total.assigned == 5 and report.total.done_on_time == 5
    earlier = await completion_report(None, CAL, datetime(2026, 2, 10, 2, 0, tzinfo=timezone.utc))
    assert earlier.total.assigned == 59
    with pytest.raises(Exception):
        await completion_report(None, CAL, AS_OF, start=date(2026, 3, 5), end=date(2026, 3, 1))


async def test_as_of_a_past_day_a_task_submitted_later_was_still_in_progress(department):
    # On Fri 27/02 the three KHTC tasks done on 02/03 and 03/03 (due 02/03) were still running and
    # due soon (due soon then meant up to Wed 04/03); the one submitted on 03/03, due 05/03, was on track.
    report = await completion_report(None, CAL, datetime(2026, 2, 27, 2, 0, tzinfo=timezone.utc))
    khtc = next(r for r in report.rows if r.code == "KHTC").tally
    assert (khtc.done_on_time, khtc.done_late, khtc.due_soon, khtc.on_track) == (0, 0, 3, 2 + 1)


async def test_as_of_a_past_day_a_task_confirmed_later_with_a_fresh_report_counts_as_updated(department):
    # A KHTC task confirmed on 02/03 was still in the division's hands on Fri 27/02; a progress
    # report on 26/02 makes it one of that day's recently updated open tasks, not today's.
    at = datetime(2026, 2, 27, 2, 0, tzinfo=timezone.utc)
    khtc = department["divisions"]["KHTC"]
    confirmed_later = await Task.select(Task.id).where(
        (Task.lead_division == khtc) & (Task.state == TaskState.DONE) & (Task.completed_on > date(2026, 2, 27))
    ).first().run()
    before = next(r for r in (await completion_report(None, CAL, at)).rows if r.code == "KHTC").tally
    await add_progress(confirmed_later["id"], at - timedelta(days=1), "Đã gửi dự thảo")
    after = next(r for r in (await completion_report(None, CAL, at)).rows if r.code == "KHTC").tally
    assert (after.open_tasks, after.updated) == (before.open_tasks, before.updated + 1)
    today = next(r for r in (await completion_report(None, CAL, AS_OF)).rows if r.code == "KHTC").tally
    assert (today.open_tasks, today.updated) == (EXPECTED["KHTC"][8], EXPECTED["KHTC"][9])


async def test_the_report_and_the_trend_can_be_read_inside_a_transaction(department):
    # On PostgreSQL their statements run at once on pooled connections, but a transaction has one.
    async with Task._meta.db.transaction():
        report = await completion_report(None, CAL, AS_OF)
        points = await weekly_trend(None, CAL, AS_OF)
    assert as_tuple(report.total) == TOTAL and as_tuple(points[-1].tally) == TOTAL


async def test_the_overdue_list_names_every_overdue_task_with_working_days_lost(department):
    items = await overdue_list(None, CAL, AS_OF)
    assert len(items) == 12
    assert [(i.division_code, i.working_days_overdue) for i in items] == (
        [("KHTC", 28)] * 3 + [("QLTM", 3)] * 2 + [("QLNL", 2)] * 4 + [("QLNL", 1)] * 2 + [("VP", 1)]
    )
    first_qlnl = next(i for i in items if i.task_id == department["tasks"][3][0])
    assert (first_qlnl.last_note, first_qlnl.last_note_on) == ("Đã làm việc với Điện lực", date(2026, 3, 2))
    assert first_qlnl.directive_number == "1234/UBND-KT" and first_qlnl.directive_issued_on == date(2026, 1, 5)
    assert first_qlnl.leader == "Phạm Văn Hải"
    vp = items[-1]
    assert (vp.due_on, vp.effective_due_on) == (date(2026, 2, 28), date(2026, 3, 2))


async def test_the_trend_has_twelve_weekly_points_ending_today(department):
    points = await weekly_trend(None, CAL, AS_OF)
    assert len(points) == 12
    assert points[-1].day == date(2026, 3, 3) and points[0].day == date(2026, 3, 3) - timedelta(weeks=11)
    assert as_tuple(points[-1].tally) == TOTAL
    assert points[0].tally.assigned == 0  # 16/12/2025: nothing assigned yet
    assert [p.tally.done for p in points] == sorted(p.tally.done for p in points)
