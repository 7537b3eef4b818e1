"""The office: the queue of submitted tasks, directives (list, one directive, the form that
records a directive with several tasks at once)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar.params import FromPath
from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from tasks import accounts, queries, register
from tasks.errors import DomainError
from tasks.exports import directive_list as directive_list_export
from tasks.permissions import Role, may_confirm_submissions, may_record_directive
from tasks.state import TaskState
from tasks.text import check_lengths
from web.deps import CalendarDep, DbDep, NowDep, SettingsDep
from web.downloads import attachment
from web.pages.common import ViewerDep, error_message, field_errors, locale_of, render, require
from web.pages.forms import parse_date, parse_int, value
from web.pages.tasks import leader_names, readable_history

DEFAULT_ROWS = 3
MAX_ROWS = 30


@get("/office", include_in_schema=False)
async def queue(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(may_confirm_submissions(viewer.actor))
    f = queries.TaskFilter(states=(TaskState.SUBMITTED,), limit=queries.MAX_PAGE)
    result = await queries.list_tasks(viewer.actor, f, now, calendar, settings.due_soon_days)
    return render(request, "office.html", tasks=result["items"], total=result["total"], msg=request.query_params.get("msg"))


@get("/directives", include_in_schema=False)
async def directive_list(request: Request, viewer: ViewerDep, page: int = Parameter(default=1, ge=1, le=10_000)) -> Response:
    q = (request.query_params.get("q") or "").strip()[:200]
    rows, total = await register.list_directives(viewer.actor, q or None, limit=50, offset=(page - 1) * 50)
    return render(request, "directives.html", directives=rows, total=total, q=q, page=page, pages=max(1, -(-total // 50)),
                  export_query=urlencode({"q": q}) if q else "", msg=request.query_params.get("msg"))


@get("/directives/export/{fmt:str}", include_in_schema=False)
async def export_directive_list(request: Request, now: NowDep, viewer: ViewerDep, calendar: CalendarDep, fmt: FromPath[str]) -> Response:
    """Every directive the list finds for this search (all its pages), as XLSX or CSV."""
    q = (request.query_params.get("q") or "").strip()[:200]
    return attachment(await directive_list_export.export_directives(viewer.actor, q or None, fmt, now, calendar, locale_of(request)))


@get("/directives/{directive_id:int}", include_in_schema=False)
async def directive_page(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, directive_id: FromPath[int]) -> Response:
    directive = await register.get_directive(viewer.actor, directive_id)
    f = queries.TaskFilter(directive=directive_id, limit=queries.MAX_PAGE)
    result = await queries.list_tasks(viewer.actor, f, now, calendar, settings.due_soon_days)
    history = readable_history(request, await queries.directive_history(viewer.actor, directive_id),
                               await accounts.list_divisions(), await accounts.list_users())
    return render(request, "directive.html", directive=directive, tasks=result["items"], leaders=await leader_names(),
                  history=history, msg=request.query_params.get("msg"))


async def form_context() -> dict:
    return {
        "divisions": [d for d in await accounts.list_divisions() if d["active"]],
        "leaders": await accounts.users_with_role(Role.LEADER),
    }


def blank_rows(n: int) -> list[dict]:
    return [{"support_divisions": []} for _ in range(n)]


@get("/directives/new", include_in_schema=False)
async def new_directive(request: Request, viewer: ViewerDep) -> Response:
    require(may_record_directive(viewer.actor))
    return render(request, "directive_form.html", values={"kind": "document"}, rows=blank_rows(DEFAULT_ROWS), errors={}, error=None,
                  **await form_context())


def rows_from(form) -> list[dict]:
    count = min(parse_int(form.get("rows"), "rows", 1, MAX_ROWS) or DEFAULT_ROWS, MAX_ROWS)
    rows = []
    for i in range(count):
        p = f"tasks.{i}."
        rows.append({
            "title": value(form, p + "title"), "description": value(form, p + "description"),
            "lead_division": value(form, p + "lead_division"), "support_divisions": [v for v in form.getall(p + "support_divisions", []) if v],
            "leader_in_charge": value(form, p + "leader_in_charge"), "due_on": value(form, p + "due_on"),
            "due_in_working_days": value(form, p + "due_in_working_days"),
        })
    return rows


@post("/directives", include_in_schema=False)
async def record(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(may_record_directive(viewer.actor))
    form = await request.form()
    # Read whole, so a refused form comes back with what was typed; held to their limits below.
    values = {k: value(form, k) for k in ("number", "issuer", "signer", "issued_on", "received_on", "kind", "summary")}
    rows = rows_from(form)
    if form.get("add_row"):
        return render(request, "directive_form.html", values=values, rows=rows + blank_rows(1 if len(rows) < MAX_ROWS else 0),
                      errors={}, error=None, **await form_context())
    try:
        check_lengths(values)
        directive = register.NewDirective(
            number=values["number"], issuer=values["issuer"], signer=values["signer"],
            issued_on=parse_date(values["issued_on"], "issued_on"), received_on=parse_date(values["received_on"], "received_on"),
            kind=values["kind"] or "document", summary=values["summary"],
        )
        created = await register.record_directive(db, viewer.actor, now, calendar, directive, new_tasks_from(rows))
    except DomainError as exc:
        return render(request, "directive_form.html", status_code=exc.status,
                      values=values, rows=rows, errors=row_errors(field_errors(request, exc), rows), error=error_message(request, exc),
                      **await form_context())
    return Redirect(path=f"/directives/{created['id']}?msg=directive_recorded", status_code=303)


def new_tasks_from(rows: list[dict]) -> list[register.NewTask]:
    """The filled-in rows of a task form as new tasks, numbered among themselves as the service numbers them."""
    new_tasks = []
    for row in rows:
        if not row["title"]:
            continue  # an untouched row of the form
        n = len(new_tasks)
        check_lengths({f"tasks.{n}.{k}": v for k, v in row.items()})
        new_tasks.append(register.NewTask(
            title=row["title"], description=row["description"], lead_division=row["lead_division"],
            support_divisions=tuple(row["support_divisions"]), leader_in_charge=row["leader_in_charge"] or None,
            due_on=parse_date(row["due_on"], f"tasks.{n}.due_on"),
            due_in_working_days=parse_int(row["due_in_working_days"], f"tasks.{n}.due_in_working_days", 1, register.MAX_WORKING_DAYS),
        ))
    return new_tasks


def row_errors(errors: dict[str, str], rows: list[dict]) -> dict[str, str]:
    """The service numbers tasks among the filled-in rows; the form numbers all rows."""
    filled = [i for i, r in enumerate(rows) if r["title"]]
    mapped = {}
    for key, message in errors.items():
        if key.startswith("tasks."):
            _, n, field = key.split(".", 2)
            if n.isdigit() and int(n) < len(filled):
                key = f"tasks.{filled[int(n)]}.{field}"
        mapped[key] = message
    return mapped


ROUTES = [queue, directive_list, export_directive_list, new_directive, directive_page, record]
