"""A rate reads the same everywhere: one decimal, the reader's decimal sign, rounded as Excel rounds."""

from __future__ import annotations

from fractions import Fraction

from tasks.formatting import format_percent
from tasks.reports import Rate


def test_a_rate_has_one_decimal_with_a_comma_in_vietnamese_and_a_point_in_english():
    assert format_percent(5 / 8, "vi") == "62,5%"
    assert format_percent(5 / 8, "en") == "62.5%"
    assert format_percent(21 / 33) == "63,6%"
    assert format_percent(1.0) == "100,0%" and format_percent(0.0) == "0,0%"


def test_nothing_to_divide_reads_as_a_dash_not_as_zero():
    assert format_percent(None) == "–"
    assert Rate(0, 0).percent() == "–"


def test_a_half_tenth_rounds_up_as_in_the_excel_export():
    assert format_percent(1 / 16) == "6,3%"  # 6.25 %: Excel's "0.0%" shows 6.3 %, not the banker's 6.2 %
    assert format_percent(9 / 80) == "11,3%"  # the float is 0.11249…, the rate 11.25 %
    assert format_percent(Fraction(9, 80)) == format_percent(9 / 80)


def test_the_report_rate_and_the_formatter_are_one_function():
    assert Rate(10, 16).percent() == format_percent(10 / 16) == "62,5%"
    assert Rate(10, 16).percent("en") == "62.5%"


def test_an_unknown_language_reads_vietnamese_and_a_chart_axis_may_drop_the_decimal():
    assert format_percent(0.5, "fr") == "50,0%"
    assert format_percent(0.25, "vi", decimals=0) == "25%"
