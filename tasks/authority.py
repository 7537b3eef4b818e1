"""Who may take which action on which task (DESIGN §2): the roles come from the transition table
(tasks.state), the relation to the task (lead or supporting division, leader in charge, director)
from here. Services refuse with 403 what `may` denies; pages show only what `available` returns."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tasks.permissions import Actor, Role
from tasks.state import TRANSITIONS, Action, allows
from tasks.tables import Setting, User

DIRECTOR_KEY = "director"


@dataclass(frozen=True)
class TaskFacts:
    """What a permission depends on, read from the task row (and the director setting)."""

    state: str
    lead_division: int
    supports: frozenset[int]
    leader_in_charge: int | None
    has_deadline: bool
    director: int | None = None

    @classmethod
    def of(cls, row: dict, supports, director: int | None = None) -> "TaskFacts":
        return cls(row["state"], row["lead_division"], frozenset(supports), row["leader_in_charge"], row["due_on"] is not None, director)


def _in_division(actor: Actor, facts: TaskFacts, *, lead_only: bool) -> bool:
    if actor.division_id is None:
        return False
    return actor.division_id == facts.lead_division or (not lead_only and actor.division_id in facts.supports)


def may(actor: Actor, action: Action, facts: TaskFacts) -> bool:
    """Whether `actor` holds the right to `action` on this task, whatever its state."""
    if actor.role not in TRANSITIONS[action].roles:
        return False
    if action is Action.REPORT_PROGRESS:
        return _in_division(actor, facts, lead_only=False)
    if action in (Action.SUBMIT, Action.REQUEST_EXTENSION):
        return _in_division(actor, facts, lead_only=True)
    if action is Action.DECIDE_EXTENSION:
        return may_decide(actor, facts.leader_in_charge, facts.director)
    return True


def may_decide(actor: Actor, leader_in_charge: int | None, director: int | None) -> bool:
    """The leader in charge decides the task's extensions, and the director may always; other
    leaders see the request, read-only."""
    return actor.role in TRANSITIONS[Action.DECIDE_EXTENSION].roles and actor.id in (leader_in_charge, director)


def available(actor: Actor, facts: TaskFacts) -> set[Action]:
    """The actions this viewer may take on the task in its present state: exactly what the task
    page offers (the services check again on every request)."""
    actions = {a for a in Action if a is not Action.DECIDE_EXTENSION and may(actor, a, facts) and allows(a, facts.state)}
    if not facts.has_deadline:
        actions.discard(Action.REQUEST_EXTENSION)
    return actions


def is_lead_report(actor: Actor, facts: TaskFacts) -> bool:
    """A progress report that moves the task: one from its lead division."""
    return _in_division(actor, facts, lead_only=True)


async def director() -> tuple[int | None, bool]:
    """The director's user id, and whether the admin chose them: while nobody is chosen (or the
    choice is no longer an active leader), the active leader with the lowest id stands in."""
    setting = await Setting.select(Setting.value).where(Setting.key == DIRECTOR_KEY).first().run()
    chosen = _json_int(setting["value"]) if setting else None
    active_leader = (User.role == Role.LEADER.value) & (User.active == True)  # noqa: E712
    if chosen is not None and await User.exists().where(active_leader & (User.id == chosen)).run():
        return chosen, True
    row = await User.select(User.id).where(active_leader).order_by(User.id).first().run()
    return (row["id"] if row else None), False


async def director_id() -> int | None:
    return (await director())[0]


def _json_int(value) -> int | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None

