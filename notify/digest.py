"""The weekly digest for the leaders' Monday meeting: the overdue list by division and the completion
figures, frozen as of the digest's time. Both come from where the report page takes them
(tasks.overdue.overdue_list, tasks.reports.completion_report), so the email, the report page and
the leader's home give one answer to one question."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from notify.tables import Notification
from notify.webhooks import load_hooks, with_webhooks
from tasks.calendar import WorkingCalendar
from tasks.dates import as_date
from tasks.overdue import OverdueItem, overdue_list
from tasks.permissions import Role
from tasks.reports import Rate, Tally, completion_report, tally_dict
from tasks.tables import User
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS

DIGEST_RULE = "weekly_digest"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _task(item: OverdueItem, base_url: str) -> dict[str, Any]:
    return {
        "id": item.task_id, "title": item.title, "directive": item.directive_number,
        "directive_issued_on": _iso(item.directive_issued_on), "due_on": _iso(item.due_on),
        "effective_due_on": _iso(item.effective_due_on), "days_overdue": item.working_days_overdue, "leader": item.leader,
        "last_note": item.last_note, "last_note_on": _iso(item.last_note_on), "url": f"{base_url}/tasks/{item.task_id}",
    }


def _figures(tally: Tally) -> dict[str, Any]:
    # "In progress" as the DOCX report counts it: running and not overdue, whatever due_soon_days is.
    return {**tally_dict(tally), "underway": tally.on_track + tally.due_soon + tally.no_deadline}


async def digest_payload(now: datetime, calendar: WorkingCalendar, base_url: str,
                         due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> dict:
    """JSON-ready (it is stored with each leader's notification): dates as ISO text, rates as
    numerator and denominator, formatted only when rendered in the recipient's language."""
    today = calendar.today(now)
    monday = monday_of(today)
    week_start, week_end = monday - timedelta(days=7), monday - timedelta(days=1)
    # The report's overdue list as of now, grouped by lead division, in its own order within each.
    items = await overdue_list(None, calendar, now, due_soon_days=due_soon_days, group_by="division")
    divisions: dict[str, dict[str, Any]] = {}
    for item in items:
        division = divisions.get(item.division_code)
        if division is None:
            division = divisions[item.division_code] = {"code": item.division_code, "name": item.division_name, "tasks": []}
        division["tasks"].append(_task(item, base_url))
    everything = await completion_report(None, calendar, now, due_soon_days=due_soon_days)
    last_week = await completion_report(None, calendar, now, week_start, week_end, due_soon_days=due_soon_days)
    return {
        "as_of": now.isoformat(), "day": today.isoformat(), "monday": monday.isoformat(), "week_start": week_start.isoformat(), "week_end": week_end.isoformat(),
        "overdue_total": len(items), "divisions": list(divisions.values()),
        "summary": _figures(everything.total), "last_week": _figures(last_week.total),
    }


def _rates(figures: dict) -> dict:
    return {**figures, "rates": {k: Rate(r["numerator"], r["denominator"]) for k, r in figures["rates"].items()}}


def digest_context(payload: dict) -> dict:
    """The stored payload as the email templates read it: dates as dates, rates as Rate (which the
    templates print through tasks.formatting.format_percent in the recipient's language)."""
    dates = ("due_on", "effective_due_on", "directive_issued_on", "last_note_on")
    divisions = [{**d, "tasks": [{**t, **{k: as_date(t.get(k)) for k in dates}} for t in d["tasks"]]} for d in payload["divisions"]]
    return {**payload, "divisions": divisions, "day": as_date(payload["day"]), "monday": as_date(payload["monday"]), "week_start": as_date(payload["week_start"]),
            "week_end": as_date(payload["week_end"]), "summary": _rates(payload["summary"]), "last_week": _rates(payload["last_week"])}


async def leaders() -> list[dict]:
    return await User.select(User.id, User.username, User.full_name, User.email).where(
        (User.role == Role.LEADER) & (User.active == True) & (User.email != "")  # noqa: E712
    ).order_by(User.id).run()


async def write_digest(payload: dict, now: datetime) -> int:
    """One row per leader for this Monday (and one per webhook of theirs); a second run in the same
    week writes nothing."""
    version = int(payload["monday"].replace("-", ""))
    people = await leaders()
    if not people:
        return 0
    rows = with_webhooks([
        {"kind": "digest", "task": None, "rule": DIGEST_RULE, "deadline_version": version, "recipient": p["id"], "role": "to",
         "due_day": date.fromisoformat(payload["monday"]), "payload": payload, "state": "pending", "created_at": now,
         "next_attempt_at": now, "attempts": 0}
        for p in people
    ], await load_hooks())
    return len(await Notification.insert(*[Notification(**r) for r in rows]).on_conflict(action="DO NOTHING").returning(Notification.id).run())
