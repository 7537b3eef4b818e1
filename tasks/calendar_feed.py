"""A division's open deadlines as an iCalendar feed (RFC 5545), for heads to subscribe to on their
phones: one all-day event per open task on its effective due date (the day it must be done by).
A task whose missed deadline the office corrected is still counted late against it (tasks.timeliness):
its event stays on the current deadline, the one to meet, and says since when it counts as overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from piccolo.columns.combination import WhereRaw

from tasks.calendar import WorkingCalendar
from tasks.dates import format_date
from tasks.queries import ORDER, in_division
from tasks.state import RUNNING, sql_states
from tasks.tables import Division, Task

FEED_STATES = RUNNING


async def division_by_code(code: str) -> dict | None:
    return await Division.select(Division.id, Division.code, Division.name, Division.feed_version).where(
        (Division.code == code) & (Division.active == True)  # noqa: E712
    ).first().run()


async def division_by_id(division_id: int | None) -> dict | None:
    """An active division's code and feed version (the head's page shows its feed URL)."""
    if division_id is None:
        return None
    return await Division.select(Division.id, Division.code, Division.name, Division.feed_version).where(
        (Division.id == division_id) & (Division.active == True)  # noqa: E712
    ).first().run()


async def deadline_feed(division: dict, now: datetime, calendar: WorkingCalendar, base_url: str) -> bytes:
    # The division's tasks as the task list finds them, in the list's deadline order.
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.due_on, Task.missed_due_on, Task.deadline_version, Task.lead_division,
        Task.directive.number, Task.lead_division.name,
    ).where(WhereRaw(
        f"task.state IN {sql_states(FEED_STATES)} AND task.due_on IS NOT NULL AND {in_division(division['id'])}"
    )).order_by(ORDER).run()
    cal = Calendar()
    cal.add("prodid", "-//dondoc//hạn xử lý//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Hạn xử lý — {division['name']}")
    cal.add("x-wr-timezone", str(calendar.timezone))
    for r in rows:
        due = calendar.effective_due(r["due_on"])
        role = "Chủ trì" if r["lead_division"] == division["id"] else f"Phối hợp với {r['lead_division.name']}"
        event = Event()
        # A new deadline (extension) is a new version of the same event, not a second event.
        event.add("uid", f"task-{r['id']}@dondoc")
        event.add("sequence", r["deadline_version"])
        event.add("dtstamp", now)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"[{role}] {r['title']}")
        event.add("description", f"Văn bản {r['directive.number']}; hạn xử lý {format_date(r['due_on'])}"
                  + (f" (chuyển sang {format_date(due)}, ngày làm việc kế tiếp)" if due != r["due_on"] else "")
                  + (f"; đã quá hạn từ {format_date(calendar.effective_due(r['missed_due_on']))}" if r["missed_due_on"] else "")
                  + f"\n{base_url}/tasks/{r['id']}")
        event.add("url", f"{base_url}/tasks/{r['id']}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
