"""The characters dondoc takes in text, and what it writes out.

At the door (API bodies, page forms, query parameters, the Excel import): the line breaks people
paste are made one kind — Word's manual line break (\\v, U+000B), a page break (\\f), and \\r\\n or a
lone \\r from Windows and from every browser's text box all become \\n — and any other control
character is refused: the C0 controls but tab and line feed, DEL, the C1 controls (U+0080–U+009F),
lone surrogates, and U+FFFE/U+FFFF. None of them is ever typed on purpose, PostgreSQL cannot store
NUL, and XML (XLSX, DOCX) cannot hold most of them.

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
