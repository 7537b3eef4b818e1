"""The weekly overdue list's rows as a reader sees them: who is in charge, which note is the last,
and which late submissions count (the 64-task department of report_fixture)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from tasks.calendar import build_calendar
from tasks.overdue import overdue_list
from tasks.tables import Task, User
from tests.integration.report_fixture import AS_OF, ROWS, add_progress, department  # noqa: F401  (a fixture)

CAL = build_calendar("Asia/Ho_Chi_Minh", [])


async def test_a_leader_without_a_full_name_is_named_by_username_and_no_leader_or_note_reads_empty(department):
    await User.update({User.full_name: ""}).where(User.username == "giamdoc").run()
    items = {i.task_id: i for i in await overdue_list(None, CAL, AS_OF)}
    qltm = items[department["tasks"][13][0]]  # submitted late, leader giamdoc
    khtc = items[department["tasks"][20][0]]  # open since 15/01, no leader, no progress report
    assert qltm.leader == "giamdoc"
    assert (khtc.leader, khtc.last_note, khtc.last_note_on) == ("", "", None)
    by_leader = await overdue_list(None, CAL, AS_OF, group_by="leader")
    assert [i.leader for i in by_leader] == ["giamdoc"] * 2 + ["Phạm Văn Hải"] * 6 + [""] * 4


async def test_the_last_note_is_the_last_one_reported_by_the_as_of_time(department):
    task_id = department["tasks"][3][0]
    await add_progress(task_id, datetime(2026, 3, 3, 1, 0, tzinfo=timezone.utc), "Sáng nay đã họp")
    await add_progress(task_id, datetime(2026, 3, 3, 5, 0, tzinfo=timezone.utc), "Chiều nay: sau giờ báo cáo")
    item = next(i for i in await overdue_list(None, CAL, AS_OF) if i.task_id == task_id)
    assert (item.last_note, item.last_note_on) == ("Sáng nay đã họp", date(2026, 3, 3))


async def test_a_submission_on_the_working_day_after_a_weekend_deadline_is_not_overdue(department):
    # Due Saturday 28/02 (effective Monday 02/03): submitted on Monday is on time, on Tuesday late.
    vp = department["tasks"][26][0]  # the VP task, open and overdue since 28/02
    on_time, late = department["tasks"][12][:2]  # two QLTM tasks submitted on 02/03
    await Task.update({Task.due_on: date(2026, 2, 28)}).where(Task.id == on_time).run()
    await Task.update({Task.due_on: date(2026, 2, 28), Task.completed_on: date(2026, 3, 3)}).where(Task.id == late).run()
    items = {i.task_id: i for i in await overdue_list(None, CAL, AS_OF)}
    assert on_time not in items
    assert (items[late].effective_due_on, items[late].working_days_overdue) == (date(2026, 3, 2), 1)
    assert items[vp].working_days_overdue == 1
    assert len(items) == sum(n for *_, n in (ROWS[3], ROWS[4], ROWS[13], ROWS[20], ROWS[26])) + 1


async def test_a_task_whose_missed_deadline_was_corrected_stays_on_the_list_against_the_deadline_it_missed(department):
    # The VP task due 09/03 had really been due Wednesday 25/02; the office moved it after it was missed.
    corrected = department["tasks"][27][0]
    await Task.update({Task.missed_due_on: date(2026, 2, 25)}).where(Task.id == corrected).run()
    items = {i.task_id: i for i in await overdue_list(None, CAL, AS_OF)}
    assert (items[corrected].due_on, items[corrected].effective_due_on, items[corrected].working_days_overdue) == (
        date(2026, 2, 25), date(2026, 2, 25), 4)
    # A late submission is judged against the missed deadline too: due 20/03, submitted 02/03, missed 27/02.
    on_track = department["tasks"][12][0]
    await Task.update({Task.missed_due_on: date(2026, 2, 27)}).where(Task.id == on_track).run()
    items = {i.task_id: i for i in await overdue_list(None, CAL, AS_OF)}
    assert (items[on_track].due_on, items[on_track].working_days_overdue) == (date(2026, 2, 27), 1)
