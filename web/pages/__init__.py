"""The server-rendered pages: one Router with its own dependencies and HTML error pages, the
static files, the template engine and the CSRF check on every form (the JSON API, which uses
bearer tokens, is left out of it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from web.pages import admin, auth, escalation, imports, office, reports, roles, tasks
from web.pages.common import PAGE_EXCEPTION_HANDLERS, provide_viewer, template_config
from web.settings import Settings

STATIC = Path(__file__).resolve().parent.parent / "static"
CSRF_COOKIE = "dondoc_csrf"


def pages_router() -> Router:
    return Router(
        path="/",
        route_handlers=[*auth.ROUTES, *tasks.ROUTES, *office.ROUTES, *roles.ROUTES, *admin.ROUTES, *reports.ROUTES,
                        *imports.ROUTES, *escalation.ROUTES],
        dependencies={"viewer": Provide(provide_viewer)},
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


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
