"""The Friday update request: at the hour the settings give (Fridays 14:00 province time unless
changed), each head whose division has running tasks with no progress report in the last 7 days
(what the update rate counts as not updated: tasks.reports.not_updated) gets one email listing
them. One outbox row per head and day, as the digest has per leader and week, so two instances
write it once (and the webhook rows that go with them, notify.webhooks)."""

from __future__ import annotations

from datetime import date, datetime

from notify.tables import Notification
from notify.webhooks import load_hooks, with_webhooks
from tasks.calendar import WorkingCalendar
from tasks.permissions import Role
from tasks.reports import not_updated
from tasks.tables import User

REQUEST_RULE = "update_request"


async def write_requests(now: datetime, calendar: WorkingCalendar, base_url: str) -> int:
    """Write today's requests; a second run on the same day writes nothing. Returns how many."""
    today = calendar.today(now)
    stale = await not_updated(now)
    if not stale:
        return 0
    heads = await User.select(User.id, User.division).where(
        (User.role == Role.HEAD.value) & (User.active == True) & (User.email != "") & User.division.is_in(list(stale))  # noqa: E712
    ).order_by(User.id).run()
    rows = with_webhooks([
        {"kind": "request", "task": None, "rule": REQUEST_RULE, "deadline_version": int(today.strftime("%Y%m%d")), "recipient": h["id"],
         "role": "to", "due_day": today, "payload": _payload(today, stale[h["division"]], base_url), "state": "pending",
         "created_at": now, "next_attempt_at": now, "attempts": 0}
        for h in heads
    ], await load_hooks())
    if not rows:
        return 0
    return len(await Notification.insert(*[Notification(**r) for r in rows]).on_conflict(action="DO NOTHING").returning(Notification.id).run())


def _payload(today: date, tasks: list[dict], base_url: str) -> dict:
    return {"day": today.isoformat(), "tasks": [
        {"id": t["id"], "title": t["title"], "due_on": t["due_on"].isoformat() if t["due_on"] else None, "directive": t["directive"],
         "url": f"{base_url}/tasks/{t['id']}"}
        for t in tasks
    ]}
