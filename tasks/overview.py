"""Read models for the pages: tasks grouped by timeliness, pending extension requests, a task's available actions and a year's calendar. Timeliness always comes from
tasks.timeliness.timeliness, the one source of truth (per-division figures: tasks.reports)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tasks.calendar import WorkingCalendar, public_holiday
from tasks.authority import TaskFacts, available, director_id, may, may_decide
from tasks.extensions import ExtensionState
from tasks.lifecycle import load_task
from tasks.permissions import Actor
from tasks.state import Action
from tasks.tables import Division, ExtensionRequest, User
from tasks.timeliness import TaskDates, Timeliness, working_days_overdue

# The order a division head reads their tasks in: what is late first, what is finished last.
TIMELINESS_ORDER = (
    Timeliness.OVERDUE, Timeliness.DUE_SOON, Timeliness.ON_TRACK, Timeliness.NO_DEADLINE,
    Timeliness.DONE_LATE, Timeliness.DONE_ON_TIME,
)


def with_days_overdue(items: list[dict], now: datetime, calendar: WorkingCalendar) -> list[dict]:
    for item in items:
        item["days_overdue"] = working_days_overdue(
            TaskDates(item["state"], item["due_on"], item["completed_on"], item.get("missed_due_on")), now, calendar)
    return items


def group_by_timeliness(items: list[dict]) -> list[tuple[str, list[dict]]]:
    """Groups in TIMELINESS_ORDER (overdue first), then stopped tasks; empty groups left out."""
    groups: dict[str | None, list[dict]] = {}
    for item in items:
        groups.setdefault(item["timeliness"], []).append(item)
    ordered = [(code.value, groups[code.value]) for code in TIMELINESS_ORDER if code.value in groups]
    if None in groups:
        ordered.append(("stopped", groups[None]))
    return ordered


async def with_progress_right(actor: Actor, items: list[dict]) -> list[dict]:
    """Mark each listed task (as tasks.queries presents it) with `may_report_progress`: whether
    this viewer may report progress on it now, as tasks.authority decides for the task page."""
    ids = {d["code"]: d["id"] for d in await Division.select(Division.id, Division.code).run()} if items else {}
    for item in items:
        # The leader in charge has no part in this right, so it is left out of the facts.
        facts = TaskFacts(item["state"], ids[item["lead_division"]], frozenset(ids[c] for c in item["support_divisions"]),
                          None, item["due_on"] is not None)
        item["may_report_progress"] = Action.REPORT_PROGRESS in available(actor, facts)
    return items


async def pending_extensions(actor: Actor | None = None) -> list[dict]:
    """The requests waiting for a decision, each with `may_decide` for `actor` (the leader in
    charge of its task, or the director)."""
    rows = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.task, ExtensionRequest.previous_due_on, ExtensionRequest.requested_due_on,
        ExtensionRequest.reason, ExtensionRequest.created_at,
        ExtensionRequest.task.title.as_alias("task_title"),
        ExtensionRequest.task.lead_division.code.as_alias("division"),
        ExtensionRequest.task.leader_in_charge.as_alias("leader_in_charge"),
        ExtensionRequest.requested_by.full_name.as_alias("requested_by"),
    ).where(ExtensionRequest.state == ExtensionState.PENDING).order_by(ExtensionRequest.id).run()
    director = await director_id() if rows and actor is not None else None
    for r in rows:
        r["may_decide"] = actor is not None and may_decide(actor, r["leader_in_charge"], director)
    return rows


async def get_extension(extension_id: int) -> dict | None:
    rows = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.task, ExtensionRequest.state, ExtensionRequest.previous_due_on,
        ExtensionRequest.requested_due_on, ExtensionRequest.reason, ExtensionRequest.created_at, ExtensionRequest.decision_note,
        ExtensionRequest.task.title.as_alias("task_title"),
        ExtensionRequest.task.lead_division.code.as_alias("division"),
        ExtensionRequest.requested_by.full_name.as_alias("requested_by"),
    ).where(ExtensionRequest.id == extension_id).run()
    return rows[0] if rows else None


# The task page's names for the actions of the transition table.
PAGE_ACTIONS = {Action.REPORT_PROGRESS: "progress", Action.REQUEST_EXTENSION: "extension", Action.DECIDE_EXTENSION: "decide"}


async def task_actions(actor: Actor, task_id: int) -> set[str]:
    """The actions this viewer may take on this task now, by role, division and state: the page
    shows exactly these (the services check again on every request). "decide" is there when a
    request is pending and this viewer decides it."""
    row, supports = await load_task(task_id)
    pending = await ExtensionRequest.exists().where((ExtensionRequest.task == task_id) & (ExtensionRequest.state == ExtensionState.PENDING)).run()
    facts = TaskFacts.of(row, supports, await director_id() if pending else None)
    actions = available(actor, facts)
    if pending and may(actor, Action.DECIDE_EXTENSION, facts):
        actions.add(Action.DECIDE_EXTENSION)
    return {PAGE_ACTIONS.get(a, a.value) for a in actions}


async def user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await User.select(User.id, User.full_name, User.username).where(User.id.is_in(list(user_ids))).run()
    return {r["id"]: r["full_name"] or r["username"] for r in rows}


def year_calendar(calendar: WorkingCalendar, year: int) -> list[dict]:
    """Every day of `year` that is not an ordinary Monday–Friday working day or ordinary weekend:
    weekday days off (public holidays and the admin's extra days), weekend working days, and
    public holidays marked as worked; `public` names the built-in holiday of the day, if any."""
    days, day = [], date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working(day)
        weekend = day.weekday() >= 5
        public = public_holiday(day)
        if not working and not weekend:
            days.append({"day": day, "kind": "holiday", "name": calendar.holiday_name(day) or "", "public": public})
        elif working and (weekend or public):
            days.append({"day": day, "kind": "working", "name": calendar.names.get(day, ""), "public": public})
        day += timedelta(days=1)
    return days
