"""The Babel catalogs in tasks/locale cover every message in the code.

Messages are extracted afresh from the source with the same mapping (babel.cfg) and keywords
(`N_`, `_`) as `pybabel extract`, so adding a message without translating it fails here, naming
the message. Fix: run the commands under "Translations" in README.md and fill in the msgstr.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tasks.i18n import gettext_for, translate_error

try:
    from babel.messages.frontend import parse_mapping_cfg
except ImportError:  # older Babel only has the deprecated name
    from babel.messages.frontend import parse_mapping as parse_mapping_cfg

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "tasks" / "locale"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_": None}
PERCENT_NAMED = re.compile(r"%\((\w+)\)")


def read_catalog(locale: str) -> Catalog:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def messages_in_code() -> dict[str, list[str]]:
    """msgid → where it occurs ("path:line"), as `pybabel extract -F babel.cfg -k N_ -k _` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename="babel.cfg")
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def placeholders(text: str) -> set[str]:
    """`{name}` fields (Python code) and `%(name)s` (Jinja2 `{% trans %}` blocks)."""
    names = {"%(" + name + ")" for name in PERCENT_NAMED.findall(text)}
    try:
        names |= {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:  # a lone brace (not for str.format): compare the {name}s it has
        names |= set(re.findall(r"\{(\w+)\}", text))
    return names


def test_the_extraction_finds_the_messages_of_the_code() -> None:
    found = messages_in_code()
    assert "Give a reason." in found
    assert "Only the office may record directives." in found
    assert not any(where.startswith((".venv", "tests/")) for places in found.values() for where in places)


def test_every_message_in_the_code_has_a_vietnamese_translation() -> None:
    vi = read_catalog("vi")
    untranslated = []
    for msgid, places in sorted(messages_in_code().items()):
        entry = vi.get(msgid)
        if entry is None:
            untranslated.append(f"{msgid!r} ({places[0]}): missing from the vi catalog")
        elif entry.fuzzy:
            untranslated.append(f"{msgid!r} ({places[0]}): translation marked fuzzy")
        elif not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            untranslated.append(f"{msgid!r} ({places[0]}): empty translation")
    assert not untranslated, (
        "Messages without a Vietnamese translation; run the pybabel commands under "
        "'Translations' in README.md and translate them in tasks/locale/vi/LC_MESSAGES/messages.po:\n  "
        + "\n  ".join(untranslated)
    )


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_translation_keeps_the_placeholders_of_its_message(locale: str) -> None:
    wrong = []
    for entry in read_catalog(locale):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for s in strings:
            if s and placeholders(s) != expected:
                wrong.append(f"{entry.id!r} → {s!r}: {sorted(placeholders(s))} instead of {sorted(expected)}")
    assert not wrong, "Translations whose placeholders differ from the msgid:\n  " + "\n  ".join(wrong)


def test_the_english_catalog_exists_with_english_msgids() -> None:
    en = read_catalog("en")
    assert en.locale is not None and str(en.locale) == "en"
    assert en.get("Give a reason.") is not None


def test_vietnamese_users_read_vietnamese_and_english_users_read_english() -> None:
    assert gettext_for("vi")("Give a reason.") == "Vui lòng nêu lý do."
    assert gettext_for("en")("Give a reason.") == "Give a reason."


def test_an_unknown_or_missing_locale_falls_back_to_vietnamese() -> None:
    assert gettext_for(None)("in progress") == "đang thực hiện"
    assert gettext_for("fr")("in progress") == "đang thực hiện"


def test_placeholders_are_filled_after_translation() -> None:
    assert gettext_for("vi")("Some fields are invalid: {fields}", fields="title") == (
        "Một số trường dữ liệu không hợp lệ: title"
    )
    assert gettext_for("en")("Some fields are invalid: {fields}", fields="title") == "Some fields are invalid: title"


def test_a_state_named_in_an_error_is_translated_too() -> None:
    message = "An extension can only be asked for a task in progress (it is {state})."
    assert translate_error("vi", message, {"state": "done"}) == (
        "Chỉ được đề nghị gia hạn đối với nhiệm vụ đang thực hiện (trạng thái hiện tại: đã hoàn thành)."
    )
    assert translate_error("en", message, {"state": "done"}) == (
        "An extension can only be asked for a task in progress (it is done)."
    )
