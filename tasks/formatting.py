"""How a rate reads to people: one function for every page, export, chart and email, so the same
rate never prints as "63%" in one place and "62,5%" in another (README "Decisions")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_percent as babel_percent

from tasks.i18n import DEFAULT_LOCALE, LOCALES

NO_RATE = "–"  # the denominator is 0: nothing to divide, which is not 0 %


def format_percent(value: float | Fraction | Decimal | None, locale: str | None = DEFAULT_LOCALE, decimals: int = 1) -> str:
    """A fraction (0.625) as a percent in `locale`: "62,5%" in Vietnamese, "62.5%" in English.

    One decimal, rounded half up as Excel rounds the XLSX export's "0.0%" cells, so a printed
    page and the spreadsheet agree to the digit. A float is read as its shortest decimal
    (0.1125 → 11,3%, not the binary 0.11249…). `decimals=0` is for chart axes only."""
    if value is None:
        return NO_RATE
    if isinstance(value, float):
        exact = Decimal(repr(value))
    elif isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    step = Decimal(1).scaleb(-(decimals + 2))  # of the fraction: 0.001 is a tenth of a percent
    rounded = exact.quantize(step, rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    # Already rounded, so Babel's own (half-even) rounding has nothing left to decide.
    return babel_percent(rounded, pattern, locale=locale if locale in LOCALES else DEFAULT_LOCALE)
