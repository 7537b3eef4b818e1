"""Piccolo tables of the task register. Unique and composite indexes live in the migrations.

No timestamp defaults to the wall clock (Piccolo's default would): every write passes the time of
the app's clock, and a row built without one is refused ("… wasn't provided")."""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tasks.state import TaskState


class Division(Table, tablename="division"):
    id = Serial(primary_key=True)
    code = Varchar(length=32)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    active = Boolean(default=True)
    # Moved by the admin to rotate this division's calendar feed URL alone (web.feeds signs it in).
    feed_version = Integer(default=0)


class User(Table, tablename="app_user"):
    id = Serial(primary_key=True)
    username = Varchar(length=64)
    full_name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    role = Varchar(length=16)
    division = ForeignKey(Division, null=True, on_delete=OnDelete.restrict)
    password_hash = Varchar(length=255, default="")
    active = Boolean(default=True)
    locale = Varchar(length=8, default="vi")
    # Raised by a password change or reset, a deactivation and a role change: API tokens and page
    # sessions carry the version they were issued under, so those revoke them at once.
    credential_version = Integer(default=1)


class Directive(Table, tablename="directive"):
    id = Serial(primary_key=True)
    number = Varchar(length=64)
    issuer = Varchar(length=200)
    signer = Varchar(length=200, default="")
    issued_on = Date(null=True, default=None)
    received_on = Date(null=True, default=None)
    kind = Varchar(length=16, default="document")
    summary = Text(default="")
    state = Varchar(length=16, default="active")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=None, null=False)
    # Number, issuer and summary folded (tasks.search.directive_text), for the register's search.
    search = Text(default="")


class Task(Table, tablename="task"):
    id = Serial(primary_key=True)
    directive = ForeignKey(Directive, null=False, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    title = Varchar(length=1000)  # tasks.text.LIMITS["title"]; migration 2026-12-03T02
    description = Text(default="")
    lead_division = ForeignKey(Division, null=False, on_delete=OnDelete.restrict, index=True)
    leader_in_charge = ForeignKey(User, null=True, on_delete=OnDelete.restrict, index=True)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    due_on = Date(null=True, default=None, index=True)
    original_due_on = Date(null=True, default=None)
    # The deadline the task had already missed when the office moved it: the figures keep
    # counting it late against this one (tasks.timeliness), the ladder urges towards due_on.
    missed_due_on = Date(null=True, default=None)
    deadline_version = Integer(default=1)
    state = Varchar(length=16, default=TaskState.OPEN.value, index=True)
    state_reason = Text(default="")
    percent = Integer(default=0)
    completed_on = Date(null=True, default=None)
    priority = Integer(default=0)
    starred = Boolean(default=False)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=None, null=False)
    updated_at = Timestamptz(default=None, null=False)
    # Title, description and the directive's search text folded (tasks.search.task_text), for the task search.
    search = Text(default="")


class TaskSupport(Table, tablename="task_support"):
    """A supporting division of a task (đơn vị phối hợp)."""

    id = Serial(primary_key=True)
    task = ForeignKey(Task, null=False, on_delete=OnDelete.restrict)
    division = ForeignKey(Division, null=False, on_delete=OnDelete.restrict, index=True)


class ProgressReport(Table, tablename="progress_report"):
    id = Serial(primary_key=True)
    task = ForeignKey(Task, null=False, on_delete=OnDelete.restrict)
    division = ForeignKey(Division, null=True, on_delete=OnDelete.restrict)
    author = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    percent = Integer(default=0)
    note = Text(default="")
    reported_at = Timestamptz(default=None, null=False)


class ExtensionRequest(Table, tablename="extension_request"):
    id = Serial(primary_key=True)
    task = ForeignKey(Task, null=False, on_delete=OnDelete.restrict, index=True)
    requested_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    previous_due_on = Date(null=True, default=None)
    requested_due_on = Date()
    reason = Text(default="")
    state = Varchar(length=16, default="pending", index=True)
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    created_at = Timestamptz(default=None, null=False)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only: who did what, when, with the record before and after."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=None, null=False)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    actor_username = Varchar(length=64, default="")
    action = Varchar(length=48)
    entity_type = Varchar(length=32)
    entity_id = Integer(null=True, default=None)
    task = ForeignKey(Task, null=True, on_delete=OnDelete.restrict)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    note = Text(default="")
    via = Varchar(length=16, default="")  # "" (the pages, the API, the command line) or "email_link"


class Notice(Table, tablename="notice"):
    """What one person should hear of one change (an audit event): their in-app inbox, and what
    the next pass within working hours mails them (tasks.notices). Unique per (event, user)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    event = ForeignKey(AuditEvent, null=False, on_delete=OnDelete.restrict)
    task = ForeignKey(Task, null=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=32)
    role = Varchar(length=4, default="to")  # "to" | "cc"
    created_at = Timestamptz(default=None, null=False)
    read_at = Timestamptz(null=True, default=None)
    # Set once a pass has turned the notice into an outbox row (or found it has no address): the
    # pass reads only the notices not yet queued.
    queued_at = Timestamptz(null=True, default=None)


class CalendarDay(Table, tablename="calendar_day"):
    """An admin decision about one day: an extra day off, or a swapped working day."""

    id = Serial(primary_key=True)
    day = Date()
    kind = Varchar(length=16)  # "holiday" | "working"
    name = Varchar(length=200, default="")


class Setting(Table, tablename="setting"):
    id = Serial(primary_key=True)
    key = Varchar(length=64)
    value = JSON(default="null")


ALL_TABLES = [
    Division,
    User,
    Directive,
    Task,
    TaskSupport,
    ProgressReport,
    ExtensionRequest,
    AuditEvent,
    Notice,
    CalendarDay,
    Setting,
]
