"""API handlers: parse, authorise (through the services), call one service, return its value."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from tasks import accounts, calendar_days, extensions, lifecycle, queries, register
from tasks.dates import check_date
from tasks.errors import N_, Conflict, Forbidden, Invalid, NotFound, Throttled, Unauthenticated
from tasks.timeliness import Timeliness
from web.api import replies
from web.api.answers import UNREADABLE, answers
from web.api.schemas import (
    MAX_ID,
    AssignIn, CalendarDayIn, CorrectionIn, DecisionIn, DirectiveCorrectionIn, DirectiveIn, DivisionIn, ExtensionIn, ProgressIn,
    ReasonIn, StarIn, SubmitIn, TaskFields, TaskIn, TokenIn, UserIn,
)
from web.auth import issue_token, provide_actor
from web.signin import client_address, sign_in
from web.deps import ActorDep, CalendarDep, DbDep, DueSoonDep, NowDep, SettingsDep
from web.feeds import feed_url
from web.api.inbox import INBOX_CONTROLLERS
from web.api.notifications import NOTIFY_CONTROLLERS
from web.api.reports import CONTROLLERS as REPORT_CONTROLLERS
from web.api.webhooks import WEBHOOK_CONTROLLERS


# Ids are PostgreSQL integers: a larger one is a client mistake, not a server error.
RecordId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
# The API's own dependency; the rest (web.deps) the whole app provides.
DEPENDENCIES = {"actor": Provide(provide_actor)}
# A change to one task: the task's role and division checks (403), no such task (404), a state
# that does not allow it or changed meanwhile (409).
TASK_CHANGE = (UNREADABLE, Forbidden, NotFound, Conflict)
CHANGED = answers(replies.TaskDetail, *TASK_CHANGE)


def new_task(t: TaskFields) -> register.NewTask:
    return register.NewTask(
        title=t.title, lead_division=t.lead_division, description=t.description,
        support_divisions=tuple(t.support_divisions), leader_in_charge=t.leader_in_charge, assignee=t.assignee,
        parent=t.parent, due_on=t.due_on, due_in_working_days=t.due_in_working_days, priority=t.priority,
    )


class AuthController(Controller):
    path = "/auth"

    @post("/token", status_code=200, security=[{}],  # the one operation without a bearer token
          responses=answers(replies.Token, UNREADABLE, Unauthenticated, Throttled, public=True))
    async def token(self, data: JSONBody[TokenIn], request: Request, now: NowDep, db: DbDep, settings: SettingsDep) -> dict[str, Any]:
        # The sign-in page's door and throttle: 401 for a wrong password, 429 with Retry-After.
        actor = await sign_in(db, data.username, data.password, client_address(request), now)
        return {"token": issue_token(actor, now, settings.secret_key, settings.token_ttl_hours), "token_type": "bearer",
                "username": actor.username, "role": actor.role.value}


class DivisionController(Controller):
    path = "/divisions"

    @get("/", responses=answers(list[replies.Division]))
    async def list_divisions(self, actor: ActorDep) -> list[dict]:
        return await accounts.list_divisions()

    @post("/", responses=answers(replies.Division, UNREADABLE, Forbidden, Conflict, status=201))
    async def create_division(self, data: JSONBody[DivisionIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict:
        return await accounts.create_division(db, actor, now, code=data.code, name=data.name, email=data.email)

    @post("/{code:str}/feed-token", responses=answers(replies.CalendarFeed, UNREADABLE, Forbidden, NotFound), status_code=200,
          description="A new secret URL for this division's calendar feed (admin; audited): the old one stops working "
          "(404), every other division's keeps working, and the secret key is not changed.")
    async def rotate_feed(self, code: Annotated[str, PathParameter(max_length=32)], actor: ActorDep, now: NowDep, db: DbDep,
                          settings: SettingsDep) -> dict:
        division = await accounts.rotate_feed(db, actor, now, code)
        return {"division": division["code"], "name": division["name"], "url": feed_url(settings, division)}


class UserController(Controller):
    path = "/users"

    @post("/", responses=answers(replies.User, UNREADABLE, Forbidden, Conflict, status=201))
    async def create_user(self, data: JSONBody[UserIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict:
        return await accounts.create_user(
            db, actor, now, username=data.username, full_name=data.full_name, email=data.email, role=data.role,
            division_code=data.division, password=data.password, locale=data.locale,
        )


class DirectiveController(Controller):
    path = "/directives"

    @post("/", responses=answers(replies.RecordedDirective, UNREADABLE, Forbidden, Conflict, status=201))
    async def record_directive(self, data: JSONBody[DirectiveIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep) -> dict:
        directive = register.NewDirective(
            number=data.number, issuer=data.issuer, signer=data.signer, issued_on=data.issued_on,
            received_on=data.received_on, kind=data.kind, summary=data.summary,
        )
        return await register.record_directive(db, actor, now, calendar, directive, [new_task(t) for t in data.tasks])

    @get("/", responses=answers(replies.DirectivePage, UNREADABLE, Forbidden))
    async def list_directives(
        self, actor: ActorDep, q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=queries.MAX_PAGE)] = 50, offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> dict:
        rows, total = await register.list_directives(actor, q, limit=limit, offset=offset)
        return {"items": rows, "total": total}

    @get("/{directive_id:int}", responses=answers(replies.Directive, UNREADABLE, Forbidden, NotFound))
    async def get_directive(self, directive_id: RecordId, actor: ActorDep) -> dict:
        return await register.get_directive(actor, directive_id)

    @patch("/{directive_id:int}", responses=answers(replies.Directive, UNREADABLE, Forbidden, NotFound, Conflict),
           description="Correct a directive's recorded fields (the office), with a reason; audited.")
    async def correct_directive(self, directive_id: RecordId, data: JSONBody[DirectiveCorrectionIn], actor: ActorDep, now: NowDep,
                                db: DbDep, calendar: CalendarDep) -> dict:
        changes = {k: getattr(data, k) for k in register.DIRECTIVE_CORRECTABLE if getattr(data, k) is not None}
        return await register.correct_directive(db, actor, now, calendar, directive_id, data.reason, changes)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


class TaskController(Controller):
    path = "/tasks"

    @post("/", responses=answers(replies.Task, UNREADABLE, Forbidden, status=201))
    async def create_task(self, data: JSONBody[TaskIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        row = await register.create_task(db, actor, now, calendar, data.directive, new_task(data))
        return (await queries.present_tasks([row], now, calendar, due_soon_days))[0]

    @get("/", responses=answers(replies.TaskPage, UNREADABLE))
    async def list_tasks(
        self, actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep,
        division: FromQuery[str | None] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        timeliness: FromQuery[str | None] = None,
        directive: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        leader: FromQuery[str | None] = None,
        due_from: FromQuery[date | None] = None,
        due_to: FromQuery[date | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        starred: FromQuery[bool | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=queries.MAX_PAGE)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> dict:
        try:
            wanted = tuple(Timeliness(v) for v in _split(timeliness))
        except ValueError:
            raise Invalid(N_("Unknown timeliness: {value}"), fields={"timeliness": N_("Unknown timeliness")}, value=timeliness) from None
        f = queries.TaskFilter(
            division=division, states=_split(state_filter), timeliness=wanted, directive=directive, leader=leader,
            due_from=check_date(due_from, "due_from"), due_to=check_date(due_to, "due_to"), q=q, starred=starred, limit=limit, offset=offset,
        )
        return await queries.list_tasks(actor, f, now, calendar, due_soon_days)

    @get("/{task_id:int}", responses=answers(replies.TaskDetail, UNREADABLE, NotFound))
    async def get_task(self, task_id: RecordId, actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        return await queries.task_detail(actor, task_id, now, calendar, due_soon_days)

    @get("/{task_id:int}/history", responses=answers(list[replies.HistoryEvent], UNREADABLE, NotFound))
    async def history(self, task_id: RecordId, actor: ActorDep) -> list[dict]:
        return await queries.task_history(actor, task_id)

    async def _present(self, task_id: RecordId, actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        return await queries.task_detail(actor, task_id, now, calendar, due_soon_days)

    @post("/{task_id:int}/progress", status_code=200, responses=CHANGED)
    async def progress(self, task_id: RecordId, data: JSONBody[ProgressIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.report_progress(db, actor, now, task_id, data.percent, data.note, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/submit", status_code=200, responses=CHANGED)
    async def submit(self, task_id: RecordId, data: JSONBody[SubmitIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.submit(db, actor, now, calendar, task_id, data.note, data.completed_on, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/confirm", status_code=200, responses=CHANGED)
    async def confirm(self, task_id: RecordId, actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.confirm(db, actor, now, task_id)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/return", status_code=200, responses=CHANGED)
    async def return_task(self, task_id: RecordId, data: JSONBody[ReasonIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.return_task(db, actor, now, task_id, data.reason, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/pause", status_code=200, responses=CHANGED)
    async def pause(self, task_id: RecordId, data: JSONBody[ReasonIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.pause(db, actor, now, task_id, data.reason, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/resume", status_code=200, responses=CHANGED)
    async def resume(self, task_id: RecordId, data: JSONBody[ReasonIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.resume(db, actor, now, task_id, data.reason, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/cancel", status_code=200, responses=CHANGED)
    async def cancel(self, task_id: RecordId, data: JSONBody[ReasonIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.cancel(db, actor, now, task_id, data.reason, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/reopen", status_code=200, responses=CHANGED,
          description="Reopen a task confirmed done by mistake (the office), with a reason: back in progress.")
    async def reopen(self, task_id: RecordId, data: JSONBody[ReasonIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.reopen(db, actor, now, task_id, data.reason, expected_state=data.expected_state)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/assign", status_code=200, responses=CHANGED)
    async def assign(self, task_id: RecordId, data: JSONBody[AssignIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.assign(db, actor, now, task_id, lead_division=data.lead_division, support_divisions=data.support_divisions,
                               leader_in_charge=data.leader_in_charge, assignee=data.assignee, note=data.reason)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @patch("/{task_id:int}", responses=CHANGED)
    async def correct(self, task_id: RecordId, data: JSONBody[CorrectionIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        changes: dict[str, Any] = {k: getattr(data, k) for k in ("title", "description", "due_on", "priority", "completed_on") if getattr(data, k) is not None}
        if data.clear_due_on:
            if data.due_on is not None:
                raise Invalid(N_("Give the deadline as a date or as a number of working days, not both."), fields={"due_on": N_("Choose one")})
            changes["due_on"] = None
        await lifecycle.correct(db, actor, now, calendar, task_id, data.reason, changes)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/star", status_code=200, responses=CHANGED,
          description="Star or unstar the task (the office and the leaders), as the task page does.")
    async def star(self, task_id: RecordId, data: JSONBody[StarIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, due_soon_days: DueSoonDep) -> dict:
        await lifecycle.set_starred(db, actor, now, task_id, data.starred)
        return await self._present(task_id, actor, now, calendar, due_soon_days)

    @post("/{task_id:int}/extensions", status_code=201,
          responses=answers(replies.ExtensionRecord, *TASK_CHANGE, status=201))
    async def request_extension(self, task_id: RecordId, data: JSONBody[ExtensionIn], actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep, state: State) -> dict:
        return await extensions.request_extension(db, actor, now, calendar, task_id, data.requested_due_on, data.reason,
                                                  notice_days=state.settings.extension_notice_days)


class ExtensionController(Controller):
    path = "/extensions"

    @post("/{extension_id:int}/decision", status_code=200, responses=answers(replies.ExtensionRecord, *TASK_CHANGE))
    async def decide(self, extension_id: RecordId, data: JSONBody[DecisionIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict:
        return await extensions.decide_extension(db, actor, now, extension_id, data.approve, data.note)


class CalendarController(Controller):
    path = "/calendar"

    @get("/", responses=answers(list[replies.CalendarDay], UNREADABLE))
    async def list_days(self, actor: ActorDep, year: Annotated[int | None, QueryParameter(ge=1900, le=2200)] = None) -> list[dict]:
        return await calendar_days.list_days(year)

    @post("/", responses=answers(replies.CalendarDay, UNREADABLE, Forbidden, Conflict, status=201))
    async def add_day(self, data: JSONBody[CalendarDayIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict:
        return await calendar_days.add_day(db, actor, now, data.day, data.kind, data.name)


CONTROLLERS = [AuthController, DivisionController, UserController, DirectiveController, TaskController, ExtensionController, CalendarController, *NOTIFY_CONTROLLERS, *INBOX_CONTROLLERS, *REPORT_CONTROLLERS,
               *WEBHOOK_CONTROLLERS]
