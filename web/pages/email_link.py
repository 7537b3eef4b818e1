"""The one-tap page of an email (`/u/{token}`): without signing in, the head the link names reports
progress on, submits or asks an extension for the one task it names, and nothing else, under
the same rules as the signed-in task page; every change is audited as that head, `via:
email_link`. Any other use (another task, an expired or altered link, a deactivated user or a
changed password) is refused with 403 and a way to sign in."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from tasks import email_links, extensions, lifecycle, overview, queries
from tasks.accounts import active_actor
from tasks.audit import acting_via
from tasks.errors import N_, DomainError, Invalid
from tasks.i18n import gettext_for
from tasks.permissions import Actor
from web.deps import CalendarDep, DbDep, NowDep, SettingsDep
from web.pages.common import error_message, field_errors, locale_of, render
from web.pages.forms import parse_date, parse_int, text
from web.pages.tasks import seen_state


class LinkRefused(Exception):
    """The link does not let anyone act: the page says so and offers the sign-in."""


async def _holder(request: Request, token: str, now, secret_key: str) -> tuple[Actor, int]:
    link = email_links.read(token, now, secret_key) if len(token) < 2000 else None
    actor = await active_actor(link.user_id, link.credential_version) if link else None
    if link is None or actor is None:
        raise LinkRefused()
    request.scope["dondoc_link_actor"] = actor
    return actor, link.task_id


def refused_page(request: Request, exc: LinkRefused) -> Response:
    _ = gettext_for(locale_of(request))
    return render(request, "error.html", status_code=403, title=_("This link cannot be used"), signin=True,
                  message=_("The link has expired, was changed, or is not for this task, or its account has changed. "
                            "Sign in to find the task and report on it there."))


async def _page(request: Request, actor: Actor, task_id: int, token: str, now, settings, calendar, *, error: str | None = None,
                errors: dict | None = None, status_code: int = 200, values: dict | None = None) -> Response:
    task = await queries.task_detail(actor, task_id, now, calendar, settings.due_soon_days)
    actions = await overview.task_actions(actor, task_id)
    pending = next((e for e in task["extensions"] if e["state"] == "pending"), None)
    return render(request, "one_tap.html", status_code=status_code, task=task, actions=actions, token=token, holder=actor,
                  pending_extension=pending, error=error, errors=errors or {}, values=values or {},
                  msg=request.query_params.get("msg"))


@get("/u/{token:str}", include_in_schema=False)
async def one_tap(request: Request, token: FromPath[str], now: NowDep, settings: SettingsDep, calendar: CalendarDep) -> Response:
    actor, task_id = await _holder(request, token, now, settings.secret_key)
    return await _page(request, actor, task_id, token, now, settings, calendar)


async def _act(request: Request, token: str, now, settings, calendar, work, msg: str) -> Response:
    actor, task_id = await _holder(request, token, now, settings.secret_key)
    form = await request.form()
    if form.get("task") != str(task_id):  # a form for another task: this link is for one task only
        raise LinkRefused()
    try:
        with acting_via("email_link"):
            await work(actor, task_id, form)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return await _page(request, actor, task_id, token, now, settings, calendar, error=error_message(request, exc),
                           errors=field_errors(request, exc), status_code=exc.status, values=dict(form.items()))
    return Redirect(path=f"/u/{token}?msg={msg}", status_code=303)


@post("/u/{token:str}/progress", include_in_schema=False)
async def progress(request: Request, token: FromPath[str], db: DbDep, now: NowDep, settings: SettingsDep, calendar: CalendarDep) -> Response:
    async def work(actor, task_id, form):
        percent = parse_int(form.get("percent"), "percent", 0, 100)
        if percent is None:
            raise Invalid(N_("Percent must be between 0 and 100."), fields={"percent": N_("Required")})
        await lifecycle.report_progress(db, actor, now, task_id, percent, text(form, "note"), expected_state=seen_state(form))
    return await _act(request, token, now, settings, calendar, work, "progress_saved")


@post("/u/{token:str}/submit", include_in_schema=False)
async def submit(request: Request, token: FromPath[str], db: DbDep, now: NowDep, settings: SettingsDep, calendar: CalendarDep) -> Response:
    async def work(actor, task_id, form):
        await lifecycle.submit(db, actor, now, calendar, task_id, text(form, "note"), expected_state=seen_state(form))
    return await _act(request, token, now, settings, calendar, work, "sent_to_office")


@post("/u/{token:str}/extensions", include_in_schema=False)
async def extension(request: Request, token: FromPath[str], db: DbDep, now: NowDep, settings: SettingsDep, calendar: CalendarDep) -> Response:
    async def work(actor, task_id, form):
        new_date = parse_date(form.get("requested_due_on"), "requested_due_on")
        if new_date is None:
            raise Invalid(N_("Give the new deadline."), fields={"requested_due_on": N_("Required")})
        await extensions.request_extension(db, actor, now, calendar, task_id, new_date, text(form, "reason"),
                                           notice_days=settings.extension_notice_days)
    return await _act(request, token, now, settings, calendar, work, "extension_requested")


ROUTES = [one_tap, progress, submit, extension]
EXCEPTION_HANDLERS = {LinkRefused: refused_page}
