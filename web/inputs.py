"""The door for what arrives outside a JSON body: every query parameter and path segment of the API
and the pages, and every field of a page's form, held to tasks.text before any handler reads it.

- A query parameter or a path segment is one line: any control character (NUL, tab, line breaks,
  DEL, C1…) is refused.
- A form field may hold tab and the line breaks people paste (\\r\\n from every browser's text
  box, Word's \\v), which tasks.text makes \\n when the page reads it (web.pages.forms.text); any
  other control character is refused. Passwords are only hashed, never stored or shown, so they
  are left as typed.
- On the pages, a number in the path is a record id: beyond PostgreSQL's `integer` it is a page
  that does not exist (404), not a database error. (The API's ids are bounded where declared.)

- A multipart part that is not a file must be UTF-8 text (read_form).

A refusal is an Invalid (422) naming the parameter, in the caller's language, through the API's
JSON errors or the pages' HTML error page."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.types import ASGIApp, Receive, Scope, Send

from tasks.errors import N_, Invalid, NotFound
from tasks.text import control_character, line_control_character, normalise_breaks, refusal

MAX_ID = 2_147_483_647  # PostgreSQL `integer`, as the record ids are
FORM_TYPES = (RequestEncodingType.URL_ENCODED.value, RequestEncodingType.MULTI_PART.value)


def check_query(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        for text in (name, value):
            if isinstance(text, str) and (char := line_control_character(text)) is not None:
                raise refusal(name, char)
    for name, value in request.path_params.items():
        if isinstance(value, str) and (char := line_control_character(value)) is not None:
            raise refusal(name, char)


async def read_form(request: Request) -> FormMultiDict:
    """The request's form, parsed once (Litestar keeps it for the handler). A text part that is not
    UTF-8 is refused here: Litestar's parser would raise UnicodeDecodeError, a 500."""
    try:
        return await request.form()
    except UnicodeDecodeError:
        raise Invalid(N_("The form could not be read: a field that is not a file is not UTF-8 text.")) from None


def read_forms_first(app: ASGIApp) -> ASGIApp:
    """Middleware for the pages, outside Litestar's CSRF check, which parses a form itself to find
    its token: the form is parsed here instead, through read_form, and the check reuses it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            if request.content_type[0] in FORM_TYPES:
                await read_form(request)
        await app(scope, receive, send)

    return middleware


def check_path_ids(request: Request) -> None:
    for value in request.path_params.values():
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_ID:
            raise NotFound(N_("Not found."))


async def check_form(request: Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.content_type[0] not in FORM_TYPES:
        return
    form = await read_form(request)
    for name, value in form.multi_items():
        if isinstance(value, str) and "password" not in name:
            if (char := control_character(normalise_breaks(value))) is not None:
                raise refusal(name, char)
