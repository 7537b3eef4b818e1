"""The SQL predicates' formulas (tasks.classify), evaluated in Python, say what timeliness() says."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.calendar import WorkingCalendar
from tasks.classify import build_day_map, classification_for, counted
from tasks.state import TaskState
from tasks.timeliness import TaskDates, Timeliness, timeliness

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LO, HI = date(2025, 12, 1), date(2026, 10, 31)
DAYS = st.dates(min_value=LO, max_value=HI)
CALENDARS = st.one_of(
    st.just(WorkingCalendar(timezone=VN)),
    st.builds(lambda off, swapped: WorkingCalendar(timezone=VN, extra_days_off=off, swapped_working_days=swapped),
              st.frozensets(DAYS, max_size=20), st.frozensets(DAYS, max_size=5)),
)


def test_the_counted_deadline_is_spelled_one_way_for_the_expression_index():
    assert counted() == "COALESCE(missed_due_on, due_on)"
    assert counted("t") == "COALESCE(t.missed_due_on, t.due_on)"


@settings(max_examples=40)
@given(calendar=CALENDARS)
def test_a_day_map_is_the_calendar_function_on_every_day_it_was_built_over(calendar):
    day_map = build_day_map(calendar.effective_due, LO, HI)
    day = LO
    while day <= HI:
        assert day_map(day) == calendar.effective_due(day)
        day = date.fromordinal(day.toordinal() + 1)


@settings(max_examples=400)
@given(state=st.sampled_from(list(TaskState)), due_on=st.one_of(st.none(), DAYS), missed=st.one_of(st.none(), DAYS),
       completed=st.one_of(st.none(), DAYS), today=DAYS, hour=st.integers(0, 23), due_soon_days=st.integers(0, 6),
       calendar=CALENDARS)
def test_the_predicates_classify_every_task_as_timeliness_does(state, due_on, missed, completed, today, hour, due_soon_days, calendar):
    if state == TaskState.DONE and completed is None and (missed or due_on):
        completed = today  # timeliness() refuses a done task with a deadline and no completion day
    now = datetime(today.year, today.month, today.day, hour, tzinfo=VN).astimezone(timezone.utc)
    c = classification_for(now, calendar, due_soon_days, (LO, HI), postgres=False)
    expected = timeliness(TaskDates(state, due_on, completed, missed), now, calendar, due_soon_days)
    assert c.classify(state, due_on, completed, missed) == expected


def test_a_submitted_task_is_judged_by_its_submission_day_in_sql_too():
    calendar = WorkingCalendar(timezone=VN)
    now = datetime(2026, 3, 20, 12, tzinfo=VN)
    c = classification_for(now, calendar, 3, (LO, HI), postgres=True)
    # Due Friday 13/03, submitted Wednesday 11/03: submitted in time, whatever today is; it was
    # due soon when submitted, but its work is finished, so it is on track, never due soon.
    assert c.classify("submitted", date(2026, 3, 13), date(2026, 3, 11)) is Timeliness.ON_TRACK
    assert c.classify("submitted", date(2026, 3, 13), date(2026, 3, 16)) is Timeliness.OVERDUE
    assert "COALESCE(completed_on, '2026-03-20'::date)" in c.predicate(Timeliness.ON_TRACK)
    assert "submitted" not in c.predicate(Timeliness.DUE_SOON)


def test_the_partial_indexes_are_spelled_as_the_predicates_that_must_use_them():
    # A partial index serves a query only when the query's condition is the index's own: if a
    # state group changes, this fails until a new migration rebuilds the index.
    import importlib

    from tasks.state import RUNNING, sql_state, sql_states

    indexes = importlib.import_module("migrations.tasks.tasks_2026_12_01t11_00_00_000000").INDEXES
    running = next(sql for sql in indexes if "task_running_counted_ix" in sql)
    submitted = next(sql for sql in indexes if "task_submitted_ix" in sql)
    assert f"ON task ({counted()}, " in running and running.endswith(f"WHERE state IN {sql_states(RUNNING)}")
    assert submitted.endswith(f"WHERE state = {sql_state(TaskState.SUBMITTED)}")
    c = classification_for(datetime(2026, 3, 3, 9, tzinfo=VN), WorkingCalendar(timezone=VN), 3, (LO, HI), postgres=True)
    assert f"state IN {sql_states(RUNNING)} AND {counted('task')} <= " in c.predicate(Timeliness.OVERDUE, alias="task")
