"""Who may do what (DESIGN §2), as pure checks on an Actor. The services refuse what these deny;
the pages, their templates (through `rights`) and the API only ask them. What depends on a task
(its division, leader in charge, state) is in tasks.authority."""

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
    # The user's credential version when this actor signed in (User.credential_version): a token
    # or session carrying an older one is no longer honoured.
    credential_version: int = 1


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


# The named rights that do not depend on a task. Each service checks its own; a page asks the
# same one before it offers the link, the button or the form.


def may_read_register(actor: Actor) -> bool:
    """The directive register is the office's and the leaders' (heads see their tasks, not the
    register)."""
    return sees_all_tasks(actor)


def may_record_directive(actor: Actor) -> bool:
    """Record directives and create their tasks."""
    return is_office(actor)


def may_import(actor: Actor) -> bool:
    return is_office(actor)


def may_confirm_submissions(actor: Actor) -> bool:
    """The office's queue of submitted tasks (tasks.state gives the office the confirm and return)."""
    return is_office(actor)


def may_admin(actor: Actor) -> bool:
    """Users, divisions, the calendar, the escalation settings and the report header."""
    return is_admin(actor)


def may_read_reports(actor: Actor) -> bool:
    """Every role reads the reports; a division head's are scoped to their division (tasks.report_sql)."""
    return True


def has_division_home(actor: Actor) -> bool:
    """"My division": a head's tasks grouped by timeliness."""
    return actor.role == Role.HEAD


def has_leader_overview(actor: Actor) -> bool:
    return is_leader(actor)


@dataclass(frozen=True)
class Rights:
    """The viewer's task-independent rights, as flags a template reads (the menu, the buttons)."""

    confirm_submissions: bool
    division_home: bool
    leader_overview: bool
    read_register: bool
    record_directive: bool
    import_tasks: bool
    read_reports: bool
    admin: bool


def rights(actor: Actor) -> Rights:
    return Rights(
        confirm_submissions=may_confirm_submissions(actor), division_home=has_division_home(actor),
        leader_overview=has_leader_overview(actor), read_register=may_read_register(actor),
        record_directive=may_record_directive(actor), import_tasks=may_import(actor),
        read_reports=may_read_reports(actor), admin=may_admin(actor),
    )
