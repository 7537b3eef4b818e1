"""Reading the outbox for the API: who may see which notifications."""

from __future__ import annotations

from typing import Any

from notify.tables import Notification
from tasks.errors import N_, Invalid
from tasks.permissions import Actor, sees_all_tasks
from tasks.tables import Task, TaskSupport, User

STATES = ("pending", "sent", "failed", "skipped")
MAX_PAGE = 500


async def list_notifications(
    actor: Actor, *, task: int | None = None, state: str | None = None, recipient: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """Admin, leaders and the office see every notification; a division head sees those about the
    tasks their division leads or supports (and no weekly digests)."""
    if state is not None and state not in STATES:
        raise Invalid(N_("Unknown state: {value}"), fields={"state": N_("Unknown state")}, value=state)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise Invalid(N_("Paging out of range: limit 1–{n}, offset from 0."), fields={"limit": N_("Out of range")}, n=MAX_PAGE)
    clauses = []
    if not sees_all_tasks(actor):
        mine = actor.division_id or -1
        clauses.append(Notification.task.is_in(Task.select(Task.id).where(
            (Task.lead_division == mine) | Task.id.is_in(TaskSupport.select(TaskSupport.task).where(TaskSupport.division == mine)))))
    if task is not None:
        clauses.append(Notification.task == task)
    if state is not None:
        clauses.append(Notification.state == state)
    if recipient is not None:
        row = await User.select(User.id).where(User.username == recipient).first().run()
        if row is None:
            raise Invalid(N_("No such user: {value}"), fields={"recipient": N_("Unknown user")}, value=recipient)
        clauses.append(Notification.recipient == row["id"])
    count, select = Notification.count(), Notification.select(
        Notification.id, Notification.kind, Notification.task, Notification.task.title.as_alias("task_title"), Notification.rule,
        Notification.deadline_version, Notification.recipient.username.as_alias("recipient"),
        Notification.recipient.email.as_alias("email"), Notification.role, Notification.channel, Notification.webhook,
        Notification.state, Notification.due_day,
        Notification.attempts, Notification.created_at, Notification.next_attempt_at, Notification.sent_at,
        Notification.message_id, Notification.last_error,
    )
    for clause in clauses:
        count, select = count.where(clause), select.where(clause)
    total = await count.run()
    items = await select.order_by(Notification.id, ascending=False).limit(limit).offset(offset).run()
    return {"items": items, "total": total}
