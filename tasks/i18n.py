"""The product's one message catalog (tasks/locale), shared by the web pages, API errors and emails;
Vietnamese unless the user chose English. Compiled in memory from the .po files: no .mo needed."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any, Callable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "vi"
LOCALES = ("vi", "en")


@functools.lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


Gettext = Callable[..., str]


def gettext_for(locale: str | None) -> Gettext:
    t = translations(locale if locale in LOCALES else DEFAULT_LOCALE)

    def gettext(message: str, **params: Any) -> str:
        text = t.gettext(message)
        return text.format(**params) if params else text

    return gettext


def translate_error(locale: str | None, message: str, params: dict[str, Any]) -> str:
    """Translate a domain message; a `state` parameter is itself a msgid (a state's name)."""
    _ = gettext_for(locale)
    translated = {k: (_(v) if k == "state" and isinstance(v, str) else v) for k, v in params.items()}
    return _(message, **translated)
