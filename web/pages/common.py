"""What every page shares: the signed-in viewer, the language, date formatting, rendering, and
turning refusals into HTML pages (the API keeps its JSON errors)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from tasks.dates import format_date, format_datetime
from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException, ValidationException
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from litestar.plugins.jinja import JinjaTemplateEngine

from tasks.errors import N_, DomainError
from tasks.formatting import format_percent
from tasks.i18n import DEFAULT_LOCALE, LOCALES, gettext_for, translate_error
from tasks.register import DIRECTIVE_KIND_LABELS
from tasks.state import STATE_LABELS, TaskState
from tasks.timeliness import SUBMITTED_LABELS, TIMELINESS_LABELS, timeliness_label  # noqa: F401  (re-exported)
from tasks.permissions import rights
from web.errors import http_error_handler, internal_error_handler
from web.sessions import Viewer, session_viewer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SESSION_COOKIE = "dondoc_session"
LANG_COOKIE = "dondoc_lang"

ROLE_LABELS = {"office": N_("Office staff"), "head": N_("Division head"), "leader": N_("Leader"), "admin": N_("Administrator")}
# A symbol next to each label, so the status reads without colour (and in grey print).
TIMELINESS_ICONS = {
    "overdue": "!", "due_soon": "◷", "on_track": "→", "no_deadline": "–", "done_late": "✓", "done_on_time": "✓", "stopped": "■",
}


ViewerDep = NamedDependency[Viewer]


class SignInRequired(Exception):
    pass


class PageForbidden(Exception):
    pass


def template_config() -> TemplateConfig:
    def configure(engine: JinjaTemplateEngine) -> None:
        engine.engine.autoescape = True
        engine.engine.trim_blocks = True
        engine.engine.lstrip_blocks = True

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=configure)


async def provide_viewer(request: Request, state: State) -> Viewer:
    viewer = await optional_viewer(request, state)
    if viewer is None:
        raise SignInRequired()
    return viewer


async def optional_viewer(request: Request, state: State) -> Viewer | None:
    if "dondoc_viewer" not in request.scope:
        viewer = await session_viewer(request.cookies.get(SESSION_COOKIE), state.clock.now())
        request.scope["dondoc_viewer"] = viewer
        if viewer is not None:
            request.scope["dondoc_actor"] = viewer.actor
    return request.scope["dondoc_viewer"]


def require(allowed: bool) -> None:
    """Refuse the page unless the right it needs (asked of tasks.permissions) is held."""
    if not allowed:
        raise PageForbidden()


def locale_of(request: Request) -> str:
    viewer = request.scope.get("dondoc_viewer")
    # The one-tap page of an email speaks the language of the user its link names.
    actor = viewer.actor if viewer is not None else request.scope.get("dondoc_link_actor")
    if actor is not None:
        return actor.locale if actor.locale in LOCALES else DEFAULT_LOCALE
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def safe_next(target: str | None) -> str:
    """Only a local path survives sign-in: never another host, never a scheme, never `//host`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return "/"
    return target


def formatters(request: Request) -> dict[str, Any]:
    locale = locale_of(request)
    zone = request.app.state.settings.zone

    def fmt_datetime(value: datetime | str | None) -> str:
        return format_datetime(value, zone)

    def fmt_rate(value: float | None) -> str:
        return format_percent(value, locale)

    return {"fmt_date": format_date, "fmt_datetime": fmt_datetime, "fmt_rate": fmt_rate}


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    locale = locale_of(request)
    _ = gettext_for(locale)
    settings = request.app.state.settings
    viewer = request.scope.get("dondoc_viewer")
    base = {
        "_": _,
        "locale": locale,
        "viewer": viewer,
        # What the menu and the buttons may offer: flags decided by tasks.permissions.
        "rights": rights(viewer.actor) if viewer is not None else None,
        "request": request,
        "path": request.url.path,
        "full_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "department": getattr(settings, "department_name", None) or _("Department of Industry and Trade"),
        "role_label": (lambda role: _(ROLE_LABELS.get(str(role), str(role)))),
        "state_label": (lambda state: _(STATE_LABELS.get(state, state))),
        "kind_labels": {k: _(v) for k, v in DIRECTIVE_KIND_LABELS.items()},
        "timeliness_label": (lambda code, state=None: _(timeliness_label(code, state))),
        "timeliness_icon": (lambda code: TIMELINESS_ICONS.get(code or "stopped", "")),
        "TaskState": TaskState,
        **formatters(request),
    }
    return Template(template_name=name, context={**base, **context}, status_code=status_code)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back(request: Request, fallback: str, message: str | None = None) -> Redirect:
    """Post/redirect/get: back to the page the form was on, with a message code to show."""
    target = fallback
    if message:
        target += ("&" if "?" in target else "?") + "msg=" + quote(message)
    return Redirect(path=target, status_code=303)


def error_message(request: Request, exc: DomainError) -> str:
    return translate_error(locale_of(request), exc.message, exc.params)


def field_errors(request: Request, exc: DomainError) -> dict[str, str]:
    return {k: translate_error(locale_of(request), v, exc.params) for k, v in exc.fields.items()}




def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "error.html", status_code=status, title=title, message=message)


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if is_htmx(request):
        return Response("", status_code=401, headers={"HX-Redirect": "/signin?next=" + quote(target, safe="")})
    return Redirect(path="/signin" + ("" if target == "/" else "?next=" + quote(target, safe="")), status_code=303)


def page_forbidden(request: Request, exc: Exception) -> Response:
    _ = gettext_for(locale_of(request))
    return _error_page(request, 403, _("Not allowed"), _("Your role does not give access to this page."))


def domain_error_page(request: Request, exc: DomainError) -> Response:
    _ = gettext_for(locale_of(request))
    titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Not possible now")}
    return _error_page(request, exc.status, titles.get(exc.status, _("Please check the form")), error_message(request, exc))


def http_error_page(request: Request, exc: HTTPException) -> Response:
    _ = gettext_for(locale_of(request))
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, _("Not found"), _("This page does not exist."))
    if isinstance(exc, PermissionDeniedException):
        # Raised by the CSRF check: the form carried no valid token.
        return _error_page(request, 403, _("The form has expired"),
                           _("The form was refused because its security token is missing or out of date. Go back, reload the page and send it again."))
    if exc.status_code >= 500:
        return internal_error_page(request, exc)
    return _error_page(request, exc.status_code, _("Please check the form"), _("The request could not be read."))


def not_found_anywhere(request: Request, exc: NotFoundException) -> Response:
    """The app's answer to a URL no route serves (and to any NotFoundException): the JSON error
    under /api/, the site's 404 page, in the visitor's language, everywhere else."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return http_error_handler(request, exc)
    return http_error_page(request, exc)


def validation_error_page(request: Request, exc: ValidationException) -> Response:
    """A query parameter the page declares (page, per_page, year) out of its bounds: a page, not the API's JSON."""
    _ = gettext_for(locale_of(request))
    names = sorted({str(p["key"]) for p in exc.extra or [] if isinstance(p, dict) and p.get("key")})
    message = _("Some fields are invalid: {fields}", fields=", ".join(names)) if names else _("The request could not be read.")
    return _error_page(request, 400, _("Please check the form"), message)


def internal_error_page(request: Request, exc: Exception) -> Response:
    answer = internal_error_handler(request, exc)  # logs it, and tells a database that did not answer from a fault
    _ = gettext_for(locale_of(request))
    if answer.status_code == 503:
        page = _error_page(request, 503, _("Please try again"),
                           _("The database is not answering just now; nothing was changed. Try again in a moment."))
        page.headers["Retry-After"] = answer.headers["Retry-After"]
        return page
    return _error_page(request, 500, _("Something went wrong"), _("Something went wrong on the server; nothing was changed."))


PAGE_EXCEPTION_HANDLERS = {
    SignInRequired: sign_in_redirect,
    PageForbidden: page_forbidden,
    DomainError: domain_error_page,
    HTTPException: http_error_page,
    ValidationException: validation_error_page,
    Exception: internal_error_page,
}
