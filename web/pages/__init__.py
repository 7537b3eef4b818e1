"""The server-rendered pages: one Router with its own dependencies and HTML error pages, the
static files, the template engine and the CSRF check on every form (the JSON API, which uses
bearer tokens, is left out of it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar import Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from web.pages import admin, auth, corrections, email_link, escalation, imports, inbox, office, reports, roles, tasks
from web.inputs import check_form, check_path_ids, check_query, read_forms_first
from web.pages.common import PAGE_EXCEPTION_HANDLERS, optional_viewer, provide_viewer, template_config
from web.settings import Settings

STATIC = Path(__file__).resolve().parent.parent / "static"
CSRF_COOKIE = "dondoc_csrf"


def pages_router() -> Router:
    return Router(
        path="/",
        route_handlers=[*auth.ROUTES, *tasks.ROUTES, *office.ROUTES, *roles.ROUTES, *admin.ROUTES, *reports.ROUTES,
                        *imports.ROUTES, *escalation.ROUTES, *inbox.ROUTES, *email_link.ROUTES, *corrections.ROUTES],
        dependencies={"viewer": Provide(provide_viewer)},
        exception_handlers={**PAGE_EXCEPTION_HANDLERS, **email_link.EXCEPTION_HANDLERS},
        middleware=[read_forms_first],
        before_request=before_page_request,
        include_in_schema=False,
    )


async def before_page_request(request: Request) -> None:
    """Every query parameter, path segment and form field held to tasks.text (web.inputs); the
    viewer is read first, so a refusal is in their language."""
    await optional_viewer(request, request.app.state)
    check_query(request)
    check_path_ids(request)
    await check_form(request)


def static_router() -> Router:
    return create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                                      cache_control=None)


def csrf_config(settings: Settings) -> CSRFConfig:
    # The token's HMAC key is derived from the secret key, so every instance accepts every other's forms.
    secret = hashlib.sha256(("csrf:" + settings.secret_key).encode()).hexdigest()
    return CSRFConfig(
        secret=secret, cookie_name=CSRF_COOKIE, cookie_httponly=True, cookie_samesite="lax",
        cookie_secure=settings.base_url.startswith("https://"), exclude=["^/api/v1/", "^/static/", "^/healthz$"],
    )


__all__ = ["pages_router", "static_router", "csrf_config", "template_config"]
