"""The characters dondoc takes in text, and what it writes out.

At the door (API bodies, page forms, query parameters, the Excel import): the line breaks people
paste are made one kind — Word's manual line break (\\v, U+000B), a page break (\\f), and \\r\\n or a
lone \\r from Windows and from every browser's text box all become \\n — and any other control
character is refused: the C0 controls but tab and line feed, DEL, the C1 controls (U+0080–U+009F),
lone surrogates, and U+FFFE/U+FFFF. None of them is ever typed on purpose, PostgreSQL cannot store
NUL, and XML (XLSX, DOCX) cannot hold most of them.

How long each text may be (`LIMITS`, the one table): the API's body shapes (web.api.schemas), the
pages' forms (web.pages.forms) and the Excel import (tasks.importer) all read it, and a value over
its limit is refused naming the field and the limit (`check_lengths`), never cut.

On the way out (exports): `for_xml` drops what XML cannot hold, so a row written before these rules
(or by hand in the database) still exports instead of failing the whole file."""

from __future__ import annotations

import re

from tasks.errors import N_, Invalid

_BREAKS = re.compile(r"\r\n|[\r\v\f]")
# Refused at the door (after the breaks are made \n).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Refused in a one-line value (query parameters): tab and line breaks too.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What XML 1.0 cannot hold (tab, \n and \r it can).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The most characters a field takes, by the field's name (the last part of a dotted form name:
# tasks.2.title is a title). A database column is at least as wide (migration 2026-12-03T02).
TITLE = 1000
LONG_TEXT = 20_000
LIMITS = {
    "title": TITLE,               # a task's title
    "description": LONG_TEXT,     # a task's description
    "summary": LONG_TEXT,         # a directive's summary ("trích yếu")
    "number": 64,                 # a directive's number
    "issuer": 200, "signer": 200, "name": 200, "full_name": 200,
    "note": 5000,                 # a progress or submission note, a leader's note on an extension
    "reason": 2000,               # a return, pause, cancel, correction or extension reason
    "email": 254, "username": 64, "code": 32, "division": 32, "lead_division": 32,
    "leader_in_charge": 64, "assignee": 64, "director": 64,
}


def limit_of(field: str) -> int | None:
    """The limit of a field named as the API or a form names it (tasks.2.title: a title)."""
    return LIMITS.get(field.rsplit(".", 1)[-1])


def check_lengths(values: dict[str, object]) -> None:
    """Invalid naming each text of `values` (field → value) over its limit, the first in the message."""
    over = {f: (limit, len(v)) for f, v in values.items()
            if isinstance(v, str) and (limit := limit_of(f)) is not None and len(v) > limit}
    if over:
        field, (limit, length) = next(iter(over.items()))
        raise too_long(field, limit, length, fields=list(over))


def too_long(field: str, limit: int, length: int | None = None, fields: list[str] | None = None) -> Invalid:
    others = {f: N_("Too long") for f in fields or () if f != field}
    message = (N_("The field {field} takes at most {limit} characters; it has {length}. Shorten it and try again.") if length is not None
               else N_("The field {field} takes at most {limit} characters. Shorten it and try again."))
    return Invalid(message, fields={field: N_("At most {limit} characters"), **others}, field=field, limit=limit, length=length)


def normalise_breaks(text: str) -> str:
    """\\r\\n, \\r, \\v and \\f as \\n."""
    return _BREAKS.sub("\n", text)


def control_character(text: str) -> str | None:
    """The first character the door refuses in `text` (line breaks already made \\n), else None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def line_control_character(text: str) -> str | None:
    """The first control character in a value that is one line (a query parameter), tab and breaks included."""
    found = _LINE_CONTROL.search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    """U+000B, as a message names a character the reader cannot see."""
    return f"U+{ord(char):04X}"


def clean_text(text: str, field: str) -> str:
    """`text` with its line breaks made \\n; Invalid naming `field` if it holds another control character."""
    text = normalise_breaks(text)
    if (char := control_character(text)) is not None:
        raise refusal(field, char)
    return text


def refusal(field: str, char: str) -> Invalid:
    return Invalid(N_("The field {field} holds an invisible control character ({char}); remove it and try again."),
                   fields={field: N_("Holds a control character")}, field=field, char=describe(char))


def for_xml(text: str) -> str:
    """`text` as XML can hold it: Word's line and page breaks as \\n, the rest of what XML refuses left out."""
    return _NOT_XML.sub("", text.replace("\v", "\n").replace("\f", "\n"))


def one_line(text: str) -> str:
    """`text` for one line of a terminal: breaks and tabs as spaces, no control character at all
    (an escape sequence in a title must not drive the reader's terminal)."""
    return _CONTROL.sub("", re.sub(r"[\t\n\r\v\f]", " ", text))
