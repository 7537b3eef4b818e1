"""Every error leaves as JSON `{"error", "message", "fields"}` in the user's language, with a 4xx."""

from __future__ import annotations

import logging
import re

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from tasks.db import unavailable
from tasks.errors import N_, DomainError, Invalid, Throttled
from tasks.i18n import gettext_for, translate_error
from tasks.text import too_long
from web.api.schemas import PLAIN

log = logging.getLogger("dondoc.web")


def request_locale(request: Request) -> str:
    user = request.scope.get("dondoc_actor")
    if user is not None:
        return user.locale
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "vi"


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None) -> Response:
    return Response({"error": code, "message": message, "fields": fields or {}}, status_code=status, headers=headers)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    locale = request_locale(request)
    headers = {"Retry-After": str(exc.retry_after_seconds)} if isinstance(exc, Throttled) else None
    return error_response(
        exc.status, exc.code, translate_error(locale, exc.message, exc.params), {k: translate_error(locale, v, exc.params) for k, v in exc.fields.items()}, headers
    )


# msgspec names the first problem of a body it decodes, and where: `… - at `$.tasks[0].title``.
_AT = re.compile(r" - at `\$((?:\.\w+|\[\d+\])+)`")
_OVER_LONG = re.compile(r"Expected `str` of length <= (\d+)")


def _refused_value(detail: str) -> DomainError | None:
    """A text msgspec refused for its length, or for holding a control character (the PLAIN
    pattern), is a value read but refused: a 422 naming the field as the API names it
    (tasks.0.title), with the limit, as the pages and the import refuse it."""
    if (field := _field_of(detail)) is None:
        return None
    if (over := _OVER_LONG.search(detail)) is not None:
        return too_long(field, int(over[1]))
    if f"matching regex {PLAIN!r}" in detail:  # msgspec quotes the pattern as repr() does
        return Invalid(N_("The field {field} holds an invisible control character; remove it and try again."),
                       fields={field: N_("Holds a control character")}, field=field)
    return None


def _field_of(detail: str) -> str | None:
    at = _AT.search(detail)
    return re.sub(r"\[(\d+)\]", r".\1", at[1]).lstrip(".") if at else None


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    detail = str(exc.detail or "")
    if (refused := _refused_value(detail)) is not None:
        return domain_error_handler(request, refused)
    _ = gettext_for(request_locale(request))
    fields: dict[str, str] = {}
    for problem in exc.extra or []:
        if isinstance(problem, dict):
            key = str(problem.get("key") or "body").removeprefix("$.")
            fields[key] = _("Missing, of the wrong type, or out of range")
    if not fields and (key := _field_of(detail)) is not None:
        fields[key] = _("Missing, of the wrong type, or out of range")
    if not fields or (("JSON" in detail or "decode" in detail.lower()) and _AT.search(detail) is None):
        message = _("The request could not be read: send valid JSON of the documented shape.")
    else:
        message = _("Some fields are invalid: {fields}", fields=", ".join(sorted(fields)))
    return error_response(400, "invalid", message, fields)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    _ = gettext_for(request_locale(request))
    if isinstance(exc, NotFoundException):
        return error_response(404, "not_found", _("Not found."))
    if isinstance(exc, NotAuthorizedException):
        return error_response(401, "unauthenticated", _("Sign in first: send a valid bearer token."))
    if isinstance(exc, PermissionDeniedException):
        return error_response(403, "forbidden", _("You may not do this."))
    if exc.status_code >= 500:
        return internal_error_handler(request, exc)
    if exc.status_code == 405:
        return error_response(405, "method_not_allowed", _("This method is not allowed here."))
    if exc.status_code == 413:
        return error_response(413, "too_large", _("The request is too large."))
    return error_response(exc.status_code, "bad_request", _("The request could not be read: send valid JSON of the documented shape."))


RETRY_UNAVAILABLE_S = 5


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # The route, not the path: a calendar feed's path carries its token.
    route = request.scope.get("path_template") or "unmatched route"
    _ = gettext_for(request_locale(request))
    if unavailable(exc):
        log.warning("the database did not answer on %s %s: %s", request.method, route, exc)
        return error_response(503, "unavailable", _("The database is not answering just now; nothing was changed. Try again in a moment."),
                              headers={"Retry-After": str(RETRY_UNAVAILABLE_S)})
    log.exception("unhandled error on %s %s", request.method, route, exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal", _("Something went wrong on the server; nothing was changed."))


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
