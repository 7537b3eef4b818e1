"""Shapes of API request bodies; msgspec enforces types, lengths and ranges before any handler runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

import msgspec
from msgspec import Meta

from tasks.dates import check_date
from tasks.text import LIMITS, clean_text

# No control character in any text (tasks.text: PostgreSQL cannot store NUL, XML cannot hold most
# of the others). Tab and the line breaks people paste (\n, \r, Word's \v, \f) pass here, and
# Body.__post_init__ makes every break \n. Lone surrogates are not named: msgspec refuses them in
# JSON before any pattern is read, and a surrogate range is a pattern no Rust or Go JSON Schema
# validator compiles (the OpenAPI document's clients, schemathesis among them).
PLAIN = r"^[^\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]*$"
# Record ids are PostgreSQL `integer` (serial) columns.
MAX_ID = 2_147_483_647

Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
Username = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-@]+$")]
Name = Annotated[str, Meta(min_length=1, max_length=LIMITS["name"], pattern=PLAIN)]
ShortText = Annotated[str, Meta(max_length=LIMITS["name"], pattern=PLAIN)]
# The lengths are tasks.text.LIMITS, the pages' and the import's too; one over its limit is a 422
# naming the field and the limit (web.errors).
Title = Annotated[str, Meta(min_length=1, max_length=LIMITS["title"], pattern=PLAIN)]
LongText = Annotated[str, Meta(max_length=LIMITS["description"], pattern=PLAIN)]
Note = Annotated[str, Meta(max_length=LIMITS["note"], pattern=PLAIN)]
Email = Annotated[str, Meta(max_length=LIMITS["email"], pattern=r"^$|^[^@\s\x00]+@[^@\s\x00]+$")]
Password = Annotated[str, Meta(min_length=1, max_length=256)]
Percent = Annotated[int, Meta(ge=0, le=100)]
WorkingDays = Annotated[int, Meta(ge=1, le=1000)]
Reason = Annotated[str, Meta(min_length=1, max_length=LIMITS["reason"], pattern=PLAIN)]
Word = Annotated[str, Meta(max_length=16, pattern=PLAIN)]
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
# The state the client saw the task in: when given, the change is made only if the task is still
# in it (else 409), so two people acting on one page at once cannot both win.
SeenState = Annotated[str, Meta(max_length=16, pattern=r"^[a-z_]+$")]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    # The date fields held to tasks.dates' range. msgspec's Meta(ge=…) takes numbers only (a date
    # bound is a TypeError), so __post_init__ checks them; the Invalid it raises is not a
    # ValueError, so msgspec lets it through to the error handler: a 422 in the user's language.
    DATES: ClassVar[tuple[str, ...]] = ()
    # Every other text is stripped at the door, as the pages' forms do, and its line breaks made \n,
    # so what the services compare ("12/KH " and "12/KH") is what they store.
    VERBATIM: ClassVar[tuple[str, ...]] = ("password",)

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str) and name not in self.VERBATIM:
                # tasks.text's door even where a field's own pattern would let a control character by (an email).
                setattr(self, name, clean_text(value, name).strip())
        for name in self.DATES:
            check_date(getattr(self, name), name)


class TokenIn(Body):
    username: Annotated[str, Meta(max_length=64, pattern=PLAIN)]
    password: Password


class DivisionIn(Body):
    code: Code
    name: Name
    email: Email = ""


class UserIn(Body):
    username: Username
    full_name: ShortText
    email: Email
    role: Word
    division: Code | None
    password: Password
    locale: Annotated[str, Meta(max_length=8, pattern=PLAIN)] = "vi"


class TaskFields(Body):
    title: Title
    lead_division: Code
    description: LongText = ""
    support_divisions: Annotated[list[Code], Meta(max_length=50)] = []
    leader_in_charge: Username | None = None
    assignee: Username | None = None
    parent: Id | None = None
    due_on: date | None = None
    due_in_working_days: WorkingDays | None = None
    priority: Annotated[int, Meta(ge=0, le=9)] = 0


class TaskIn(TaskFields, kw_only=True):
    DATES = ("due_on",)
    directive: Id


class DirectiveIn(Body):
    DATES = ("issued_on", "received_on")
    number: Annotated[str, Meta(min_length=1, max_length=LIMITS["number"], pattern=PLAIN)]
    issuer: Name
    signer: ShortText = ""
    issued_on: date | None = None
    received_on: date | None = None
    kind: Word = "document"
    summary: LongText = ""
    tasks: Annotated[list[TaskFields], Meta(max_length=200)] = []

    def __post_init__(self) -> None:
        super().__post_init__()
        # Checked here, not in TaskFields, so the refusal names the task: tasks.2.due_on.
        for i, task in enumerate(self.tasks):
            check_date(task.due_on, f"tasks.{i}.due_on")


class ProgressIn(Body):
    percent: Percent
    note: Annotated[str, Meta(min_length=1, max_length=LIMITS["note"], pattern=PLAIN)]
    expected_state: SeenState | None = None


class SubmitIn(Body):
    note: Note = ""
    # Refused when given: the completion day is the day of submission, by the app's clock.
    completed_on: date | None = None
    expected_state: SeenState | None = None


class ReasonIn(Body):
    reason: Reason
    expected_state: SeenState | None = None


class ExtensionIn(Body):
    DATES = ("requested_due_on",)
    requested_due_on: date
    reason: Reason


class StarIn(Body):
    starred: bool


class DecisionIn(Body):
    approve: bool
    note: Annotated[str, Meta(max_length=LIMITS["note"], pattern=PLAIN)] = ""


class AssignIn(Body):
    lead_division: Code
    support_divisions: Annotated[list[Code], Meta(max_length=50)] = []
    leader_in_charge: Username | None = None
    assignee: Username | None = None
    # Optional here (the page's edit asks for one): kept with the event and shown in the history.
    reason: Annotated[str, Meta(max_length=2000, pattern=PLAIN)] = ""


class CorrectionIn(Body):
    DATES = ("due_on",)
    reason: Reason
    title: Title | None = None
    description: LongText | None = None
    due_on: date | None = None
    clear_due_on: bool = False
    completed_on: date | None = None
    priority: Annotated[int, Meta(ge=0, le=9)] | None = None


class DirectiveCorrectionIn(Body):
    """The fields given are corrected; those left out (or null) stay as they are."""

    DATES = ("issued_on", "received_on")
    reason: Reason
    number: Annotated[str, Meta(min_length=1, max_length=64, pattern=PLAIN)] | None = None
    issuer: Name | None = None
    signer: ShortText | None = None
    issued_on: date | None = None
    received_on: date | None = None
    kind: Word | None = None
    summary: LongText | None = None


class CalendarDayIn(Body):
    DATES = ("day",)
    day: date
    kind: Word
    name: Name
