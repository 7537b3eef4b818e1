"""What each kind of email is called in the user's language: a ladder rule by its working-day
offset from the deadline (so a rule the admin adds, "overdue_5", reads as well as the built-in
ones), a notice by its kind, the weekly digest and the Friday request by name. The pages show
these, never the rule's code."""

from __future__ import annotations

import re

from notify.digest import DIGEST_RULE
from notify.update_requests import REQUEST_RULE
from tasks.errors import N_
from tasks.i18n import Gettext
from tasks.notices import LABELS as NOTICE_LABELS

_BY_NAME = {
    DIGEST_RULE: N_("Weekly overdue digest"),
    REQUEST_RULE: N_("Friday request for an update"),
    # The notices whose own line names a date (tasks.notices.LABELS), without it.
    "extension_requested": N_("Extension asked for"),
    "extension_approved": N_("Extension approved"),
    "deadline_corrected": N_("Deadline corrected by the office"),
}
# The names the ladder's rules are given (the built-in ones and the admin's, as the form suggests).
_LADDER_NAME = re.compile(r"^(remind|overdue)_(\d{1,2})$")
_NOTICE_KINDS = {kind for kind, _role in NOTICE_LABELS}


def offset_label(offset: int, _: Gettext) -> str:
    """-7 → "7 working days before the deadline", 0 → "On the deadline", 3 → "3 working days overdue"."""
    if offset == 0:
        return _("On the deadline")
    if offset < 0:
        return _("1 working day before the deadline") if offset == -1 else _("{n} working days before the deadline", n=-offset)
    return _("1 working day overdue") if offset == 1 else _("{n} working days overdue", n=offset)


def rule_label(rule: str, _: Gettext, offset: int | None = None) -> str:
    """The label of an outbox row's rule; `offset` when the caller knows the ladder rule's own."""
    if offset is not None:
        return offset_label(offset, _)
    if rule in _BY_NAME:
        return _(_BY_NAME[rule])
    if rule == "due_today":
        return offset_label(0, _)
    if match := _LADDER_NAME.match(rule):
        days = int(match[2])
        return offset_label(-days if match[1] == "remind" else days, _)
    if rule in _NOTICE_KINDS:
        return _(NOTICE_LABELS[(rule, "to")])
    return rule
