"""Sign-in, sign-out, password change, language choice and the front door."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.response import Redirect, Template

from tasks import accounts
from tasks.errors import N_, Conflict, Invalid, Throttled, Unauthenticated
from tasks.i18n import LOCALES, gettext_for
from tasks.permissions import Role
from web import sessions
from web.deps import DbDep, NowDep, SettingsDep
from web.settings import Settings
from web.signin import client_address, sign_in
from web.pages.common import (
    ViewerDep,
    LANG_COOKIE, SESSION_COOKIE, error_message, field_errors, locale_of, optional_viewer, render, safe_next,
)

HOME = {Role.OFFICE: "/office", Role.HEAD: "/division", Role.LEADER: "/leader", Role.ADMIN: "/admin/users"}


def _secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


@get("/", include_in_schema=False)
async def home(request: Request, state: State) -> Redirect:
    viewer = await optional_viewer(request, state)
    if viewer is None:
        return Redirect(path="/signin", status_code=303)
    return Redirect(path=HOME[viewer.role], status_code=303)


@get("/signin", include_in_schema=False)
async def signin_form(request: Request, state: State) -> Response:
    target = safe_next(request.query_params.get("next"))
    viewer = await optional_viewer(request, state)
    if viewer is not None:
        return Redirect(path=target, status_code=303)
    return render(request, "signin.html", next=target, username="", error=None)


@post("/signin", include_in_schema=False)
async def signin(request: Request, now: NowDep, db: DbDep, settings: SettingsDep) -> Response:
    form = await request.form()
    username = (form.get("username") or "").strip()[:64]
    password = form.get("password") or ""
    target = safe_next(form.get("next"))
    try:
        actor = await sign_in(db, username, password, client_address(request), now)
    except (Throttled, Unauthenticated) as exc:
        page = render(request, "signin.html", status_code=exc.status, next=target, username=username,
                      error=error_message(request, exc))
        if isinstance(exc, Throttled):
            page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    token = await sessions.start_session(actor, now)
    response = Redirect(path=target if target != "/" else HOME[actor.role], status_code=303)
    response.set_cookie(Cookie(key=SESSION_COOKIE, value=token, path="/", httponly=True, samesite="lax",
                               secure=_secure(settings), max_age=int(sessions.ABSOLUTE.total_seconds())))
    # The user's language, for the pages that know no session: a 404, the sign-in page after sign-out.
    response.set_cookie(_language_cookie(actor.locale, settings))
    return response


@post("/signout", include_in_schema=False)
async def signout(request: Request, state: State) -> Redirect:
    await sessions.end_session(request.cookies.get(SESSION_COOKIE))
    response = Redirect(path="/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/account", include_in_schema=False)
async def account(request: Request, viewer: ViewerDep) -> Template:
    return render(request, "account.html", errors={}, error=None, msg=request.query_params.get("msg"))


@post("/account/password", include_in_schema=False)
async def change_password(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    new, repeat = form.get("new_password") or "", form.get("repeat_password") or ""
    _ = gettext_for(locale_of(request))
    try:
        if new != repeat:
            raise Invalid(N_("The two new passwords differ."), fields={"repeat_password": N_("Not the same")})
        version = await accounts.change_password(db, viewer.actor, now, form.get("current_password") or "", new)
    except (Invalid, Conflict) as exc:
        return render(request, "account.html", status_code=exc.status, errors=field_errors(request, exc), error=error_message(request, exc), msg=None)
    await sessions.keep_only_session(viewer.actor.id, viewer.session_id, version)
    return Redirect(path="/account?msg=password_changed", status_code=303)


@post("/language", include_in_schema=False)
async def choose_language(request: Request, state: State) -> Redirect:
    form = await request.form()
    locale = form.get("locale") if form.get("locale") in LOCALES else "vi"
    viewer = await optional_viewer(request, state)
    if viewer is not None:
        await accounts.set_locale(state.db, viewer.actor, state.clock.now(), locale)
    response = Redirect(path=safe_next(form.get("next")), status_code=303)
    response.set_cookie(_language_cookie(locale, state.settings))
    return response


def _language_cookie(locale: str, settings) -> Cookie:
    return Cookie(key=LANG_COOKIE, value=locale if locale in LOCALES else "vi", path="/", httponly=True, samesite="lax",
                  secure=_secure(settings), max_age=365 * 24 * 3600)


ROUTES = [home, signin_form, signin, signout, account, change_password, choose_language]
