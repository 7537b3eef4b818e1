"""Exported cells: formulas neutralised, numbers kept numbers, text XML can hold (tasks.exports.cells, tasks.text)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tasks.errors import Invalid
from tasks.exports import csv_export, xlsx
from tasks.exports.cells import csv_value, is_formula_like
from tasks.exports.tables import Table
from tasks.text import clean_text, for_xml, one_line

TABLE = Table("Nhiệm vụ quá hạn", ["STT", "Nhiệm vụ", "Số ngày"], [
    [1, "=1+1", -5], [2, "-5", -2.5], [3, "-2+3", 0], [4, "@SUM(A1)", 7], [5, "\tlệnh", 1], [6, "Rà soát = kiểm tra", 2],
])


@pytest.mark.parametrize("text, formula", [
    ("=HYPERLINK(\"x\")", True), ("+1+1", True), ("-2+3", True), ("@SUM(A1)", True), ("\t=1", True), ("\r=1", True),
    ("-5", False), ("+84", False), ("-2.5", False), ("3,5", False), ("Rà soát", False), ("a=b", False), ("", False),
])
def test_text_a_spreadsheet_would_run_is_told_from_text_and_plain_numbers(text, formula):
    assert is_formula_like(text) is formula


def test_csv_prefixes_formulas_with_a_quote_and_leaves_numbers_alone():
    rows = list(csv.reader(io.StringIO(csv_export.to_csv(TABLE).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["'=1+1", "-5", "'-2+3", "'@SUM(A1)", "'\tlệnh", "Rà soát = kiểm tra"]
    assert [r[2] for r in rows[1:]] == ["-5", "-2.5", "0", "7", "1", "2"]
    assert csv_value(-5) == -5 and csv_value(None) is None


def test_xlsx_writes_formulas_as_quote_prefixed_text_and_numbers_as_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.workbook(TABLE, None, None))).worksheets[0]
    titles = [(c.value, c.data_type, bool(c.quotePrefix)) for c in sheet["B"][1:]]
    assert titles == [("=1+1", "s", True), ("-5", "s", False), ("-2+3", "s", True), ("@SUM(A1)", "s", True), ("\tlệnh", "s", True),
                      ("Rà soát = kiểm tra", "s", False)]
    assert [(c.value, c.data_type) for c in sheet["C"][1:7]] == [(-5, "n"), (-2.5, "n"), (0, "n"), (7, "n"), (1, "n"), (2, "n")]


def test_the_door_makes_pasted_breaks_line_feeds_and_refuses_other_control_characters():
    assert clean_text("một\r\nhai\rba\u000bbốn\u000cnăm\ttab", "title") == "một\nhai\nba\nbốn\nnăm\ttab"
    for char in ("\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe", "\ud800"):
        with pytest.raises(Invalid) as refused:
            clean_text(f"a{char}b", "title")
        assert refused.value.fields == {"title": "Holds a control character"}
        assert refused.value.params["char"] == f"U+{ord(char):04X}"


def test_on_the_way_out_xml_keeps_breaks_and_tabs_and_a_terminal_line_keeps_no_control_at_all():
    assert for_xml("a\u000bb\u000cc\x00d\x01e\tf\ng\rh") == "a\nb\ncde\tf\ng\rh"
    assert one_line("a\nb\tc\x1b[31md\x9be") == "a b c[31mde"
