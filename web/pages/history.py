"""A task's audit events as sentences a person reads: who did what, and what changed."""

from __future__ import annotations

from typing import Any, Callable

from tasks.errors import N_
from tasks.register import DIRECTIVE_KIND_LABELS
from tasks.state import STATE_LABELS

ACTIONS = {
    "create_task": N_("Task created"),
    "import_task": N_("Task imported from Excel"),
    "report_progress": N_("Progress reported"),
    "submit": N_("Submitted as done"),
    "confirm": N_("Completion confirmed"),
    "return": N_("Returned to the division"),
    "pause": N_("Paused"),
    "resume": N_("Resumed"),
    "cancel": N_("Cancelled"),
    "assign": N_("Reassigned"),
    "correct": N_("Corrected by the office"),
    "reopen": N_("Reopened by the office"),
    "record_directive": N_("Directive recorded"),
    "correct_directive": N_("Directive corrected by the office"),
    "star": N_("Starred"),
    "unstar": N_("Star removed"),
    "request_extension": N_("Extension requested"),
    "approve_extension": N_("Extension approved"),
    "refuse_extension": N_("Extension refused"),
    "forbidden": N_("Refused attempt"),
}
FIELDS = {
    "state": N_("State"),
    "percent": N_("Progress"),
    "due_on": N_("Deadline"),
    "requested_due_on": N_("Requested deadline"),
    "previous_due_on": N_("Previous deadline"),
    "completed_on": N_("Completed on"),
    "title": N_("Title"),
    "description": N_("Description"),
    "lead_division": N_("Lead division"),
    "support_divisions": N_("Supporting divisions"),
    "leader_in_charge": N_("Leader in charge"),
    "assignee": N_("Followed by"),
    "priority": N_("Priority"),
    "starred": N_("Starred"),
    "state_reason": N_("Reason"),
    "number": N_("Number"),
    "issuer": N_("Issuer"),
    "signer": N_("Signer"),
    "issued_on": N_("Issued on"),
    "received_on": N_("Received on"),
    "kind": N_("Kind"),
    "summary": N_("Summary"),
    "attempted": N_("Attempted"),
}
# Shown only when they are all an event says; otherwise noise next to the real change.
QUIET = {"deadline_version", "lead_division_code", "id", "directive", "parent", "created_by", "created_at", "updated_at",
         "original_due_on", "description"}
EXTENSION_STATES = {"pending": N_("waiting"), "approved": N_("approved"), "refused": N_("refused")}
DATE_FIELDS = {"due_on", "requested_due_on", "previous_due_on", "completed_on", "issued_on", "received_on"}
# Events that bring a task into being: the task page above them already shows what it holds.
CREATIONS = {"create_task", "import_task", "record_directive", "import_directive"}


def describe(event: dict, _: Callable[..., str], fmt_date: Callable[[Any], str], divisions: dict[int, str],
             users: dict[int, str]) -> dict:
    before, after = event.get("before") or {}, event.get("after") or {}

    def show(key: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if key in DATE_FIELDS:
            return fmt_date(value)
        if key == "state":
            return _(EXTENSION_STATES.get(value) or STATE_LABELS.get(value, value))
        if key == "percent":
            return f"{value}%"
        if key == "lead_division":
            return divisions.get(value, str(value))
        if key == "support_divisions":
            return ", ".join(divisions.get(v, str(v)) if isinstance(v, int) else str(v) for v in value) or "—"
        if key in ("leader_in_charge", "assignee"):
            return users.get(value, str(value))
        if key == "kind":
            return _(DIRECTIVE_KIND_LABELS.get(value, value))
        if key == "starred":
            return _("yes") if value else _("no")
        if key == "attempted":
            return _(ACTIONS.get(value, value))
        return str(value)

    changes = []
    keys = [k for k in after if k not in QUIET] if event["action"] not in CREATIONS else []
    for key in keys:
        changes.append({
            "field": _(FIELDS.get(key, key)),
            "before": show(key, before.get(key)) if key in before else None,
            "after": show(key, after.get(key)),
        })
    return {
        "at": event["at"],
        "actor": event["actor"],
        "action": _(ACTIONS.get(event["action"], event["action"])),
        "refused": event["action"] == "forbidden",
        "changes": changes,
        # An import's note names its file for the audit log ("import giao-viec.xlsx"); the line says it all.
        "note": "" if event["action"] == "import_task" else event.get("note") or "",
        "via": _("through the link in an email") if event.get("via") == "email_link" else "",
    }
