"""The administrator's pages: users, divisions and the working calendar of each year."""

from __future__ import annotations

from datetime import datetime

from litestar.params import FromPath
from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from tasks import accounts, calendar_days, overview
from tasks.calendar import WorkingCalendar
from tasks.errors import N_, DomainError, Invalid
from tasks.permissions import Role, may_admin
from tasks.text import check_lengths
from web.deps import CalendarDep, DbDep, NowDep
from web.feeds import feed_url
from web.pages.common import ViewerDep, error_message, field_errors, render, require
from web.pages.forms import parse_date, text, value

ROLES = [r.value for r in Role]



async def _users_page(request: Request, status_code: int = 200, **extra) -> Response:
    context = {"users": await accounts.list_users(), "divisions": await accounts.list_divisions(), "roles": ROLES,
               "values": {"role": "head", "locale": "vi"}, "errors": {}, "error": None, "msg": request.query_params.get("msg")}
    return render(request, "admin_users.html", status_code=status_code, **{**context, **extra})


@get("/admin/users", include_in_schema=False)
async def users(request: Request, viewer: ViewerDep) -> Response:
    require(may_admin(viewer.actor))
    return await _users_page(request)


@post("/admin/users", include_in_schema=False)
async def create_user(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in ("username", "full_name", "email", "role", "division", "locale")}
    try:
        check_lengths(values)
        await accounts.create_user(db, viewer.actor, now, username=values["username"], full_name=values["full_name"],
                                 email=values["email"], role=values["role"], division_code=values["division"] or None,
                                 password=form.get("password") or "", locale=values["locale"] or "vi")
    except DomainError as exc:
        if exc.status == 403:
            raise
        return await _users_page(request, exc.status, values=values, errors=field_errors(request, exc), error=error_message(request, exc))
    return Redirect(path="/admin/users?msg=user_created", status_code=303)


@get("/admin/users/{user_id:int}", include_in_schema=False)
async def edit_user(request: Request, viewer: ViewerDep, user_id: FromPath[int]) -> Response:
    require(may_admin(viewer.actor))
    user = next((u for u in await accounts.list_users() if u["id"] == user_id), None)
    if user is None:
        raise Invalid(N_("No user {value}."), value=user_id)
    return render(request, "admin_user.html", user=user, values=user, divisions=await accounts.list_divisions(), roles=ROLES, errors={}, error=None)


@post("/admin/users/{user_id:int}", include_in_schema=False)
async def update_user(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, user_id: FromPath[int]) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in ("full_name", "email", "role", "division", "locale")}
    try:
        check_lengths(values)
        await accounts.update_user(db, viewer.actor, now, user_id, full_name=values["full_name"], email=values["email"],
                                   role=values["role"], division_code=values["division"] or None, active=form.get("active") == "1",
                                   locale=values["locale"] or "vi", new_password=form.get("password") or "")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        user = next((u for u in await accounts.list_users() if u["id"] == user_id), None)
        return render(request, "admin_user.html", status_code=exc.status, user=user, values={**user, **values, "division_code": values["division"]},
                      divisions=await accounts.list_divisions(), roles=ROLES, errors=field_errors(request, exc), error=error_message(request, exc))
    return Redirect(path="/admin/users?msg=user_saved", status_code=303)


async def _divisions_page(request: Request, status_code: int = 200, **extra) -> Response:
    settings = request.app.state.settings
    divisions = [{**d, "feed_url": feed_url(settings, d)} for d in await accounts.list_divisions()]
    context = {"divisions": divisions, "values": {}, "errors": {}, "error": None, "msg": request.query_params.get("msg")}
    return render(request, "admin_divisions.html", status_code=status_code, **{**context, **extra})


@get("/admin/divisions", include_in_schema=False)
async def divisions(request: Request, viewer: ViewerDep) -> Response:
    require(may_admin(viewer.actor))
    return await _divisions_page(request)


@post("/admin/divisions", include_in_schema=False)
async def create_division(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in ("code", "name", "email")}
    try:
        check_lengths(values)
        if not values["code"] or not values["name"]:
            raise Invalid(N_("A division needs a code and a name."), fields={
                **({"code": N_("Required")} if not values["code"] else {}), **({"name": N_("Required")} if not values["name"] else {})})
        await accounts.create_division(db, viewer.actor, now, code=values["code"], name=values["name"], email=values["email"])
    except DomainError as exc:
        if exc.status == 403:
            raise
        return await _divisions_page(request, exc.status, values=values, errors=field_errors(request, exc), error=error_message(request, exc))
    return Redirect(path="/admin/divisions?msg=division_created", status_code=303)


@post("/admin/divisions/{division_id:int}", include_in_schema=False)
async def update_division(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, division_id: FromPath[int]) -> Response:
    form = await request.form()
    try:
        await accounts.update_division(db, viewer.actor, now, division_id, name=text(form, "name"),
                                       email=text(form, "email"), active=form.get("active") == "1")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return await _divisions_page(request, exc.status, error=error_message(request, exc))
    return Redirect(path="/admin/divisions?msg=division_saved", status_code=303)


@post("/admin/divisions/{code:str}/feed-token", include_in_schema=False)
async def rotate_feed(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, code: FromPath[str]) -> Response:
    await accounts.rotate_feed(db, viewer.actor, now, code)
    return Redirect(path=f"/admin/divisions?msg=feed_rotated#division-{code}", status_code=303)


@get("/admin/calendar", include_in_schema=False)
async def calendar_page(request: Request, now: NowDep, viewer: ViewerDep, calendar: CalendarDep,
                        year: int | None = Parameter(default=None, ge=1990, le=2100)) -> Response:
    require(may_admin(viewer.actor))
    return await _calendar_page(request, now, calendar, year)


async def _calendar_page(request: Request, now: datetime, calendar: WorkingCalendar, year: int | None, status_code: int = 200, **extra) -> Response:
    year = year or calendar.today(now).year
    entered = {r["day"]: r for r in await calendar_days.list_days(year)}
    days = overview.year_calendar(calendar, year)
    for d in days:
        d["entered"] = d["day"] in entered
    context = {"year": year, "days": days, "values": {"kind": "working"}, "errors": {}, "error": None, "msg": request.query_params.get("msg")}
    return render(request, "admin_calendar.html", status_code=status_code, **{**context, **extra})


@post("/admin/calendar", include_in_schema=False)
async def add_calendar_day(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    form = await request.form()
    values = {k: value(form, k) for k in ("day", "kind", "name")}
    try:
        check_lengths(values)
        day = parse_date(values["day"], "day")
        if day is None:
            raise Invalid(N_("Write the date as dd/mm/yyyy."), fields={"day": N_("Required")})
        await calendar_days.add_day(db, viewer.actor, now, day, values["kind"], values["name"])
    except DomainError as exc:
        if exc.status == 403:
            raise
        year = None
        return await _calendar_page(request, now, calendar, year, exc.status, values=values, errors=field_errors(request, exc),
                                    error=error_message(request, exc))
    return Redirect(path=f"/admin/calendar?year={day.year}&msg=day_added", status_code=303)


@post("/admin/calendar/remove", include_in_schema=False)
async def remove_calendar_day(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    form = await request.form()
    try:
        day = parse_date(form.get("day"), "day")
        if day is None:
            raise Invalid(N_("Write the date as dd/mm/yyyy."), fields={"day": N_("Required")})
        await calendar_days.remove_day(db, viewer.actor, now, day)
    except DomainError as exc:
        if exc.status == 403:
            raise
        return await _calendar_page(request, now, calendar, None, exc.status, error=error_message(request, exc))
    return Redirect(path=f"/admin/calendar?year={day.year}&msg=day_removed", status_code=303)


ROUTES = [remove_calendar_day, users, create_user, edit_user, update_user, divisions, create_division, update_division, rotate_feed, calendar_page, add_calendar_day]
