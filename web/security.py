"""Security headers on every response the app sends (pages, API, static files, error pages, 404s),
set in one place: a `before_send` hook, which Litestar runs for every response, matched route or not.

The pages run no inline script and no inline style (htmx is a file, its indicator style is turned
off in base.html, the print buttons are wired in /static/app.js), so the policy allows files from
this origin only. The API documentation at /schema runs vendored Swagger UI, which sets styles
inline and draws icons from data: URLs: only its pages get those two allowances."""

from __future__ import annotations

from typing import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from web.pages.common import SESSION_COOKIE
from web.settings import Settings

# Nothing but this origin's own files; no plugins, no <base>, no framing by anyone.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI (vendored in web/static/swagger): React sets style attributes, the CSS has data: icons.
# Its start-up is /static/swagger-init.js (web.apidocs), so still no inline script.
SCHEMA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SCHEMA_PATH = "/schema"
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(path: str, https: bool) -> dict[str, str]:
    """The security headers of a response to `path`."""
    schema = path == SCHEMA_PATH or path.startswith(SCHEMA_PATH + "/")
    headers = {
        "Content-Security-Policy": SCHEMA_CSP if schema else PAGE_CSP,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


STATIC_PREFIX = "/static/"
_SESSION = f"{SESSION_COOKIE}=".encode()


def _signed_in(scope: Scope) -> bool:
    """A page's viewer was found, or the request carries a session cookie (a page that failed
    before it looked, a 404)."""
    if scope.get("dondoc_viewer") is not None:
        return True
    return any(name == b"cookie" and _SESSION in value for name, value in scope.get("headers", ()))


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """The app's `before_send` hook. HSTS only when the site is served over https (DONDOC_BASE_URL):
    sent over plain http it would be ignored, and on a laptop it must not pin 127.0.0.1 to https."""
    https = settings.base_url.startswith("https://")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        for name, value in headers_for(path, https).items():
            if name not in headers:
                headers[name] = value
        # What a signed-in browser is shown is never stored: Back after sign-out shows nothing private.
        if "cache-control" not in headers and not path.startswith(STATIC_PREFIX) and _signed_in(scope):
            headers["Cache-Control"] = "no-store"

    return add_headers
