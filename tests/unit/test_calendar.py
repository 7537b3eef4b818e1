from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.calendar import CalendarError, WorkingCalendar, build_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")

TUESDAY_2026_02_10 = date(2026, 2, 10)
FRIDAY_2026_02_13 = date(2026, 2, 13)
MONDAY_2026_02_16_TET_EVE = date(2026, 2, 16)
TUESDAY_2026_02_17_TET = date(2026, 2, 17)
FRIDAY_2026_02_20_TET = date(2026, 2, 20)
MONDAY_2026_02_23 = date(2026, 2, 23)
TUESDAY_2026_03_03 = date(2026, 3, 3)
MONDAY_2026_03_02 = date(2026, 3, 2)
FRIDAY_2026_03_06 = date(2026, 3, 6)
SATURDAY_2026_03_07 = date(2026, 3, 7)
SUNDAY_2026_03_08 = date(2026, 3, 8)
MONDAY_2026_03_09 = date(2026, 3, 9)
THURSDAY_2026_03_12 = date(2026, 3, 12)
FRIDAY_2026_03_13 = date(2026, 3, 13)
SATURDAY_2026_03_14 = date(2026, 3, 14)
SUNDAY_2026_03_15 = date(2026, 3, 15)
MONDAY_2026_03_16 = date(2026, 3, 16)
THURSDAY_2026_04_30 = date(2026, 4, 30)
SATURDAY_2026_08_22_PACKAGE_WORKDAY = date(2026, 8, 22)
MONDAY_2026_08_31_PACKAGE_DAY_OFF = date(2026, 8, 31)

PLAIN = WorkingCalendar(timezone=VN)


def test_weekdays_are_working_days_and_weekends_are_not():
    assert PLAIN.is_working(FRIDAY_2026_03_06)
    assert not PLAIN.is_working(SATURDAY_2026_03_07)
    assert not PLAIN.is_working(SUNDAY_2026_03_08)
    assert PLAIN.is_working(MONDAY_2026_03_09)


def test_tet_2026_days_from_the_holidays_package_are_days_off():
    tet = [MONDAY_2026_02_16_TET_EVE + timedelta(days=i) for i in range(5)]
    assert [PLAIN.is_working(day) for day in tet] == [False] * 5
    assert PLAIN.is_working(MONDAY_2026_02_23)


def test_a_public_holiday_has_its_vietnamese_name():
    assert PLAIN.holiday_name(TUESDAY_2026_02_17_TET) == "Tết Nguyên đán"  # so spelled, not the package's "Nguyên Đán"
    assert PLAIN.holiday_name(THURSDAY_2026_04_30) is not None


def test_a_public_holiday_the_admin_marked_as_worked_counts_as_a_working_day():
    wednesday_tet = date(2026, 2, 18)  # Mùng hai Tết, a day off from the holidays package
    worked = build_calendar("Asia/Ho_Chi_Minh", [(wednesday_tet, "working", "Làm việc Mùng hai Tết")])
    assert not PLAIN.is_working(wednesday_tet) and worked.is_working(wednesday_tet)
    assert worked.holiday_name(wednesday_tet) is None
    assert PLAIN.add_working_days(FRIDAY_2026_02_13, 1) == MONDAY_2026_02_23
    assert worked.add_working_days(FRIDAY_2026_02_13, 1) == wednesday_tet
    assert worked.effective_due(TUESDAY_2026_02_17_TET) == wednesday_tet
    assert (PLAIN.working_days_between(FRIDAY_2026_02_13, MONDAY_2026_02_23),
            worked.working_days_between(FRIDAY_2026_02_13, MONDAY_2026_02_23)) == (1, 2)


def test_an_ordinary_weekend_or_working_day_has_no_holiday_name():
    assert PLAIN.holiday_name(SATURDAY_2026_03_07) is None
    assert PLAIN.holiday_name(MONDAY_2026_03_09) is None


def test_the_packages_own_weekend_workday_is_a_working_day():
    assert PLAIN.is_working(SATURDAY_2026_08_22_PACKAGE_WORKDAY)
    assert not PLAIN.is_working(MONDAY_2026_08_31_PACKAGE_DAY_OFF)


def test_an_admin_day_off_beats_the_packages_weekend_workday():
    calendar = WorkingCalendar(timezone=VN, extra_days_off=frozenset({SATURDAY_2026_08_22_PACKAGE_WORKDAY}))
    assert not calendar.is_working(SATURDAY_2026_08_22_PACKAGE_WORKDAY)


def test_a_swapped_working_saturday_is_a_working_day():
    calendar = WorkingCalendar(timezone=VN, swapped_working_days=frozenset({SATURDAY_2026_03_14}))
    assert calendar.is_working(SATURDAY_2026_03_14)
    assert not calendar.is_working(SUNDAY_2026_03_15)


def test_a_swapped_working_day_wins_over_a_holiday_and_a_day_off():
    calendar = WorkingCalendar(
        timezone=VN,
        extra_days_off=frozenset({TUESDAY_2026_02_17_TET}),
        swapped_working_days=frozenset({TUESDAY_2026_02_17_TET}),
    )
    assert calendar.is_working(TUESDAY_2026_02_17_TET)
    assert calendar.holiday_name(TUESDAY_2026_02_17_TET) is None


def test_an_admin_day_off_is_not_working_and_carries_its_name():
    calendar = build_calendar("Asia/Ho_Chi_Minh", [(FRIDAY_2026_03_13, "holiday", "Nghỉ bù bầu cử")])
    assert not calendar.is_working(FRIDAY_2026_03_13)
    assert calendar.holiday_name(FRIDAY_2026_03_13) == "Nghỉ bù bầu cử"


def test_an_unnamed_admin_day_off_still_has_a_name():
    calendar = build_calendar("Asia/Ho_Chi_Minh", [(FRIDAY_2026_03_13, "holiday", "")])
    assert calendar.holiday_name(FRIDAY_2026_03_13) == "Ngày nghỉ"


def test_build_calendar_sorts_rows_into_days_off_and_working_days():
    calendar = build_calendar(
        "Asia/Ho_Chi_Minh",
        [(FRIDAY_2026_03_13, "holiday", "A"), (SATURDAY_2026_03_14, "working", "B")],
    )
    assert calendar.timezone == VN
    assert calendar.extra_days_off == frozenset({FRIDAY_2026_03_13})
    assert calendar.swapped_working_days == frozenset({SATURDAY_2026_03_14})
    assert dict(calendar.names) == {FRIDAY_2026_03_13: "A", SATURDAY_2026_03_14: "B"}


def test_build_calendar_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        build_calendar("Asia/Ho_Chi_Minh", [(FRIDAY_2026_03_13, "vacation", "")])


def test_build_calendar_refuses_an_unknown_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        build_calendar("Asia/Nowhere", [])


def test_the_calendar_is_an_immutable_hashable_value():
    days_off = {FRIDAY_2026_03_13}
    calendar = WorkingCalendar(timezone=VN, extra_days_off=days_off, names={FRIDAY_2026_03_13: "A"})
    days_off.add(MONDAY_2026_03_16)
    assert calendar.extra_days_off == frozenset({FRIDAY_2026_03_13})
    with pytest.raises(TypeError):
        calendar.names[MONDAY_2026_03_16] = "B"  # type: ignore[index]
    assert hash(calendar) == hash(WorkingCalendar(timezone=VN, extra_days_off=frozenset({FRIDAY_2026_03_13})))


def test_today_is_the_province_local_date():
    assert PLAIN.today(datetime(2026, 3, 13, 16, 59, 59, tzinfo=timezone.utc)) == FRIDAY_2026_03_13
    assert PLAIN.today(datetime(2026, 3, 13, 17, 0, 0, tzinfo=timezone.utc)) == SATURDAY_2026_03_14


def test_today_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        PLAIN.today(datetime(2026, 3, 13, 12, 0))


def test_a_deadline_on_saturday_moves_to_monday():
    assert PLAIN.effective_due(SATURDAY_2026_03_07) == MONDAY_2026_03_09


def test_a_deadline_on_a_working_day_stays_put():
    assert PLAIN.effective_due(FRIDAY_2026_03_06) == FRIDAY_2026_03_06


def test_a_deadline_on_a_tet_day_moves_to_the_monday_after_tet():
    assert PLAIN.effective_due(TUESDAY_2026_02_17_TET) == MONDAY_2026_02_23


def test_a_deadline_on_a_swapped_working_saturday_stays_on_that_saturday():
    calendar = WorkingCalendar(timezone=VN, swapped_working_days=frozenset({SATURDAY_2026_03_14}))
    assert calendar.effective_due(SATURDAY_2026_03_14) == SATURDAY_2026_03_14
    assert PLAIN.effective_due(SATURDAY_2026_03_14) == MONDAY_2026_03_16


def test_an_admin_day_off_moves_a_deadline():
    calendar = WorkingCalendar(timezone=VN, extra_days_off=frozenset({FRIDAY_2026_03_13}))
    assert calendar.effective_due(FRIDAY_2026_03_13) == MONDAY_2026_03_16


def test_next_and_previous_working_day_are_strict():
    assert PLAIN.next_working_day(FRIDAY_2026_03_06) == MONDAY_2026_03_09
    assert PLAIN.previous_working_day(MONDAY_2026_03_09) == FRIDAY_2026_03_06
    assert PLAIN.previous_working_day(MONDAY_2026_02_23) == FRIDAY_2026_02_13


def test_ten_working_days_from_10_02_2026_skip_the_weekends_and_tet():
    # Counted strictly after Tue 10/02: Wed 11 (1), Thu 12 (2), Fri 13 (3);
    # Sat 14, Sun 15 weekend; Mon 16 .. Fri 20 Tết; Sat 21, Sun 22 weekend;
    # Mon 23 (4), Tue 24 (5), Wed 25 (6), Thu 26 (7), Fri 27 (8); Sat 28, Sun 01/03 weekend;
    # Mon 02/03 (9), Tue 03/03 (10).
    assert PLAIN.add_working_days(TUESDAY_2026_02_10, 10) == TUESDAY_2026_03_03


def test_zero_working_days_from_a_day_is_its_effective_due_date():
    assert PLAIN.add_working_days(SATURDAY_2026_03_07, 0) == MONDAY_2026_03_09
    assert PLAIN.add_working_days(FRIDAY_2026_03_06, 0) == FRIDAY_2026_03_06


def test_negative_working_days_count_backwards_strictly_before():
    # Before Tue 03/03: Mon 02/03 (1), Fri 27/02 (2).
    assert PLAIN.add_working_days(TUESDAY_2026_03_03, -2) == date(2026, 2, 27)
    assert PLAIN.add_working_days(MONDAY_2026_02_23, -1) == FRIDAY_2026_02_13


def test_working_days_between_counts_the_end_but_not_the_start():
    assert PLAIN.working_days_between(TUESDAY_2026_02_10, TUESDAY_2026_03_03) == 10
    assert PLAIN.working_days_between(FRIDAY_2026_03_06, MONDAY_2026_03_09) == 1
    assert PLAIN.working_days_between(FRIDAY_2026_03_06, SUNDAY_2026_03_08) == 0
    assert PLAIN.working_days_between(FRIDAY_2026_03_06, FRIDAY_2026_03_06) == 0


def test_working_days_between_is_negative_and_symmetric_backwards():
    assert PLAIN.working_days_between(TUESDAY_2026_03_03, TUESDAY_2026_02_10) == -10


def test_a_calendar_without_working_days_fails_instead_of_looping_forever():
    every_day = frozenset(MONDAY_2026_03_02 + timedelta(days=i) for i in range(4000))
    calendar = WorkingCalendar(timezone=VN, extra_days_off=every_day)
    with pytest.raises(CalendarError):
        calendar.next_working_day(MONDAY_2026_03_02)


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(start=DAYS, n=st.integers(min_value=-40, max_value=40))
def test_add_working_days_and_working_days_between_are_inverse_from_a_working_day(start, n):
    start = PLAIN.effective_due(start)
    assert PLAIN.working_days_between(start, PLAIN.add_working_days(start, n)) == n


@given(start=DAYS, end=DAYS)
def test_adding_the_working_days_between_two_working_days_gets_back_to_the_end(start, end):
    start, end = PLAIN.effective_due(start), PLAIN.effective_due(end)
    assert PLAIN.add_working_days(start, PLAIN.working_days_between(start, end)) == end
