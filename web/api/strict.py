"""Runs before every API handler: reads the caller's language early, refuses control characters in
the query (web.inputs), and holds request bodies to their declared types strictly (Litestar's own
conversion would turn "50" into 50 and 1 into true)."""

from __future__ import annotations

import re
from typing import get_args

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException

from web.auth import token_actor
from web.inputs import check_query, read_form

_PATH = re.compile(r"at `\$\.?([^`]*)`")


async def before_api_request(request: Request) -> None:
    await _remember_actor(request)
    check_query(request)
    await _check_body(request)


async def _remember_actor(request: Request) -> None:
    """So that even an error raised while reading the body is in the user's own language."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return
    state = request.app.state
    actor = await token_actor(token.strip(), state.clock.now(), state.settings.secret_key)
    if actor is not None:
        request.scope["dondoc_actor"] = actor


async def _check_body(request: Request) -> None:
    field = request.route_handler.parsed_data_field
    if field is None:
        return
    if getattr(field.kwarg_definition, "media_type", RequestEncodingType.JSON) != RequestEncodingType.JSON:
        await read_form(request)  # a form or file upload (the import): Litestar parses it, the handler checks it
        return
    body_type = field.annotation
    args = get_args(body_type)
    if args and hasattr(body_type, "__metadata__"):
        body_type = args[0]  # JSONBody[X] is Annotated[X, Body(...)]
    raw = await request.body()
    try:
        msgspec.json.decode(raw, type=body_type, strict=True)
    except msgspec.DecodeError as exc:
        raise ValidationException(detail="JSON decode error: " + str(exc)) from None
    except msgspec.ValidationError as exc:
        match = _PATH.search(str(exc))
        key = match.group(1) if match and match.group(1) else "body"
        raise ValidationException(detail=str(exc), extra=[{"key": key, "message": str(exc), "source": "body"}]) from None
