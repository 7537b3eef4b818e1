"""Property: for any set of tasks, any calendar and any time, every task-list filter by timeliness
(each code and combinations, with or without a division, for the office and for a head) returns
exactly the tasks timeliness() puts there, in deadline order, and its total counts them.

As in test_report_properties, Hypothesis draws the examples first and each is then written to the
real database (both engines) and listed; the failing example is printed whole.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hypothesis import strategies as st

from drawn import draw_examples
from tasks.calendar import build_calendar
from tasks.permissions import Actor, Role
from tasks.queries import TaskFilter, list_tasks
from tasks.state import TaskState
from tasks.tables import Directive, Division, Task, TaskSupport
from tasks.timeliness import TaskDates, Timeliness, timeliness

BASE = date(2026, 1, 19)
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
# A short span, so deadlines, submissions, days off and "now" meet at the boundaries often.
DAYS = st.integers(0, 21)
CODES = list(Timeliness)

task_strategy = st.tuples(
    st.integers(0, 2),  # lead division
    st.frozensets(st.integers(0, 2), max_size=2),  # supporting divisions
    # Weighted towards the states whose verdict depends on the calendar.
    st.sampled_from([*TaskState, TaskState.SUBMITTED, TaskState.DONE, TaskState.DONE, TaskState.OPEN]),
    st.one_of(st.none(), DAYS, DAYS, DAYS),  # due_on offset
    st.one_of(st.none(), st.integers(-7, 6), st.integers(-7, 6)),  # completed_on: days after due_on (None: submitted without a day)
    st.one_of(st.none(), st.none(), st.integers(1, 10)),  # missed_due_on: this many days before due_on
)
calendar_strategy = st.tuples(
    st.frozensets(DAYS, max_size=8),  # extra days off
    st.frozensets(DAYS, max_size=3),  # swapped working days (weekends or not)
)
filter_strategy = st.tuples(
    st.one_of(st.just(()), st.sampled_from(CODES).map(lambda c: (c,)), st.frozensets(st.sampled_from(CODES), min_size=2).map(tuple)),  # () = no timeliness filter
    st.one_of(st.none(), st.integers(0, 2)),  # division filter
    st.one_of(st.none(), st.integers(0, 2)),  # viewer: the office, or the head of this division
    st.integers(1, 7),  # page size
    st.integers(0, 3),  # page number
)
example_strategy = st.tuples(
    st.lists(task_strategy, min_size=5, max_size=40),
    calendar_strategy,
    st.integers(0, 25),  # now: day offset
    st.integers(0, 23),  # now: hour (UTC)
    st.integers(0, 4),  # due soon days
    st.lists(filter_strategy, min_size=1, max_size=6),
)


def day(offset: int | None) -> date | None:
    return None if offset is None else BASE + timedelta(days=offset)


async def check(example, division_ids: list[int], directive_id: int) -> None:
    tasks, (days_off, swapped), now_offset, hour, due_soon_days, filters = example
    calendar = build_calendar("Asia/Ho_Chi_Minh", [(day(d), "holiday", "") for d in days_off] + [(day(d), "working", "") for d in swapped])
    now = datetime.combine(BASE + timedelta(days=now_offset), time(hour), tzinfo=timezone.utc)
    await TaskSupport.delete(force=True).run()
    await Task.delete(force=True).run()
    stored = []  # (id, lead, supports, due_on, verdict)
    for lead, supports, state, due_offset, done_offset, missed_before in tasks:
        due = day(due_offset)
        completed = None
        if state in (TaskState.DONE, TaskState.SUBMITTED) and done_offset is not None:
            completed = (due or BASE) + timedelta(days=done_offset)
        if state == TaskState.DONE and completed is None:
            completed = BASE  # the database requires a completion day once done
        missed = None if missed_before is None or due is None else due - timedelta(days=missed_before)
        row = (await Task.insert(Task(directive=directive_id, title="t", lead_division=division_ids[lead], due_on=due, state=state,
                                      completed_on=completed, missed_due_on=missed, created_at=CREATED, updated_at=CREATED))
               .returning(Task.id).run())[0]
        for s in supports:
            await TaskSupport.insert(TaskSupport(task=row["id"], division=division_ids[s])).run()
        verdict = timeliness(TaskDates(state, due, completed, missed), now, calendar, due_soon_days)
        stored.append((row["id"], lead, supports, due, verdict))
    for codes, division, viewer, limit, page in filters:
        actor = (Actor(id=1, username="office", role=Role.OFFICE) if viewer is None
                 else Actor(id=2, username="head", role=Role.HEAD, division_id=division_ids[viewer]))
        expected = [
            (due is None, due or date.min, task_id) for task_id, lead, supports, due, verdict in stored
            if (not codes or verdict in codes)
            and (division is None or division == lead or division in supports)
            and (viewer is None or viewer == lead or viewer in supports)
        ]
        expected_ids = [key[2] for key in sorted(expected)]
        f = TaskFilter(division=None if division is None else "ABC"[division], timeliness=codes, limit=limit, offset=page * limit)
        result = await list_tasks(actor, f, now, calendar, due_soon_days)
        assert result["total"] == len(expected_ids), (example, codes, division, viewer)
        assert [i["id"] for i in result["items"]] == expected_ids[page * limit : (page + 1) * limit], (example, codes, division, viewer)
        assert all(i["timeliness"] in codes for i in result["items"]) or not codes


async def test_every_list_filter_and_its_total_agree_with_timeliness(db):
    for code in ("A", "B", "C"):
        await Division.insert(Division(code=code, name=f"Phòng {code}")).run()
    division_ids = [r["id"] for r in await Division.select(Division.id).order_by(Division.id).run()]
    await Directive.insert(Directive(number="1/TB", issuer="UBND tỉnh", created_at=CREATED)).run()
    directive_id = (await Directive.select(Directive.id).first().run())["id"]
    for example in draw_examples(example_strategy, 80):
        await check(example, division_ids, directive_id)
