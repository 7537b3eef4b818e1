"""Extension requests (xin gia hạn): a head asks for a new deadline, a leader approves or refuses.
Approval moves due_on, bumps deadline_version and keeps the original deadline."""

from __future__ import annotations

from datetime import date, datetime

from piccolo.engine.base import Engine

from tasks.audit import refuse, write_event
from tasks.calendar import WorkingCalendar
from tasks.db import transaction
from tasks.errors import N_, Conflict, Invalid, NotFound
from tasks.lifecycle import OPEN_STATES, STATE_LABELS, load_task
from tasks.permissions import Actor, is_leader, leads_task
from tasks.tables import ExtensionRequest, Task


async def request_extension(
    engine: Engine, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, requested_due_on: date, reason: str
) -> dict:
    if not reason.strip():
        raise Invalid(N_("Give a reason."), fields={"reason": N_("Required")})
    row, _ = await load_task(task_id)
    if not leads_task(actor, row["lead_division"]):
        raise await refuse(actor, now, "request_extension", "task", task_id, N_("Only the lead division may ask for an extension."), task_id=task_id)
    async with transaction(engine):
        row, _ = await load_task(task_id)
        if row["state"] not in OPEN_STATES:
            raise Conflict(N_("An extension can only be asked for a task in progress (it is {state})."), state=STATE_LABELS[row["state"]])
        if row["due_on"] is None:
            raise Conflict(N_("This task has no deadline to extend."))
        if requested_due_on <= row["due_on"]:
            raise Invalid(N_("The new deadline must be after the current one ({value})."), fields={"requested_due_on": N_("Not after the current deadline")}, value=row["due_on"].strftime("%d/%m/%Y"))
        if requested_due_on <= calendar.today(now):
            raise Invalid(N_("The new deadline must be in the future."), fields={"requested_due_on": N_("Not in the future")})
        if await ExtensionRequest.exists().where((ExtensionRequest.task == task_id) & (ExtensionRequest.state == "pending")).run():
            raise Conflict(N_("An extension request for this task is already waiting for a decision."))
        ext = (
            await ExtensionRequest.insert(
                ExtensionRequest(
                    task=task_id, requested_by=actor.id, previous_due_on=row["due_on"], requested_due_on=requested_due_on,
                    reason=reason, state="pending", created_at=now,
                )
            ).returning(*ExtensionRequest.all_columns()).run()
        )[0]
        await write_event(actor=actor, at=now, action="request_extension", entity_type="extension", entity_id=ext["id"], task_id=task_id,
                          before=None, after={"requested_due_on": requested_due_on, "previous_due_on": row["due_on"], "state": "pending"}, note=reason)
    return ext


async def decide_extension(engine: Engine, actor: Actor, now: datetime, extension_id: int, approve: bool, note: str) -> dict:
    ext = await ExtensionRequest.select().where(ExtensionRequest.id == extension_id).first().run()
    if ext is None:
        raise NotFound(N_("No extension request {value}."), value=extension_id)
    if not is_leader(actor):
        raise await refuse(actor, now, "decide_extension", "extension", extension_id, N_("Only a leader may decide on an extension."), task_id=ext["task"])
    async with transaction(engine):
        ext = await ExtensionRequest.select().where(ExtensionRequest.id == extension_id).first().run()
        if ext["state"] != "pending":
            raise Conflict(N_("This extension request has already been decided."))
        task, _ = await load_task(ext["task"])
        if approve and task["state"] not in (*OPEN_STATES, "paused"):
            raise Conflict(N_("The task is no longer in progress (it is {state}); the extension cannot be approved."), state=STATE_LABELS[task["state"]])
        decided = {"state": "approved" if approve else "refused", "decided_by": actor.id, "decided_at": now, "decision_note": note}
        await ExtensionRequest.update({getattr(ExtensionRequest, k): v for k, v in decided.items()}).where(ExtensionRequest.id == extension_id).run()
        before, after = {"state": "pending"}, {"state": decided["state"]}
        if approve:
            # One event for the whole decision: the request closes and the deadline moves together.
            moved = {"due_on": ext["requested_due_on"], "deadline_version": task["deadline_version"] + 1}
            await Task.update({Task.due_on: moved["due_on"], Task.deadline_version: moved["deadline_version"], Task.updated_at: now}).where(Task.id == task["id"]).run()
            before |= {"due_on": task["due_on"], "deadline_version": task["deadline_version"]}
            after |= moved
        await write_event(actor=actor, at=now, action="approve_extension" if approve else "refuse_extension", entity_type="extension",
                          entity_id=extension_id, task_id=task["id"], before=before, after=after, note=note)
    return {**ext, **decided}
