"""The office puts a recording mistake right on the pages: edit a task (its fields, deadline and
assignment), edit a directive, add tasks to a directive already recorded. Each form calls the
service the API calls, with the reason it asks for; the history shows the change."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from tasks import accounts, lifecycle, overview, queries, register
from tasks.dates import format_date
from tasks.errors import DomainError
from tasks.text import check_lengths
from tasks.permissions import Role, may_record_directive
from web.deps import CalendarDep, DbDep, NowDep, SettingsDep
from web.pages.common import PageForbidden, ViewerDep, error_message, field_errors, render, require
from web.pages.forms import parse_date, value
from web.pages.office import blank_rows, form_context, row_errors, rows_from, new_tasks_from, MAX_ROWS

DIRECTIVE_TEXT_FIELDS = ("number", "issuer", "signer", "kind", "summary")


async def _task_form(request: Request, viewer, task: dict, actions: set[str], values: dict, errors: dict | None = None,
                     error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "task_edit.html", status_code=status_code, task=task, values=values, errors=errors or {}, error=error,
                  reassign="assign" in actions, heads=await accounts.users_with_role(Role.HEAD), **await form_context())


async def _editable_task(viewer, task_id: int, now, calendar, settings) -> tuple[dict, set[str]]:
    # The right first (refused and audited by the service), as the task page's other forms answer:
    # 403 to a head, whether or not they see the task.
    await lifecycle.check_may_edit(viewer.actor, now, task_id)
    actions = await overview.task_actions(viewer.actor, task_id)
    if "correct" not in actions:  # a cancelled task: nothing to correct
        raise PageForbidden()
    return await queries.task_detail(viewer.actor, task_id, now, calendar, settings.due_soon_days), actions


@get("/tasks/{task_id:int}/edit", include_in_schema=False)
async def edit_task_form(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep,
                         task_id: FromPath[int]) -> Response:
    task, actions = await _editable_task(viewer, task_id, now, calendar, settings)
    values = {k: task[k] or "" for k in ("title", "description", "lead_division", "leader_in_charge", "assignee")}
    values.update(support_divisions=task["support_divisions"], due_on=format_date(task["due_on"]) if task["due_on"] else "")
    return await _task_form(request, viewer, task, actions, values)


@post("/tasks/{task_id:int}/edit", include_in_schema=False)
async def edit_task(request: Request, db: DbDep, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep,
                    task_id: FromPath[int]) -> Response:
    task, actions = await _editable_task(viewer, task_id, now, calendar, settings)
    form = await request.form()
    values = {
        "title": value(form, "title"), "description": value(form, "description"), "due_on": value(form, "due_on"),
        "lead_division": value(form, "lead_division"), "support_divisions": sorted(v for v in form.getall("support_divisions", []) if v),
        "leader_in_charge": value(form, "leader_in_charge"), "assignee": value(form, "assignee"), "reason": value(form, "reason"),
    }
    try:
        check_lengths(values)  # inside: a refused form comes back with what was typed
        due_on = parse_date(values["due_on"], "due_on")
        changes = {k: values[k] for k in ("title", "description") if values[k] != task[k]}
        if due_on != task["due_on"]:
            changes["due_on"] = due_on
        assignment = None
        wanted = {"lead_division": values["lead_division"], "support_divisions": values["support_divisions"],
                  "leader_in_charge": values["leader_in_charge"] or None, "assignee": values["assignee"] or None}
        if "assign" in actions and any(wanted[k] != task[k] for k in wanted):
            assignment = wanted
        await lifecycle.edit(db, viewer.actor, now, calendar, task_id, values["reason"], changes, assignment)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return await _task_form(request, viewer, task, actions, values, field_errors(request, exc), error_message(request, exc), exc.status)
    return Redirect(path=f"/tasks/{task_id}?msg=task_corrected", status_code=303)


def _directive_values(directive: dict) -> dict:
    return {**{k: directive[k] or "" for k in DIRECTIVE_TEXT_FIELDS},
            **{k: format_date(directive[k]) if directive[k] else "" for k in ("issued_on", "received_on")}}


@get("/directives/{directive_id:int}/edit", include_in_schema=False)
async def edit_directive_form(request: Request, viewer: ViewerDep, directive_id: FromPath[int]) -> Response:
    require(may_record_directive(viewer.actor))
    directive = await register.get_directive(viewer.actor, directive_id)
    return render(request, "directive_edit.html", directive=directive, values=_directive_values(directive), errors={}, error=None)


@post("/directives/{directive_id:int}/edit", include_in_schema=False)
async def edit_directive(request: Request, db: DbDep, now: NowDep, viewer: ViewerDep, calendar: CalendarDep,
                         directive_id: FromPath[int]) -> Response:
    require(may_record_directive(viewer.actor))
    directive = await register.get_directive(viewer.actor, directive_id)
    form = await request.form()
    values = {k: value(form, k) for k in (*DIRECTIVE_TEXT_FIELDS, "issued_on", "received_on")}
    reason = value(form, "reason")
    try:
        check_lengths({**values, "reason": reason})
        changes = {**{k: values[k] for k in DIRECTIVE_TEXT_FIELDS},
                   **{k: parse_date(values[k], k) for k in ("issued_on", "received_on")}}
        await register.correct_directive(db, viewer.actor, now, calendar, directive_id, reason, changes)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "directive_edit.html", status_code=exc.status, directive=directive, values={**values, "reason": reason},
                      errors=field_errors(request, exc), error=error_message(request, exc))
    return Redirect(path=f"/directives/{directive_id}?msg=directive_corrected", status_code=303)


@get("/directives/{directive_id:int}/tasks", include_in_schema=False)
async def add_tasks_form(request: Request, viewer: ViewerDep, directive_id: FromPath[int]) -> Response:
    require(may_record_directive(viewer.actor))
    directive = await register.get_directive(viewer.actor, directive_id)
    return render(request, "directive_tasks.html", directive=directive, rows=blank_rows(1), errors={}, error=None, **await form_context())


@post("/directives/{directive_id:int}/tasks", include_in_schema=False)
async def add_tasks(request: Request, db: DbDep, now: NowDep, viewer: ViewerDep, calendar: CalendarDep, directive_id: FromPath[int]) -> Response:
    require(may_record_directive(viewer.actor))
    directive = await register.get_directive(viewer.actor, directive_id)
    form = await request.form()
    rows = rows_from(form)
    if form.get("add_row"):
        return render(request, "directive_tasks.html", directive=directive, rows=rows + blank_rows(1 if len(rows) < MAX_ROWS else 0),
                      errors={}, error=None, **await form_context())
    try:
        await register.add_tasks(db, viewer.actor, now, calendar, directive_id, new_tasks_from(rows))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "directive_tasks.html", status_code=exc.status, directive=directive, rows=rows,
                      errors=row_errors(field_errors(request, exc), rows), error=error_message(request, exc), **await form_context())
    return Redirect(path=f"/directives/{directive_id}?msg=tasks_added", status_code=303)


ROUTES = [edit_task_form, edit_task, edit_directive_form, edit_directive, add_tasks_form, add_tasks]
