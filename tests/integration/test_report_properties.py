"""Property: for any set of tasks and any as-of time, the report's categories partition the tasks,
each task lands where timeliness() puts it, and both completion rates are their formulas.

Hypothesis draws the examples; each is then written to the real database (both engines) and
reported on. (Hypothesis cannot drive an async test over a shared pool directly, so the examples
are drawn first and checked in turn: shrinking is lost, the failing example is printed whole.)
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from hypothesis import strategies as st

from drawn import draw_examples
from tasks.calendar import build_calendar
from tasks.overdue import overdue_list
from tasks.reports import completion_report
from tasks.tables import Directive, Division, ProgressReport, Task
from tasks.timeliness import TaskDates, Timeliness, timeliness, working_days_overdue

# With an extra day off on a Friday and a swapped working Saturday, so shifts are exercised.
CAL = build_calendar("Asia/Ho_Chi_Minh", [(date(2026, 3, 13), "holiday", "Nghỉ bù"), (date(2026, 3, 21), "working", "Làm bù")])
BASE = date(2026, 1, 19)
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)

task_strategy = st.tuples(
    st.integers(0, 2),  # division
    st.sampled_from(["open", "in_progress", "submitted", "done", "paused", "cancelled"]),
    st.one_of(st.none(), st.integers(0, 90)),  # due_on offset
    st.integers(0, 90),  # completed_on offset
    st.booleans(),  # a progress report a few days before as_of
    st.one_of(st.none(), st.integers(1, 20)),  # missed_due_on: this many days before due_on
)
example_strategy = st.tuples(
    st.lists(task_strategy, min_size=0, max_size=30),
    st.integers(0, 100),  # as_of day offset
    st.integers(0, 23),  # as_of hour (UTC)
    st.integers(0, 4),  # due soon days
)


async def check(example) -> None:
    tasks, as_of_offset, hour, due_soon_days = example
    as_of = datetime.combine(BASE + timedelta(days=as_of_offset), time(hour), tzinfo=timezone.utc)
    today = CAL.today(as_of)
    await ProgressReport.delete(force=True).run()
    await Task.delete(force=True).run()
    division_ids = [r["id"] for r in await Division.select(Division.id).order_by(Division.id).run()]
    directive_id = (await Directive.select(Directive.id).first().run())["id"]
    expected: dict[int, Counter] = {d: Counter() for d in division_ids}
    open_tasks = Counter()
    updated = Counter()
    days_overdue: dict[int, int] = {}
    for division, state, due_offset, done_offset, reported, missed_before in tasks:
        due = None if due_offset is None else BASE + timedelta(days=due_offset)
        missed = None if due is None or missed_before is None else due - timedelta(days=missed_before)
        completed = BASE + timedelta(days=done_offset) if state in ("done", "submitted") else None
        row = (await Task.insert(Task(directive=directive_id, title="t", lead_division=division_ids[division], due_on=due, state=state,
                                      completed_on=completed, missed_due_on=missed, created_at=CREATED, updated_at=CREATED)).returning(Task.id).run())[0]
        if reported:
            await ProgressReport.insert(ProgressReport(task=row["id"], note="n", reported_at=as_of - timedelta(days=3))).run()
        # As the task stood on `today` (the report's documented reading of a past as-of time).
        stood = "in_progress" if completed is not None and completed > today else state
        verdict = timeliness(TaskDates(stood, due, completed if stood != "in_progress" else None, missed), as_of, CAL, due_soon_days)
        expected[division_ids[division]][verdict.value if verdict else "stopped"] += 1
        if verdict is Timeliness.OVERDUE:
            dates = TaskDates(stood, due, completed if stood != "in_progress" else None, missed)
            days_overdue[row["id"]] = working_days_overdue(dates, as_of, CAL)
        if stood in ("open", "in_progress"):
            open_tasks[division_ids[division]] += 1
            updated[division_ids[division]] += reported
    report = await completion_report(None, CAL, as_of, due_soon_days=due_soon_days)
    categories = ("done_on_time", "done_late", "on_track", "due_soon", "overdue", "no_deadline", "stopped")
    for row in report.rows:
        t = row.tally
        assert t.assigned == sum(getattr(t, c) for c in categories), example  # a partition
        assert {c: getattr(t, c) for c in categories if getattr(t, c)} == dict(expected[row.key]), example
        assert (t.open_tasks, t.updated) == (open_tasks[row.key], updated[row.key]), example
        rates = t.rates()
        done = t.done_on_time + t.done_late
        assert (rates["completion_of_due"].numerator, rates["completion_of_due"].denominator) == (done, done + t.overdue)
        assert (rates["completion_of_assigned"].numerator, rates["completion_of_assigned"].denominator) == (done, t.assigned - t.stopped)
        assert rates["on_time"].value == (None if done == 0 else t.done_on_time / done)
    assert report.total.assigned == len(tasks)
    # One count of working days overdue: the overdue list's agrees with working_days_overdue().
    listed = await overdue_list(None, CAL, as_of, due_soon_days=due_soon_days)
    assert {i.task_id: i.working_days_overdue for i in listed} == days_overdue, example


async def test_the_categories_partition_the_tasks_and_agree_with_timeliness(db):
    for code in ("A", "B", "C"):
        await Division.insert(Division(code=code, name=f"Phòng {code}")).run()
    await Directive.insert(Directive(number="1/TB", issuer="UBND tỉnh", created_at=CREATED)).run()
    for example in draw_examples(example_strategy, 40):
        await check(example)
