from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.calendar import WorkingCalendar
from tasks.i18n import gettext_for
from tasks.timeliness import (
    DEFAULT_DUE_SOON_DAYS,
    TaskDates,
    Timeliness,
    due_soon_cutoff,
    effective_due_on,
    overdue_cutoff,
    timeliness,
    working_days_overdue,
)
from web.pages.common import TIMELINESS_LABELS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc

FRIDAY_2026_02_13 = date(2026, 2, 13)
TUESDAY_2026_02_17_TET = date(2026, 2, 17)
FRIDAY_2026_02_20_TET = date(2026, 2, 20)
MONDAY_2026_02_23 = date(2026, 2, 23)
TUESDAY_2026_02_24 = date(2026, 2, 24)
MONDAY_2026_03_02 = date(2026, 3, 2)
WEDNESDAY_2026_03_04 = date(2026, 3, 4)
FRIDAY_2026_03_06 = date(2026, 3, 6)
SATURDAY_2026_03_07 = date(2026, 3, 7)
MONDAY_2026_03_09 = date(2026, 3, 9)
TUESDAY_2026_03_10 = date(2026, 3, 10)
THURSDAY_2026_03_12 = date(2026, 3, 12)
FRIDAY_2026_03_13 = date(2026, 3, 13)
SATURDAY_2026_03_14 = date(2026, 3, 14)
SUNDAY_2026_03_15 = date(2026, 3, 15)
MONDAY_2026_03_16 = date(2026, 3, 16)
WEDNESDAY_2026_03_18 = date(2026, 3, 18)

PLAIN = WorkingCalendar(timezone=VN)
SATURDAY_14_SWAPPED = WorkingCalendar(timezone=VN, swapped_working_days=frozenset({SATURDAY_2026_03_14}))
FRIDAY_13_OFF = WorkingCalendar(timezone=VN, extra_days_off=frozenset({FRIDAY_2026_03_13}))


def noon_in_vietnam(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=VN)


def task(state: str, due_on: date | None, completed_on: date | None = None) -> TaskDates:
    return TaskDates(state=state, due_on=due_on, completed_on=completed_on)


def test_there_are_exactly_six_codes_each_with_a_vietnamese_label():
    assert [code.value for code in Timeliness] == [
        "done_on_time", "done_late", "due_soon", "on_track", "overdue", "no_deadline",
    ]
    vi = gettext_for("vi")
    assert {code.value: vi(TIMELINESS_LABELS[code.value]) for code in Timeliness} == {
        "done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn", "due_soon": "Sắp đến hạn",
        "on_track": "Đang thực hiện trong hạn", "overdue": "Quá hạn", "no_deadline": "Không có thời hạn",
    }
    assert DEFAULT_DUE_SOON_DAYS == 3


def test_a_task_done_by_its_deadline_is_done_on_time():
    done = task("done", FRIDAY_2026_03_13, completed_on=THURSDAY_2026_03_12)
    assert timeliness(done, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) is Timeliness.DONE_ON_TIME


def test_a_task_done_after_its_deadline_is_done_late():
    done = task("done", FRIDAY_2026_03_06, completed_on=MONDAY_2026_03_09)
    assert timeliness(done, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) is Timeliness.DONE_LATE


def test_completion_on_the_effective_due_date_is_on_time_and_one_day_later_is_late():
    # Due Saturday 07/03, effectively due Monday 09/03.
    later = noon_in_vietnam(WEDNESDAY_2026_03_18)
    assert timeliness(task("done", SATURDAY_2026_03_07, MONDAY_2026_03_09), later, PLAIN) is Timeliness.DONE_ON_TIME
    assert timeliness(task("done", SATURDAY_2026_03_07, TUESDAY_2026_03_10), later, PLAIN) is Timeliness.DONE_LATE


def test_a_done_task_without_a_deadline_is_done_on_time():
    assert timeliness(task("done", None, None), noon_in_vietnam(MONDAY_2026_03_09), PLAIN) is Timeliness.DONE_ON_TIME


def test_a_done_task_with_a_deadline_but_no_completion_day_is_refused():
    with pytest.raises(ValueError, match="completed_on"):
        timeliness(task("done", FRIDAY_2026_03_13, None), noon_in_vietnam(MONDAY_2026_03_09), PLAIN)


def test_an_open_task_without_a_deadline_has_no_deadline():
    assert timeliness(task("open", None), noon_in_vietnam(MONDAY_2026_03_09), PLAIN) is Timeliness.NO_DEADLINE


def test_an_open_task_far_from_its_deadline_is_on_track():
    assert timeliness(task("in_progress", MONDAY_2026_03_16), noon_in_vietnam(MONDAY_2026_03_02), PLAIN) is Timeliness.ON_TRACK


def test_an_open_task_due_today_is_due_soon():
    assert timeliness(task("open", FRIDAY_2026_03_13), noon_in_vietnam(FRIDAY_2026_03_13), PLAIN) is Timeliness.DUE_SOON


def test_an_open_task_past_its_deadline_is_overdue():
    assert timeliness(task("open", FRIDAY_2026_03_06), noon_in_vietnam(MONDAY_2026_03_09), PLAIN) is Timeliness.OVERDUE


@pytest.mark.parametrize("state", ["paused", "cancelled"])
def test_a_task_stopped_by_a_leader_has_no_timeliness(state):
    stopped = task(state, FRIDAY_2026_03_06)
    assert timeliness(stopped, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) is None
    assert working_days_overdue(stopped, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) == 0


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="state"):
        timeliness(task("archived", FRIDAY_2026_03_06), noon_in_vietnam(MONDAY_2026_03_09), PLAIN)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        timeliness(task("open", FRIDAY_2026_03_06), datetime(2026, 3, 9, 12, 0), PLAIN)


def test_a_deadline_on_saturday_is_not_overdue_until_tuesday():
    due_saturday = task("open", SATURDAY_2026_03_07)
    assert effective_due_on(due_saturday, PLAIN) == MONDAY_2026_03_09
    assert timeliness(due_saturday, noon_in_vietnam(MONDAY_2026_03_09), PLAIN) is Timeliness.DUE_SOON
    assert timeliness(due_saturday, noon_in_vietnam(TUESDAY_2026_03_10), PLAIN) is Timeliness.OVERDUE


def test_a_deadline_on_a_tet_day_is_effectively_the_monday_after_tet():
    due_in_tet = task("open", TUESDAY_2026_02_17_TET)
    assert effective_due_on(due_in_tet, PLAIN) == MONDAY_2026_02_23
    assert timeliness(due_in_tet, noon_in_vietnam(FRIDAY_2026_02_20_TET), PLAIN) is Timeliness.DUE_SOON
    assert timeliness(due_in_tet, noon_in_vietnam(MONDAY_2026_02_23), PLAIN) is Timeliness.DUE_SOON
    assert timeliness(due_in_tet, noon_in_vietnam(TUESDAY_2026_02_24), PLAIN) is Timeliness.OVERDUE


def test_a_task_due_the_day_before_a_swapped_working_saturday_is_overdue_on_that_saturday():
    due_friday = task("open", FRIDAY_2026_03_13)
    assert timeliness(due_friday, noon_in_vietnam(SATURDAY_2026_03_14), SATURDAY_14_SWAPPED) is Timeliness.OVERDUE
    # The Saturday is a working day lost, so it counts as one day overdue.
    assert working_days_overdue(due_friday, noon_in_vietnam(SATURDAY_2026_03_14), SATURDAY_14_SWAPPED) == 1


def test_a_task_due_on_a_swapped_working_saturday_is_due_that_saturday():
    due_saturday = task("open", SATURDAY_2026_03_14)
    assert effective_due_on(due_saturday, SATURDAY_14_SWAPPED) == SATURDAY_2026_03_14
    assert timeliness(due_saturday, noon_in_vietnam(SATURDAY_2026_03_14), SATURDAY_14_SWAPPED) is Timeliness.DUE_SOON
    assert timeliness(due_saturday, noon_in_vietnam(SUNDAY_2026_03_15), SATURDAY_14_SWAPPED) is Timeliness.OVERDUE
    assert timeliness(due_saturday, noon_in_vietnam(SUNDAY_2026_03_15), PLAIN) is Timeliness.DUE_SOON


def test_overdue_begins_at_midnight_province_time_after_the_effective_due_date():
    due_friday = task("open", FRIDAY_2026_03_13)
    # 00:00 on Saturday 14/03 in Asia/Ho_Chi_Minh (UTC+7) is 17:00 UTC on Friday 13/03.
    just_before = datetime(2026, 3, 13, 16, 59, 59, tzinfo=UTC)
    at_midnight = datetime(2026, 3, 13, 17, 0, 0, tzinfo=UTC)
    assert timeliness(due_friday, just_before, PLAIN) is Timeliness.DUE_SOON
    assert timeliness(due_friday, at_midnight, PLAIN) is Timeliness.OVERDUE


def test_a_task_overdue_over_a_weekend_has_lost_no_working_day_yet():
    due_friday = task("open", FRIDAY_2026_03_13)
    assert working_days_overdue(due_friday, noon_in_vietnam(SUNDAY_2026_03_15), PLAIN) == 0
    assert working_days_overdue(due_friday, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) == 3


def test_a_task_submitted_on_time_stays_on_track_while_the_office_confirms():
    # Submitted the day before its deadline: "due soon" then for a running task, but its work is
    # finished, so it is not labelled "Sắp đến hạn" (issue 12), then or later.
    submitted = task("submitted", FRIDAY_2026_03_13, completed_on=THURSDAY_2026_03_12)
    assert timeliness(submitted, noon_in_vietnam(THURSDAY_2026_03_12), PLAIN) is Timeliness.ON_TRACK
    assert timeliness(submitted, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) is Timeliness.ON_TRACK
    assert working_days_overdue(submitted, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) == 0


def test_a_task_submitted_late_is_overdue_by_the_days_until_submission():
    submitted = task("submitted", FRIDAY_2026_03_13, completed_on=MONDAY_2026_03_16)
    assert timeliness(submitted, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) is Timeliness.OVERDUE
    assert working_days_overdue(submitted, noon_in_vietnam(WEDNESDAY_2026_03_18), PLAIN) == 1


def test_a_submitted_task_without_a_submission_day_is_judged_as_of_today():
    submitted = task("submitted", FRIDAY_2026_03_13, completed_on=None)
    assert timeliness(submitted, noon_in_vietnam(MONDAY_2026_03_16), PLAIN) is Timeliness.OVERDUE


def test_three_working_days_left_across_a_weekend_is_due_soon_and_four_is_on_track():
    # From Wed 04/03: Thu 05 (1), Fri 06 (2), [Sat, Sun], Mon 09 (3), Tue 10 (4).
    wednesday = noon_in_vietnam(WEDNESDAY_2026_03_04)
    assert timeliness(task("open", MONDAY_2026_03_09), wednesday, PLAIN) is Timeliness.DUE_SOON
    assert timeliness(task("open", TUESDAY_2026_03_10), wednesday, PLAIN) is Timeliness.ON_TRACK


def test_the_due_soon_window_is_configurable():
    wednesday = noon_in_vietnam(WEDNESDAY_2026_03_04)
    assert timeliness(task("open", TUESDAY_2026_03_10), wednesday, PLAIN, due_soon_days=4) is Timeliness.DUE_SOON
    assert timeliness(task("open", FRIDAY_2026_03_06), wednesday, PLAIN, due_soon_days=0) is Timeliness.ON_TRACK


def test_an_admin_day_off_moves_a_deadline_so_the_task_is_not_yet_overdue():
    due_friday = task("open", FRIDAY_2026_03_13)
    assert effective_due_on(due_friday, FRIDAY_13_OFF) == MONDAY_2026_03_16
    assert timeliness(due_friday, noon_in_vietnam(MONDAY_2026_03_16), PLAIN) is Timeliness.OVERDUE
    assert timeliness(due_friday, noon_in_vietnam(MONDAY_2026_03_16), FRIDAY_13_OFF) is Timeliness.DUE_SOON


def test_the_cutoffs_for_a_wednesday_are_the_day_before_and_three_working_days_on():
    assert overdue_cutoff(WEDNESDAY_2026_03_04, PLAIN) == date(2026, 3, 3)
    assert due_soon_cutoff(WEDNESDAY_2026_03_04, PLAIN, 3) == MONDAY_2026_03_09


def test_the_overdue_cutoff_after_tet_is_the_friday_before_tet():
    assert overdue_cutoff(MONDAY_2026_02_23, PLAIN) == FRIDAY_2026_02_13


DAYS = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 10, 31))
CALENDARS = st.builds(
    lambda off, swapped: WorkingCalendar(timezone=VN, extra_days_off=off, swapped_working_days=swapped),
    st.frozensets(DAYS, max_size=20),
    st.frozensets(DAYS, max_size=5),
)


@given(
    due_on=DAYS,
    today=DAYS,
    state=st.sampled_from(["open", "in_progress"]),
    due_soon_days=st.integers(min_value=0, max_value=7),
    calendar=st.one_of(st.just(PLAIN), CALENDARS),
    hour=st.integers(min_value=0, max_value=23),
)
def test_the_sql_cutoffs_agree_with_timeliness(due_on, today, state, due_soon_days, calendar, hour):
    now = datetime(today.year, today.month, today.day, hour, tzinfo=VN).astimezone(UTC)
    code = timeliness(task(state, due_on), now, calendar, due_soon_days)
    overdue = due_on <= overdue_cutoff(today, calendar)
    assert overdue == (code is Timeliness.OVERDUE)
    due_soon = not overdue and due_on <= due_soon_cutoff(today, calendar, due_soon_days)
    assert due_soon == (code is Timeliness.DUE_SOON)
    assert code in (Timeliness.OVERDUE, Timeliness.DUE_SOON, Timeliness.ON_TRACK)


def test_an_approved_extension_judges_the_task_by_its_new_deadline_only():
    # Due Friday 06/03, overdue on Monday 09/03; the leader approves a new deadline of Monday 16/03.
    before = task("in_progress", FRIDAY_2026_03_06)
    after = task("in_progress", MONDAY_2026_03_16)
    assert timeliness(before, noon_in_vietnam(MONDAY_2026_03_09), PLAIN) == Timeliness.OVERDUE
    assert timeliness(after, noon_in_vietnam(MONDAY_2026_03_09), PLAIN) == Timeliness.ON_TRACK
    assert timeliness(after, noon_in_vietnam(THURSDAY_2026_03_12), PLAIN) == Timeliness.DUE_SOON
    # Done after the original deadline but by the extended one: on time.
    assert timeliness(task("done", MONDAY_2026_03_16, THURSDAY_2026_03_12), noon_in_vietnam(MONDAY_2026_03_16), PLAIN) == Timeliness.DONE_ON_TIME


def test_a_corrected_deadline_keeps_the_task_counted_late_against_the_one_it_missed():
    # Due Friday 06/03 and missed; on Tuesday 10/03 the office corrects it to Monday 16/03.
    corrected = TaskDates("in_progress", MONDAY_2026_03_16, missed_due_on=FRIDAY_2026_03_06)
    assert timeliness(corrected, noon_in_vietnam(THURSDAY_2026_03_12), PLAIN) is Timeliness.OVERDUE
    assert working_days_overdue(corrected, noon_in_vietnam(THURSDAY_2026_03_12), PLAIN) == 4
    assert effective_due_on(corrected, PLAIN) == FRIDAY_2026_03_06
    # Done by the corrected deadline is still late: it missed the one that counts.
    done = TaskDates("done", MONDAY_2026_03_16, THURSDAY_2026_03_12, missed_due_on=FRIDAY_2026_03_06)
    assert timeliness(done, noon_in_vietnam(MONDAY_2026_03_16), PLAIN) is Timeliness.DONE_LATE
    submitted = TaskDates("submitted", MONDAY_2026_03_16, THURSDAY_2026_03_12, missed_due_on=FRIDAY_2026_03_06)
    assert timeliness(submitted, noon_in_vietnam(MONDAY_2026_03_16), PLAIN) is Timeliness.OVERDUE


def test_a_missed_deadline_on_a_weekend_counts_from_the_next_working_day():
    corrected = TaskDates("done", MONDAY_2026_03_16, MONDAY_2026_03_09, missed_due_on=SATURDAY_2026_03_07)
    assert effective_due_on(corrected, PLAIN) == MONDAY_2026_03_09
    assert timeliness(corrected, noon_in_vietnam(MONDAY_2026_03_16), PLAIN) is Timeliness.DONE_ON_TIME


def test_an_object_without_missed_due_on_is_judged_by_due_on():
    class Row:  # e.g. a row type written before missed_due_on existed
        state, due_on, completed_on = "open", FRIDAY_2026_03_06, None

    assert timeliness(Row(), noon_in_vietnam(MONDAY_2026_03_09), PLAIN) is Timeliness.OVERDUE
    assert timeliness(TaskDates("open", FRIDAY_2026_03_06, missed_due_on=None), noon_in_vietnam(WEDNESDAY_2026_03_04), PLAIN) is Timeliness.DUE_SOON


@given(due_on=DAYS, missed=DAYS, today=DAYS, state=st.sampled_from(["open", "in_progress", "submitted", "done"]),
       completed=DAYS, calendar=st.one_of(st.just(PLAIN), CALENDARS))
def test_a_missed_deadline_judges_the_task_exactly_as_if_it_were_its_due_on(due_on, missed, today, state, completed, calendar):
    now = noon_in_vietnam(today)
    done_on = completed if state in ("submitted", "done") else None
    with_missed = TaskDates(state, due_on, done_on, missed_due_on=missed)
    assert timeliness(with_missed, now, calendar) == timeliness(TaskDates(state, missed, done_on), now, calendar)
    assert working_days_overdue(with_missed, now, calendar) == working_days_overdue(TaskDates(state, missed, done_on), now, calendar)
