"""A division's open deadlines as an iCalendar feed (RFC 5545), for heads to subscribe to on their
phones: one all-day event per open task on its effective due date (the day it must be done by)."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from tasks.calendar import WorkingCalendar
from tasks.tables import Division, Task, TaskSupport
from tasks.timeliness import TaskDates, effective_due_on

FEED_STATES = ("open", "in_progress")


async def division_by_code(code: str) -> dict | None:
    return await Division.select(Division.id, Division.code, Division.name).where(
        (Division.code == code) & (Division.active == True)  # noqa: E712
    ).first().run()


async def deadline_feed(division: dict, now: datetime, calendar: WorkingCalendar, base_url: str) -> bytes:
    supported = TaskSupport.select(TaskSupport.task).where(TaskSupport.division == division["id"])
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.due_on, Task.deadline_version, Task.lead_division, Task.directive.number,
        Task.lead_division.name,
    ).where(
        Task.state.is_in(list(FEED_STATES)) & Task.due_on.is_not_null()
        & ((Task.lead_division == division["id"]) | Task.id.is_in(supported))
    ).order_by(Task.due_on).run()
    cal = Calendar()
    cal.add("prodid", "-//dondoc//hạn xử lý//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Hạn xử lý — {division['name']}")
    cal.add("x-wr-timezone", str(calendar.timezone))
    for r in rows:
        due = effective_due_on(TaskDates(r["state"], r["due_on"]), calendar)
        role = "Chủ trì" if r["lead_division"] == division["id"] else f"Phối hợp với {r['lead_division.name']}"
        event = Event()
        # A new deadline (extension) is a new version of the same event, not a second event.
        event.add("uid", f"task-{r['id']}@dondoc")
        event.add("sequence", r["deadline_version"])
        event.add("dtstamp", now)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"[{role}] {r['title']}")
        event.add("description", f"Văn bản {r['directive.number']}; hạn xử lý {r['due_on'].strftime('%d/%m/%Y')}"
                  + (f" (chuyển sang {due.strftime('%d/%m/%Y')}, ngày làm việc kế tiếp)" if due != r["due_on"] else "")
                  + f"\n{base_url}/tasks/{r['id']}")
        event.add("url", f"{base_url}/tasks/{r['id']}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
