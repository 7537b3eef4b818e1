"""What each API operation answers, for the OpenAPI document at /schema: its success shape
(web.api.replies) and its error statuses, every error in the one shape web.errors sends.

A handler names the DomainError classes its service can raise; the status of each is the class's
own (`DomainError.status`), so the document and the error handler cannot disagree. What every
operation behind the bearer token can answer is added here once: 401 (no valid token) and 422
(web.inputs refuses a control character in any query parameter). The schemathesis run
(tests/fuzz) holds the app to this document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema

from tasks.errors import DomainError, Invalid, Unauthenticated

# Statuses raised by the HTTP layer rather than by a DomainError.
UNREADABLE = 400  # a body or parameter not of the documented type (msgspec, Litestar's parsing)
TOO_LARGE = 413  # a request body over Litestar's limit

DESCRIPTIONS = {
    400: "The request could not be read: the body or a parameter is missing, or not of the documented type.",
    401: "No valid bearer token (on the token endpoint: a wrong username or password).",
    403: "The caller's role, or their relation to the record, does not allow this (the refusal is audited).",
    404: "No such record, or none the caller may see.",
    409: "The record's state does not allow this, or it already exists.",
    413: "The request body is too large.",
    422: "A value was read but refused (unknown name, date out of range, control character, a rule of the register).",
    429: "Too many sign-in attempts for this username or address: retry after the seconds in Retry-After.",
}


class Error(msgspec.Struct):
    """Every error the API sends, whatever its status."""

    error: str  # a stable code: invalid, unauthenticated, forbidden, not_found, conflict, throttled…
    message: str  # for people, in the caller's language (Vietnamese unless they chose English)
    fields: dict[str, str]  # the problem with each named field, in the same language; often empty


def _status(kind: type[DomainError] | int) -> int:
    return kind if isinstance(kind, int) else kind.status


def answers(success: Any, *raised: type[DomainError] | int, status: int = 200, public: bool = False) -> dict[int, ResponseSpec]:
    """`responses=` for a handler: `success` (a shape of web.api.replies, or None for a download
    documented by its handler) at `status`, and an Error for each raised kind. `public` is for the
    one operation without a bearer token."""
    kinds = set(raised) | {Invalid} | (set() if public else {Unauthenticated})
    spec = {
        code: ResponseSpec(data_container=Error, description=DESCRIPTIONS[code], generate_examples=False)
        for code in sorted({_status(k) for k in kinds})
    }
    if success is not None:
        spec[status] = ResponseSpec(data_container=success, description="Done.", generate_examples=False)
    return spec


def download(media_types: Iterable[str], status: int = 200) -> type[Operation]:
    """`operation_class=` for a handler whose success is a file in one of `media_types` (a
    ResponseSpec holds one media type only)."""
    content = {m.split(";")[0].strip(): OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
               for m in media_types}

    @dataclass
    class Download(Operation):
        def __post_init__(self) -> None:
            self.responses = {**(self.responses or {}),
                              str(status): OpenAPIResponse(description="The file, as an attachment.", content=content)}

    return Download
