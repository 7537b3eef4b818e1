"""The task list (with the API's filters) and the task page with the actions its viewer may take."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from litestar.params import FromPath
from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from notify.queries import list_notifications
from notify.rule_labels import rule_label
from tasks import accounts, extensions, lifecycle, overview, queries
from tasks.calendar import WorkingCalendar
from tasks.errors import N_, DomainError, Invalid
from tasks.exports import task_list as task_list_export
from tasks.i18n import gettext_for
from tasks.permissions import Role, may_read_register
from tasks.timeliness import Timeliness
from web.deps import CalendarDep, DbDep, NowDep, SettingsDep
from web.downloads import attachment
from web.pages.common import ViewerDep, error_message, field_errors, formatters, is_htmx, locale_of, render, safe_next
from web.pages.forms import parse_date, parse_int, text
from web.pages.history import describe
from web.sessions import Viewer
from web.settings import Settings

PER_PAGE = 50
MAX_PER_PAGE = 200


NOTIFICATION_STATES = {"pending": N_("waiting to be sent"), "sent": N_("sent"), "failed": N_("failed"), "skipped": N_("skipped")}


async def notifications_for(actor, task_id: int, _) -> list[dict]:
    """The emails about this task, from the outbox, each named in the viewer's language."""
    result = await list_notifications(actor, task=task_id, limit=100)
    return [
        {"at": n.get("sent_at") or n.get("created_at"), "rule": rule_label(n.get("rule", ""), _),
         "recipient": n.get("recipient", ""), "state": NOTIFICATION_STATES.get(n.get("state", ""), n.get("state", ""))}
        for n in result["items"]
    ]


async def leader_names() -> dict[str, str]:
    return {u["username"]: u["full_name"] or u["username"] for u in await accounts.users_with_role(Role.LEADER)}


def seen_state(form) -> str | None:
    """The state the page showed the task in (a hidden field of every action form)."""
    return (form.get("expected_state") or "").strip()[:16] or None


def task_filter(params: dict[str, str], per_page: int, page: int) -> queries.TaskFilter:
    wanted = []
    for value in (params.get("timeliness") or "").split(","):
        if value.strip():
            try:
                wanted.append(Timeliness(value.strip()))
            except ValueError:
                raise Invalid(N_("Unknown timeliness: {value}"), fields={"timeliness": N_("Unknown timeliness")}, value=value) from None
    starred = {"1": True, "0": False}.get(params.get("starred") or "")
    return queries.TaskFilter(
        division=params.get("division") or None,
        states=tuple(s for s in (params.get("state") or "").split(",") if s),
        timeliness=tuple(wanted),
        directive=parse_int(params.get("directive"), "directive", 1, 2_147_483_647),
        leader=params.get("leader") or None,
        due_from=parse_date(params.get("due_from"), "due_from"),
        due_to=parse_date(params.get("due_to"), "due_to"),
        q=(params.get("q") or "").strip()[:200] or None,
        starred=starred,
        limit=per_page,
        offset=(page - 1) * per_page,
    )


FILTERS = ("division", "state", "timeliness", "directive", "leader", "due_from", "due_to", "q", "starred")


def filter_params(request: Request) -> dict[str, str]:
    """The list's filters as the query gives them (the page and its export read the same ones)."""
    return {k: request.query_params.get(k) or "" for k in FILTERS}


@get("/tasks", include_in_schema=False)
async def task_list(
    request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep,
    page: int = Parameter(default=1, ge=1, le=10_000), per_page: int = Parameter(default=PER_PAGE, ge=1, le=MAX_PER_PAGE),
) -> Response:
    params = filter_params(request)
    error = None
    try:
        result = await queries.list_tasks(viewer.actor, task_filter(params, per_page, page), now, calendar, settings.due_soon_days)
    except Invalid as exc:
        result, error = {"items": [], "total": 0}, error_message(request, exc)
    divisions = await accounts.list_divisions()
    leaders = await leader_names()
    pages = max(1, -(-result["total"] // per_page))
    query_base = "&".join(f"{k}={v}" for k, v in params.items() if v) + (f"&per_page={per_page}" if per_page != PER_PAGE else "")
    return render(request, "tasks.html", status_code=422 if error else 200, tasks=result["items"], total=result["total"],
                  params=params, divisions=divisions, leaders=leaders, page=page, pages=pages, query_base=query_base,
                  export_query=urlencode({k: v for k, v in params.items() if v}), error=error, states=queries.STATES,
                  timeliness_codes=[t.value for t in Timeliness])


@get("/tasks/export/{fmt:str}", include_in_schema=False)
async def export_task_list(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep,
                           fmt: FromPath[str]) -> Response:
    """Every row the list shows for these filters (all its pages), as XLSX or CSV."""
    f = task_filter(filter_params(request), 1, 1)
    return attachment(await task_list_export.export_tasks(viewer.actor, f, fmt, now, calendar, settings.due_soon_days, locale_of(request)))


def readable_history(request: Request, events: list[dict], divisions: list[dict], users: list[dict]) -> list[dict]:
    """Audit events as the history section shows them, newest first, in the viewer's language."""
    division_names = {d["id"]: d["code"] for d in divisions}
    user_names = {u["id"]: u["full_name"] or u["username"] for u in users}
    by_username = {u["username"]: u["full_name"] or u["username"] for u in users}
    _ = gettext_for(locale_of(request))
    fmt_date = formatters(request)["fmt_date"]
    return [{**describe(e, _, fmt_date, division_names, user_names), "actor": by_username.get(e["actor"], e["actor"])}
            for e in reversed(events)]


async def task_page(request: Request, now: datetime, settings: Settings, viewer: Viewer, calendar: WorkingCalendar, task_id: FromPath[int],
                    error: str | None = None, errors: dict | None = None, status_code: int = 200, values: dict | None = None) -> Response:
    task = await queries.task_detail(viewer.actor, task_id, now, calendar, settings.due_soon_days)
    actions = await overview.task_actions(viewer.actor, task_id)
    divisions = await accounts.list_divisions()
    users = await accounts.list_users()
    by_username = {u["username"]: u["full_name"] or u["username"] for u in users}
    readable = readable_history(request, await queries.task_history(viewer.actor, task_id), divisions, users)
    pending = next((e for e in task["extensions"] if e["state"] == "pending"), None)
    return render(
        request, "task.html", status_code=status_code, task=task, history=readable, actions=actions, pending_extension=pending,
        notifications=await notifications_for(viewer.actor, task_id, gettext_for(locale_of(request))), names=by_username,
        directive_link=may_read_register(viewer.actor),
        division_names={d["code"]: d["name"] for d in divisions}, error=error, errors=errors or {}, values=values or {},
        msg=request.query_params.get("msg"),
        # Came from "my division": saving progress returns there, ready for the next task.
        back="/division" if request.query_params.get("back") == "/division" or (values or {}).get("back") == "/division" else None,
    )


@get("/tasks/{task_id:int}", include_in_schema=False)
async def show_task(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    return await task_page(request, now, settings, viewer, calendar, task_id)


async def _act(request: Request, now: datetime, settings: Settings, viewer: Viewer, calendar: WorkingCalendar, task_id: FromPath[int], work, msg: str) -> Response:
    form = await request.form()
    try:
        await work(form, now)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # an error page: the task itself may be one this viewer cannot see
        return await task_page(request, now, settings, viewer, calendar, task_id, error=error_message(request, exc),
                               errors=field_errors(request, exc), status_code=exc.status, values=dict(form.items()))
    target = safe_next(form.get("back")) if form.get("back") else f"/tasks/{task_id}"
    return Redirect(path=target + ("&" if "?" in target else "?") + f"msg={msg}", status_code=303)


@post("/tasks/{task_id:int}/progress", include_in_schema=False)
async def progress(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    async def work(form, now):
        percent = parse_int(form.get("percent"), "percent", 0, 100)
        if percent is None:
            raise Invalid(N_("Percent must be between 0 and 100."), fields={"percent": N_("Required")})
        await lifecycle.report_progress(db, viewer.actor, now, task_id, percent, text(form, "note"),
                                        expected_state=seen_state(form))
    return await _act(request, now, settings, viewer, calendar, task_id, work, "progress_saved")


@post("/tasks/{task_id:int}/submit", include_in_schema=False)
async def submit(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    async def work(form, now):
        await lifecycle.submit(db, viewer.actor, now, calendar, task_id, text(form, "note"),
                               parse_date(form.get("completed_on"), "completed_on"), expected_state=seen_state(form))
    return await _act(request, now, settings, viewer, calendar, task_id, work, "sent_to_office")


@post("/tasks/{task_id:int}/extensions", include_in_schema=False)
async def request_extension(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    async def work(form, now):
        new_date = parse_date(form.get("requested_due_on"), "requested_due_on")
        if new_date is None:
            raise Invalid(N_("Give the new deadline."), fields={"requested_due_on": N_("Required")})
        await extensions.request_extension(db, viewer.actor, now, calendar, task_id, new_date, text(form, "reason"),
                                           notice_days=settings.extension_notice_days)
    return await _act(request, now, settings, viewer, calendar, task_id, work, "extension_requested")


@post("/tasks/{task_id:int}/confirm", include_in_schema=False)
async def confirm(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    if is_htmx(request):
        return await _in_place(request, now, settings, viewer, calendar, task_id, lambda now: lifecycle.confirm(db, viewer.actor, now, task_id))
    return await _act(request, now, settings, viewer, calendar, task_id, lambda form, now: lifecycle.confirm(db, viewer.actor, now, task_id), "confirmed")


@post("/tasks/{task_id:int}/return", include_in_schema=False)
async def return_task(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    async def work(form, now):
        await lifecycle.return_task(db, viewer.actor, now, task_id, text(form, "reason"), expected_state=seen_state(form))
    return await _act(request, now, settings, viewer, calendar, task_id, work, "returned")


async def _in_place(request: Request, now: datetime, settings: Settings, viewer: Viewer, calendar: WorkingCalendar, task_id: FromPath[int], call) -> Response:
    """htmx: do it and answer with the queue row's replacement."""
    try:
        await call(now)
        error = None
    except DomainError as exc:
        if exc.status == 404:
            raise
        error = error_message(request, exc)
    task = await queries.task_detail(viewer.actor, task_id, now, calendar, settings.due_soon_days)
    return render(request, "_queue_row_done.html", task=task, error=error)


@post("/tasks/{task_id:int}/star", include_in_schema=False)
async def star(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
    async def work(form, now):
        await lifecycle.set_starred(db, viewer.actor, now, task_id, form.get("starred") == "1")
    return await _act(request, now, settings, viewer, calendar, task_id, work, "saved")


def _reasoned(name: str, service, msg: str):
    @post(f"/tasks/{{task_id:int}}/{name}", include_in_schema=False, name=f"task-{name}")
    async def handler(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, task_id: FromPath[int]) -> Response:
        async def work(form, now):
            await service(db, viewer.actor, now, task_id, text(form, "reason"), expected_state=seen_state(form))
        return await _act(request, now, settings, viewer, calendar, task_id, work, msg)
    return handler


@post("/extensions/{extension_id:int}/decision", include_in_schema=False)
async def decide(request: Request, db: DbDep, now: NowDep, viewer: ViewerDep, extension_id: FromPath[int]) -> Response:
    form = await request.form()
    approve = form.get("approve") == "1"
    error = None
    try:
        await extensions.decide_extension(db, viewer.actor, now, extension_id, approve, text(form, "note"))
    except DomainError as exc:
        if not is_htmx(request) or exc.status in (403, 404):
            raise
        error = error_message(request, exc)
    if is_htmx(request):
        ext = await overview.get_extension(extension_id)
        return render(request, "_extension_row.html", ext=ext, error=error, decided=True)
    target = safe_next(form.get("back")) if form.get("back") else "/leader"
    return Redirect(path=f"{target}?msg={'extension_approved' if approve else 'extension_refused'}", status_code=303)


ROUTES = [
    task_list, export_task_list, show_task, progress, submit, request_extension, confirm, return_task, star, decide,
    _reasoned("pause", lifecycle.pause, "task_paused"), _reasoned("resume", lifecycle.resume, "resumed"),
    _reasoned("cancel", lifecycle.cancel, "task_cancelled"), _reasoned("reopen", lifecycle.reopen, "task_reopened"),
]
