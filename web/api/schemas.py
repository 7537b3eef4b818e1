"""Shapes of API request bodies; msgspec enforces types, lengths and ranges before any handler runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from msgspec import Meta

Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
Username = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-@]+$")]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
Title = Annotated[str, Meta(min_length=1, max_length=500)]
LongText = Annotated[str, Meta(max_length=10_000)]
Email = Annotated[str, Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+$")]
Password = Annotated[str, Meta(min_length=1, max_length=256)]
Percent = Annotated[int, Meta(ge=0, le=100)]
WorkingDays = Annotated[int, Meta(ge=1, le=1000)]
Reason = Annotated[str, Meta(min_length=1, max_length=2000)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    pass


class TokenIn(Body):
    username: Annotated[str, Meta(max_length=64)]
    password: Password


class DivisionIn(Body):
    code: Code
    name: Name
    email: Email = ""


class UserIn(Body):
    username: Username
    full_name: ShortText
    email: Email
    role: Annotated[str, Meta(max_length=16)]
    division: Code | None
    password: Password
    locale: Annotated[str, Meta(max_length=8)] = "vi"


class TaskFields(Body):
    title: Title
    lead_division: Code
    description: LongText = ""
    support_divisions: Annotated[list[Code], Meta(max_length=50)] = []
    leader_in_charge: Username | None = None
    assignee: Username | None = None
    parent: int | None = None
    due_on: date | None = None
    due_in_working_days: WorkingDays | None = None
    priority: Annotated[int, Meta(ge=0, le=9)] = 0


class TaskIn(TaskFields):
    directive: int = 0


class DirectiveIn(Body):
    number: Annotated[str, Meta(min_length=1, max_length=64)]
    issuer: Name
    signer: ShortText = ""
    issued_on: date | None = None
    received_on: date | None = None
    kind: Annotated[str, Meta(max_length=16)] = "document"
    summary: LongText = ""
    tasks: Annotated[list[TaskFields], Meta(max_length=200)] = []


class ProgressIn(Body):
    percent: Percent
    note: Annotated[str, Meta(min_length=1, max_length=5000)]


class SubmitIn(Body):
    note: Annotated[str, Meta(max_length=5000)] = ""
    completed_on: date | None = None


class ReasonIn(Body):
    reason: Reason


class ExtensionIn(Body):
    requested_due_on: date
    reason: Reason


class DecisionIn(Body):
    approve: bool
    note: Annotated[str, Meta(max_length=2000)] = ""


class AssignIn(Body):
    lead_division: Code
    support_divisions: Annotated[list[Code], Meta(max_length=50)] = []
    leader_in_charge: Username | None = None
    assignee: Username | None = None


class CorrectionIn(Body):
    reason: Reason
    title: Title | None = None
    description: LongText | None = None
    due_on: date | None = None
    clear_due_on: bool = False
    priority: Annotated[int, Meta(ge=0, le=9)] | None = None
    starred: bool | None = None


class CalendarDayIn(Body):
    day: date
    kind: Annotated[str, Meta(max_length=16)]
    name: Name
