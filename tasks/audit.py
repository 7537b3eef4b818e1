"""The one audit writer: every change appends an AuditEvent (who, when, what, before → after)."""

from __future__ import annotations

import contextlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable, Iterator, Mapping

from tasks import notices
from tasks.db import insert_rows
from tasks.errors import Forbidden
from tasks.permissions import Actor
from tasks.tables import AuditEvent


# The channel a change came through, when it is not the signed-in pages or the API: "email_link"
# for the one-tap page of an email. Set for a request by acting_via(); every event written meanwhile
# carries it.
_VIA: ContextVar[str] = ContextVar("dondoc_audit_via", default="")


@contextlib.contextmanager
def acting_via(channel: str) -> Iterator[None]:
    token = _VIA.set(channel)
    try:
        yield
    finally:
        _VIA.reset(token)


def _plain(value: Any) -> Any:
    """What JSON cannot hold, as the audit log writes it (json.dumps calls this for those only)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} to the audit log")


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=_plain)


def changed_only(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Keep only the keys whose value differs, so history reads as what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass(frozen=True)
class Event:
    """One audit event: `actor` None is the command line, run by whoever administers the server."""

    actor: Actor | None
    at: datetime
    action: str
    entity_type: str
    entity_id: int | None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    task_id: int | None = None
    note: str = ""


def _encoded(event: Event) -> dict[str, Any]:
    """The one encoding of an event as an `audit_event` row."""
    return {
        "at": event.at,
        "actor": event.actor.id if event.actor else None,
        "actor_username": event.actor.username if event.actor else "system",
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "task": event.task_id,
        "before": _json(event.before),
        "after": _json(event.after),
        "note": event.note,
        "via": _VIA.get(),
    }


async def write_events(events: Iterable[Event], people: Mapping[int, notices.TaskPeople] | None = None) -> None:
    """Append the events, batched, and tell the people each change concerns (tasks.notices; `people`
    of tasks the caller has just written spares reading them again). Call inside the transaction
    of the changes they record."""
    events = list(events)
    rows = await insert_rows(AuditEvent, [_encoded(e) for e in events], returning=("id",))
    await notices.record((notices.Change(r["id"], e.action, e.task_id, e.actor.id if e.actor else None, e.at, e.after)
                          for r, e in zip(rows, events) if e.task_id is not None and e.action in notices.RULES), people)


async def write_event(
    *,
    actor: Actor | None,
    at: datetime,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    task_id: int | None = None,
    note: str = "",
) -> None:
    """Call inside the transaction of the change it records; the people a change concerns are
    told of it there too (tasks.notices)."""
    await write_events([Event(actor, at, action, entity_type, entity_id, before, after, task_id, note)])


async def refuse(
    actor: Actor, at: datetime, action: str, entity_type: str, entity_id: int | None, message: str,
    task_id: int | None = None,
) -> Forbidden:
    """Record a refused attempt (in its own write, since the refused change is not made) and
    return the error to raise."""
    await write_event(
        actor=actor,
        at=at,
        action="forbidden",
        entity_type=entity_type,
        entity_id=entity_id,
        before=None,
        after={"attempted": action},
        task_id=task_id,
    )
    return Forbidden(message)
