"""The one audit writer: every change appends an AuditEvent (who, when, what, before → after)."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any, Mapping

import contextlib
from contextvars import ContextVar
from typing import Iterator

from tasks import notices
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
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    return value


def changed_only(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Keep only the keys whose value differs, so history reads as what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


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
    rows = await AuditEvent.insert(
        AuditEvent(
            at=at,
            actor=actor.id if actor else None,
            actor_username=actor.username if actor else "system",
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            task=task_id,
            before=None if before is None else json.dumps(_plain(before), ensure_ascii=False),
            after=None if after is None else json.dumps(_plain(after), ensure_ascii=False),
            note=note,
            via=_VIA.get(),
        )
    ).returning(AuditEvent.id).run()
    if task_id is not None and action in notices.RULES:
        await notices.record([notices.Change(rows[0]["id"], action, task_id, actor.id if actor else None, at, after)])


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
