"""Who may do what (DESIGN §2), as pure checks on an Actor; the services call them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable


class Role(StrEnum):
    OFFICE = "office"
    HEAD = "head"
    LEADER = "leader"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    role: Role
    division_id: int | None = None
    locale: str = "vi"


def is_office(actor: Actor) -> bool:
    # Admins keep office rights over task data and nothing beyond them.
    return actor.role in (Role.OFFICE, Role.ADMIN)


def is_leader(actor: Actor) -> bool:
    return actor.role == Role.LEADER


def is_admin(actor: Actor) -> bool:
    return actor.role == Role.ADMIN


def sees_all_tasks(actor: Actor) -> bool:
    return actor.role != Role.HEAD


def can_view_task(actor: Actor, lead_division_id: int, support_division_ids: Iterable[int]) -> bool:
    if sees_all_tasks(actor):
        return True
    return actor.division_id is not None and (
        actor.division_id == lead_division_id or actor.division_id in set(support_division_ids)
    )


def leads_task(actor: Actor, lead_division_id: int) -> bool:
    """Progress as the task's own, submission and extension requests belong to the lead division's head."""
    return actor.role == Role.HEAD and actor.division_id is not None and actor.division_id == lead_division_id


def can_report_progress(actor: Actor, lead_division_id: int, support_division_ids: Iterable[int]) -> bool:
    return actor.role == Role.HEAD and can_view_task(actor, lead_division_id, support_division_ids)
