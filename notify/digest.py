"""The weekly digest for the leaders' Monday meeting: the overdue list by division (working days
overdue, last progress note) and last week's figures, frozen as of the digest's Monday."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from notify.tables import Notification
from tasks.calendar import WorkingCalendar
from tasks.tables import Division, ProgressReport, Task, User
from tasks.timeliness import TaskDates, Timeliness, overdue_cutoff, timeliness, working_days_overdue

DIGEST_RULE = "weekly_digest"
RUNNING = ("open", "in_progress", "submitted")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _utc(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.timezone)


async def digest_payload(now: datetime, calendar: WorkingCalendar, base_url: str) -> dict:
    today = calendar.today(now)
    monday = monday_of(today)
    week_start, week_end = monday - timedelta(days=7), monday - timedelta(days=1)
    # Overdue exactly as timeliness() says, prefiltered in SQL by the cutoff that agrees with it.
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.due_on, Task.completed_on, Task.lead_division,
        Task.directive.number.as_alias("directive_number"), Task.directive.issued_on.as_alias("directive_issued_on"),
    ).where(Task.state.is_in(list(RUNNING)) & (Task.due_on <= overdue_cutoff(today, calendar))).run()
    overdue = [r for r in rows if timeliness(TaskDates(r["state"], r["due_on"], r["completed_on"]), now, calendar) is Timeliness.OVERDUE]
    notes: dict[int, str] = {}
    if overdue:
        for p in await ProgressReport.select(ProgressReport.task, ProgressReport.note).where(
            ProgressReport.task.is_in([r["id"] for r in overdue])
        ).order_by(ProgressReport.reported_at).order_by(ProgressReport.id).run():
            notes[p["task"]] = p["note"]
    names = {d["id"]: d["name"] for d in await Division.select(Division.id, Division.name).run()}
    by_division: dict[int, list[dict]] = {}
    for r in overdue:
        by_division.setdefault(r["lead_division"], []).append({
            "id": r["id"], "title": r["title"], "directive": r["directive_number"],
            "directive_issued_on": r["directive_issued_on"].isoformat() if r["directive_issued_on"] else None,
            "due_on": r["due_on"].isoformat(), "url": f"{base_url}/tasks/{r['id']}", "last_note": notes.get(r["id"], ""),
            "days_overdue": working_days_overdue(TaskDates(r["state"], r["due_on"], r["completed_on"]), now, calendar),
        })
    divisions = [
        {"name": names.get(division_id, "?"), "tasks": sorted(tasks, key=lambda t: (-t["days_overdue"], t["id"]))}
        for division_id, tasks in sorted(by_division.items(), key=lambda kv: (-len(kv[1]), names.get(kv[0], "")))
    ]
    done = await Task.select(Task.state, Task.due_on, Task.completed_on).where(
        (Task.state == "done") & (Task.completed_on >= week_start) & (Task.completed_on <= week_end)
    ).run()
    codes = [timeliness(TaskDates(r["state"], r["due_on"], r["completed_on"]), now, calendar) for r in done]
    assigned = await Task.count().where((Task.created_at >= _utc(week_start, calendar)) & (Task.created_at < _utc(monday, calendar))).run()
    running = await Task.count().where(Task.state.is_in(["open", "in_progress"])).run()
    return {
        "monday": monday.isoformat(), "week_start": week_start.isoformat(), "week_end": week_end.isoformat(),
        "overdue_total": len(overdue), "divisions": divisions,
        "summary": {"assigned": assigned, "done_on_time": codes.count(Timeliness.DONE_ON_TIME),
                    "done_late": codes.count(Timeliness.DONE_LATE), "open": running},
    }


async def leaders() -> list[dict]:
    return await User.select(User.id, User.username, User.full_name, User.email).where(
        (User.role == "leader") & (User.active == True) & (User.email != "")  # noqa: E712
    ).order_by(User.id).run()


async def write_digest(payload: dict, now: datetime) -> int:
    """One row per leader for this Monday; a second run in the same week writes nothing."""
    version = int(payload["monday"].replace("-", ""))
    people = await leaders()
    if not people:
        return 0
    rows = [
        Notification(kind="digest", task=None, rule=DIGEST_RULE, deadline_version=version, recipient=p["id"], role="to",
                     due_day=date.fromisoformat(payload["monday"]), payload=payload, state="pending", created_at=now,
                     next_attempt_at=now, attempts=0)
        for p in people
    ]
    return len(await Notification.insert(*rows).on_conflict(action="DO NOTHING").returning(Notification.id).run())
