"""The escalation ladder as pure rules: which rule is due for a task, on which day, and the SQL
window that must never leave out a task the rules would urge."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from notify.config import ladder_from_dict, ladder_to_dict
from notify.ladder import DEFAULT_LADDER, Ladder, Rule, WorkingHours, due_on_window, due_rules
from tasks.calendar import build_calendar
from tasks.errors import Invalid
from tasks.timeliness import TaskDates

CAL = build_calendar("Asia/Ho_Chi_Minh", [])
# Due on Thursday 30/04/2026, a holiday: effectively due Monday 04/05/2026 (after 30/4, 1/5 and a weekend).
HOLIDAY_DEADLINE = date(2026, 4, 30)


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=CAL.timezone).astimezone(timezone.utc)


def names(rules) -> list[str]:
    return [r.name for r in rules]


@pytest.mark.parametrize("today, expected", [
    (date(2026, 4, 17), []),                # 8 working days before
    (date(2026, 4, 20), ["remind_7"]),      # Giỗ Tổ (26–27/4) and 30/4–1/5 do not count
    (date(2026, 4, 23), ["remind_7"]),
    (date(2026, 4, 24), ["remind_3"]),
    (date(2026, 4, 29), ["remind_1"]),
    (date(2026, 5, 4), ["due_today"]),
    (date(2026, 5, 5), ["overdue_1"]),
    (date(2026, 5, 7), ["overdue_3"]),
    (date(2026, 5, 13), ["overdue_7"]),
    (date(2026, 5, 18), ["overdue_7"]),
])
def test_the_highest_rule_reached_is_due_when_nothing_was_sent(today, expected):
    assert names(due_rules(TaskDates("open", HOLIDAY_DEADLINE), at_nine(today), CAL, DEFAULT_LADDER, [])) == expected


def test_a_rule_already_sent_or_overtaken_is_not_due_again():
    task = TaskDates("in_progress", HOLIDAY_DEADLINE)
    assert due_rules(task, at_nine(date(2026, 4, 23)), CAL, DEFAULT_LADDER, ["remind_7"]) == []
    assert names(due_rules(task, at_nine(date(2026, 4, 24)), CAL, DEFAULT_LADDER, ["remind_7"])) == ["remind_3"]
    # After an outage: only the highest rule, and nothing below what was already sent.
    assert names(due_rules(task, at_nine(date(2026, 5, 7)), CAL, DEFAULT_LADDER, ["remind_7"])) == ["overdue_3"]
    assert due_rules(task, at_nine(date(2026, 5, 7)), CAL, DEFAULT_LADDER, ["overdue_3"]) == []


@pytest.mark.parametrize("state", ["submitted", "done", "paused", "cancelled"])
def test_finished_submitted_and_stopped_tasks_are_never_urged(state):
    assert due_rules(TaskDates(state, HOLIDAY_DEADLINE, date(2026, 4, 1)), at_nine(date(2026, 5, 13)), CAL, DEFAULT_LADDER, []) == []


def test_nothing_is_due_on_a_day_off_or_without_a_deadline():
    assert due_rules(TaskDates("open", HOLIDAY_DEADLINE), at_nine(date(2026, 5, 2)), CAL, DEFAULT_LADDER, []) == []
    assert due_rules(TaskDates("open", None), at_nine(date(2026, 5, 4)), CAL, DEFAULT_LADDER, []) == []


def test_a_rule_missed_beyond_the_catch_up_horizon_is_not_sent_late():
    task = TaskDates("open", HOLIDAY_DEADLINE)
    # overdue_7 fell due on 13/05; ten working days later is 27/05, eleven is 28/05.
    assert names(due_rules(task, at_nine(date(2026, 5, 27)), CAL, DEFAULT_LADDER, [])) == ["overdue_7"]
    assert due_rules(task, at_nine(date(2026, 5, 28)), CAL, DEFAULT_LADDER, []) == []


def test_the_due_on_window_holds_every_task_the_rules_would_urge():
    for today in (date(2026, 5, 4) + timedelta(days=i) for i in range(0, 60)):
        window = due_on_window(today, CAL, DEFAULT_LADDER)
        if not CAL.is_working(today):
            assert window is None
            continue
        after, until = window
        for due in (today + timedelta(days=d) for d in range(-60, 30)):
            urged = bool(due_rules(TaskDates("open", due), at_nine(today), CAL, DEFAULT_LADDER, []))
            assert urged == (after < due <= until), (today, due)


def test_working_hours_are_half_open_and_only_on_working_days():
    hours = WorkingHours()
    local = lambda d, h, m: datetime.combine(d, time(h, m), tzinfo=CAL.timezone)  # noqa: E731
    assert not hours.contains(local(date(2026, 5, 4), 7, 29), CAL)
    assert hours.contains(local(date(2026, 5, 4), 7, 30), CAL)
    assert hours.contains(local(date(2026, 5, 4), 16, 59), CAL)
    assert not hours.contains(local(date(2026, 5, 4), 17, 0), CAL)
    assert not hours.contains(local(date(2026, 5, 1), 9, 0), CAL)  # Labour Day


def test_the_default_ladder_round_trips_through_its_settings_form():
    assert ladder_from_dict(ladder_to_dict(DEFAULT_LADDER)) == DEFAULT_LADDER


@pytest.mark.parametrize("change, field", [
    ({"rules": []}, "rules"),
    ({"rules": [{"name": "A", "offset": 1, "to": ["lead_head"]}]}, "rules[0].name"),
    ({"rules": [{"name": "a", "offset": 1, "to": ["lead_head"]}, {"name": "b", "offset": 1, "to": ["office"]}]}, "rules[1].offset"),
    ({"rules": [{"name": "a", "offset": 1, "to": []}]}, "rules[0].to"),
    ({"rules": [{"name": "a", "offset": 1, "to": ["mayor"]}]}, "rules[0].to"),
    ({"rules": [{"name": "a", "offset": 99, "to": ["office"]}]}, "rules[0].offset"),
    ({"working_hours": {"start": "17:00", "end": "07:30"}}, "working_hours.end"),
    ({"working_hours": {"start": "7h30", "end": "17:00"}}, "working_hours.start"),
    ({"catch_up_days": -1}, "catch_up_days"),
])
def test_a_bad_ladder_is_refused_naming_the_field(change, field):
    data = {**ladder_to_dict(DEFAULT_LADDER), **change}
    with pytest.raises(Invalid) as err:
        ladder_from_dict(data)
    assert field in err.value.fields


def test_rules_are_kept_in_offset_order():
    ladder = Ladder(rules=(Rule("late", 2, ("office",)), Rule("early", -2, ("lead_head",))))
    assert names(ladder.rules) == ["early", "late"]
