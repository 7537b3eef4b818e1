"""The task state machine (DESIGN §3): the states, the named groups of states, and the transition
table (action → from-states, to-state, roles). Services, page actions, templates and SQL read it;
no task state is spelled anywhere else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from tasks.errors import N_
from tasks.permissions import Role


class TaskState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"


ALL_STATES = frozenset(TaskState)
# In the division's hands: progress, submission and extension requests; the ladder urges these.
RUNNING = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS})
URGED = RUNNING
# Not finished and not stopped: what a division or the office still has to act on.
LIVE = RUNNING | {TaskState.SUBMITTED}
# Stopped by a leader's decision: no timeliness, left out of every rate and of escalation.
STOPPED = frozenset({TaskState.PAUSED, TaskState.CANCELLED})
FINISHED = frozenset({TaskState.DONE})
# Submitted or done: the division has said it finished, on `completed_on`.
COMPLETED = frozenset({TaskState.SUBMITTED, TaskState.DONE})

STATE_LABELS = {
    TaskState.OPEN: N_("newly assigned"),
    TaskState.IN_PROGRESS: N_("in progress"),
    TaskState.SUBMITTED: N_("submitted, awaiting confirmation"),
    TaskState.DONE: N_("done"),
    TaskState.PAUSED: N_("paused"),
    TaskState.CANCELLED: N_("cancelled"),
}


class Action(StrEnum):
    REPORT_PROGRESS = "report_progress"
    SUBMIT = "submit"
    CONFIRM = "confirm"
    RETURN = "return"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    ASSIGN = "assign"
    CORRECT = "correct"
    REOPEN = "reopen"
    STAR = "star"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"


@dataclass(frozen=True)
class Transition:
    """`to` is None when the action leaves the state as it is (or, for progress and resume, when
    the new state depends on the task: see `state_after`)."""

    action: Action
    sources: frozenset[TaskState]
    to: TaskState | None
    roles: frozenset[Role]
    refusal: str  # msgid with {state}: why the action is not possible in the task's state


_OFFICE = frozenset({Role.OFFICE, Role.ADMIN})  # admins keep office rights over task data

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.REPORT_PROGRESS, RUNNING, TaskState.IN_PROGRESS, frozenset({Role.HEAD}),
                   N_("Progress can only be reported on a task in progress (it is {state}).")),
        Transition(Action.SUBMIT, RUNNING, TaskState.SUBMITTED, frozenset({Role.HEAD}),
                   N_("Only a task in progress can be submitted as done (it is {state}).")),
        Transition(Action.CONFIRM, frozenset({TaskState.SUBMITTED}), TaskState.DONE, _OFFICE,
                   N_("Only a submitted task can be confirmed (it is {state}).")),
        Transition(Action.RETURN, frozenset({TaskState.SUBMITTED}), TaskState.IN_PROGRESS, _OFFICE,
                   N_("Only a submitted task can be returned (it is {state}).")),
        Transition(Action.PAUSE, LIVE, TaskState.PAUSED, frozenset({Role.LEADER}),
                   N_("Only an unfinished task can be paused (it is {state}).")),
        Transition(Action.RESUME, frozenset({TaskState.PAUSED}), None, frozenset({Role.LEADER}),
                   N_("Only a paused task can be resumed (it is {state}).")),
        Transition(Action.CANCEL, LIVE | {TaskState.PAUSED}, TaskState.CANCELLED, frozenset({Role.LEADER}),
                   N_("Only an unfinished task can be cancelled (it is {state}).")),
        Transition(Action.ASSIGN, LIVE | {TaskState.PAUSED}, None, _OFFICE,
                   N_("A finished task cannot be reassigned (it is {state}).")),
        Transition(Action.CORRECT, ALL_STATES - {TaskState.CANCELLED}, None, _OFFICE,
                   N_("A cancelled task cannot be corrected (it is {state}).")),
        # A confirmation made by mistake: the task goes back to the division, unfinished.
        Transition(Action.REOPEN, FINISHED, TaskState.IN_PROGRESS, _OFFICE,
                   N_("Only a task confirmed done can be reopened (it is {state}).")),
        Transition(Action.STAR, ALL_STATES, None, _OFFICE | {Role.LEADER}, ""),
        Transition(Action.REQUEST_EXTENSION, RUNNING, None, frozenset({Role.HEAD}),
                   N_("An extension can only be asked for a task in progress (it is {state}).")),
        Transition(Action.DECIDE_EXTENSION, RUNNING | {TaskState.PAUSED}, None, frozenset({Role.LEADER}),
                   N_("The task is no longer in progress (it is {state}); the extension cannot be approved.")),
    )
}


def allows(action: Action, state: str) -> bool:
    return TaskState(state) in TRANSITIONS[action].sources


def state_after(action: Action, state: str, *, percent: int = 0, lead: bool = True) -> TaskState:
    """The state a task in `state` moves to by `action` (which must be allowed from it)."""
    current = TaskState(state)
    if action is Action.REPORT_PROGRESS:
        # A supporting division's report is kept but does not move the task.
        return TaskState.IN_PROGRESS if lead else current
    if action is Action.RESUME:
        return TaskState.IN_PROGRESS if percent > 0 else TaskState.OPEN
    target = TRANSITIONS[action].to
    return current if target is None else target


def sql_states(states: Iterable[TaskState]) -> str:
    """`('open', 'in_progress')`: a group as an SQL list, for the statements the reports build."""
    return "(" + ", ".join(f"'{TaskState(s).value}'" for s in sorted(states)) + ")"


def sql_state(state: TaskState) -> str:
    return f"'{TaskState(state).value}'"
