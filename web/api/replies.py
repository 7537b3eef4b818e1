"""Shapes of the API's successful answers, for the OpenAPI document (web.api.answers). The handlers
return the services' dicts; these say what is in them, field by field, and the schemathesis run
(tests/fuzz) checks every answer against them. Fields a client may find empty are `| None`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from tasks.overdue import OverdueItem  # the list's rows, field for field (tasks.overdue.overdue_dict)


class Token(msgspec.Struct):
    token: str
    token_type: str
    username: str
    role: str


class Division(msgspec.Struct):
    id: int
    code: str
    name: str
    email: str
    active: bool


class User(msgspec.Struct):
    id: int
    username: str
    full_name: str
    email: str
    role: str
    division: int | None
    active: bool
    locale: str


class DirectiveFields(msgspec.Struct):
    id: int
    number: str
    issuer: str
    signer: str
    issued_on: date | None
    received_on: date | None
    kind: str
    summary: str
    state: str


class DirectiveSummary(DirectiveFields):
    task_count: int


class DirectivePage(msgspec.Struct):
    items: list[DirectiveSummary]
    total: int


class Directive(DirectiveFields):
    created_by: int | None
    created_at: datetime


class TaskRecord(msgspec.Struct):
    """A task as recorded with its directive: the stored row, divisions and people by id."""

    id: int
    directive: int
    parent: int | None
    title: str
    lead_division: int
    leader_in_charge: int | None
    assignee: int | None
    due_on: date | None
    state: str


class RecordedDirective(Directive):
    tasks: list[TaskRecord]


class DirectiveRef(msgspec.Struct):
    id: int
    number: str
    issuer: str
    issued_on: date | None


class Task(msgspec.Struct):
    id: int
    directive: DirectiveRef
    parent: int | None
    title: str
    description: str
    lead_division: str
    support_divisions: list[str]
    leader_in_charge: str | None
    assignee: str | None
    due_on: date | None
    original_due_on: date | None
    effective_due_on: date | None
    missed_due_on: date | None
    deadline_version: int
    state: str
    state_reason: str
    percent: int
    completed_on: date | None
    priority: int
    starred: bool
    timeliness: str | None  # on_track, due_soon, overdue, done_on_time, done_late; None when it has none
    created_at: datetime
    updated_at: datetime


class TaskPage(msgspec.Struct):
    items: list[Task]
    total: int


class Progress(msgspec.Struct):
    id: int
    percent: int
    note: str
    reported_at: datetime
    division: str | None
    author: str | None


class Extension(msgspec.Struct):
    id: int
    state: str
    previous_due_on: date | None
    requested_due_on: date
    reason: str
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class ExtensionInTask(Extension):
    requested_by: str | None
    decided_by: str | None


class ExtensionRecord(Extension):
    task: int
    requested_by: int | None
    decided_by: int | None


class TaskDetail(Task):
    progress: list[Progress]
    extensions: list[ExtensionInTask]


class HistoryEvent(msgspec.Struct):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    before: Any
    after: Any
    note: str


class CalendarDay(msgspec.Struct):
    id: int
    day: date
    kind: str
    name: str


class Notification(msgspec.Struct):
    id: int
    kind: str
    task: int | None
    task_title: str | None
    rule: str
    deadline_version: int
    recipient: str
    email: str
    role: str
    channel: str  # email or webhook
    webhook: int | None  # the webhook of a webhook row
    state: str
    due_day: date | None
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    message_id: str
    last_error: str


class NotificationPage(msgspec.Struct):
    items: list[Notification]
    total: int


class Webhook(msgspec.Struct):
    """A webhook as the admin sees it; its secret is never shown."""

    id: int
    division: str | None  # the division's code, for a division's webhook
    user: str | None  # the username, for a user's webhook
    url: str
    active: bool
    created_at: datetime


class Rule(msgspec.Struct):
    name: str
    offset: int
    to: list[str]
    cc: list[str]


class WorkingHours(msgspec.Struct):
    start: str
    end: str


class EscalationSettings(msgspec.Struct):
    rules: list[Rule]
    working_hours: WorkingHours
    catch_up_days: int
    director: str | None  # the leader the admin chose, if any
    effective_director: str | None  # the one who stands in when none is chosen


class CalendarFeed(msgspec.Struct):
    division: str
    name: str
    url: str


class ReportHeader(msgspec.Struct):
    parent_body: str
    agency: str
    agency_abbreviation: str
    agency_name: str
    place: str
    signer_title: str
    signer_on_behalf: str
    signer_name: str
    recipients: list[str]


class Completion(msgspec.Struct):
    """The completion report; each row and the total carry the README's categories and rates."""

    as_of: datetime
    to: date | None
    group_by: str
    labels: dict[str, Any]
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    period_from: date | None = msgspec.field(name="from")
    trend: list[dict[str, Any]] | None = None


class OverdueList(msgspec.Struct):
    as_of: datetime
    total: int
    items: list[OverdueItem]


class ImportProblem(msgspec.Struct):
    row: int
    message: str


class ImportPreview(msgspec.Struct):
    row: int
    directive: str
    title: str
    due_on: date | None


class ImportResult(msgspec.Struct):
    format: str
    dry_run: bool
    imported: bool
    rows_read: int
    new_tasks: int
    new_directives: int
    existing_tasks: int
    duplicate_rows: int
    errors: list[ImportProblem]
    preview: list[ImportPreview]


class InboxItem(msgspec.Struct):
    id: int
    kind: str  # assigned, reassigned, returned, extension_requested, … (tasks.notices.KINDS)
    task: int | None
    title: str | None
    role: str
    text: str  # what changed, in the caller's language
    note: str
    by: str
    created_at: datetime
    read_at: datetime | None


class Inbox(msgspec.Struct):
    items: list[InboxItem]
    total: int
    unread: int


class InboxRead(msgspec.Struct):
    id: int
    read_at: datetime
    unread: int


class InboxReadAll(msgspec.Struct):
    marked: int
    unread: int
