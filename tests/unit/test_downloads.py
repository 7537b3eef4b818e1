"""Download names: folded to ASCII for the file, and RFC 5987's filename* when the name is not ASCII."""

from datetime import date
from urllib.parse import unquote

from tasks.exports.task_list import file_name
from web.downloads import content_disposition


def test_a_download_is_named_in_ascii_words_joined_by_hyphens():
    assert file_name("nhiem-vu", "QLNL", date(2026, 3, 3), ext="xlsx") == "nhiem-vu-qlnl-2026-03-03.xlsx"
    assert file_name("Nhiệm vụ", "Phòng Đầu tư / Kế hoạch", None, date(2026, 12, 1), ext="csv") == "nhiem-vu-phong-dau-tu-ke-hoach-2026-12-01.csv"


def test_an_ascii_name_is_sent_as_it_is():
    assert content_disposition("bao-cao-hoan-thanh-2026-03-03.xlsx") == 'attachment; filename="bao-cao-hoan-thanh-2026-03-03.xlsx"'


def test_a_vietnamese_name_goes_as_rfc_5987_with_an_ascii_fallback():
    header = content_disposition("Báo cáo đôn đốc.xlsx")
    plain, extended = header.split("; filename*=")
    assert plain == 'attachment; filename="bao-cao-don-doc.xlsx"'
    assert extended.startswith("UTF-8''") and unquote(extended[len("UTF-8''"):]) == "Báo cáo đôn đốc.xlsx"
    assert header.isascii()


def test_a_quote_or_a_semicolon_cannot_break_out_of_the_header():
    header = content_disposition('a"; b=c.xlsx')
    assert header.startswith('attachment; filename="a-b-c.xlsx"; filename*=') and header.count('"') == 2
