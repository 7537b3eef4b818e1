"""The exports dondoc writes, opened with openpyxl and python-docx, carry the hand-tallied figures."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from tasks import accounts
from tasks.calendar import build_calendar
from tasks.exports.build import export_report
from tasks.exports.header import save_header
from tasks.permissions import Actor, Role
from tasks.tables import Setting
from tests.integration.report_fixture import AS_OF, department  # noqa: F401  (a fixture)

CAL = build_calendar("Asia/Ho_Chi_Minh", [])
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


async def test_the_workbook_has_a_sheet_per_table_with_frozen_headers_and_a_chart(department):
    export = await export_report("completion", "xlsx", None, CAL, AS_OF)
    assert export.filename == "bao-cao-hoan-thanh-2026-03-03.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["Tình hình hoàn thành", "Xu hướng 12 tuần", "Nhiệm vụ quá hạn"]
    summary = wb.worksheets[0]
    assert summary.freeze_panes == "A2"
    header = [c.value for c in summary[1]]
    assert header[:4] == ["STT", "Đơn vị chủ trì", "Tổng số được giao", "Hoàn thành đúng hạn"]
    rows = {r[1]: r for r in summary.iter_rows(min_row=2, max_row=6, values_only=True)}
    assert rows["Phòng Quản lý năng lượng"][2:10] == (24, 8, 2, 2, 3, 6, 1, 2)
    total = rows["Tổng cộng"]
    assert total[2:10] == (64, 15, 6, 13, 6, 12, 6, 6)
    assert total[10] == pytest.approx(21 / 33) and total[11] == pytest.approx(21 / 58)
    assert summary.cell(row=2, column=11).number_format == "0.0%"
    assert len(summary._charts) == 1 and len(wb.worksheets[1]._charts) == 1
    notes = [c.value for c in summary["B"] if isinstance(c.value, str) and "=" in c.value]
    assert "Tỷ lệ hoàn thành (trên số đến hạn) = Đã hoàn thành ÷ (Đã hoàn thành + Quá hạn chưa hoàn thành)" in notes
    overdue = wb.worksheets[2]
    assert overdue.freeze_panes == "A2"
    assert [r[6] for r in overdue.iter_rows(min_row=2, values_only=True)] == [28, 28, 28, 3, 3, 2, 2, 2, 2, 1, 1, 1]


async def test_the_csv_opens_in_excel_with_vietnamese_intact(department):
    export = await export_report("overdue", "csv", None, CAL, AS_OF)
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Nhiệm vụ", "Văn bản chỉ đạo"]
    assert len(rows) == 13 and rows[1][4] == "Phòng Kế hoạch - Tài chính" and rows[1][6] == "28"
    summary = list(csv.reader(io.StringIO((await export_report("completion", "csv", None, CAL, AS_OF)).content.decode("utf-8-sig"))))
    assert summary[-1][1:10] == ["Tổng cộng", "64", "15", "6", "13", "6", "12", "6", "6"]


async def docx_of(tmp_path: Path) -> Path:
    export = await export_report("completion", "docx", None, CAL, AS_OF)
    path = tmp_path / export.filename
    path.write_bytes(export.content)
    return path


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


async def test_the_word_report_follows_the_administrative_format_and_carries_the_figures(department, tmp_path):
    document = docx.Document(str(await docx_of(tmp_path)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (30, 15, 20)
    text = all_text(document)
    for expected in ("UBND TỈNH QUẢNG TRỊ", "SỞ CÔNG THƯƠNG", "Số:        /BC-SCT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Quảng Trị, ngày 03 tháng 3 năm 2026", "BÁO CÁO", "Nơi nhận:", "GIÁM ĐỐC"):
        assert expected in text, expected
    assert "Số nhiệm vụ được giao: 64" in text
    assert "= 21/33 = 63,6%" in text
    summary = document.tables[1]
    assert [c.text for c in summary.rows[0].cells][:3] == ["STT", "Đơn vị chủ trì", "Tổng số được giao"]
    total = [c.text for c in summary.rows[-1].cells]
    assert total[1:10] == ["Tổng cộng", "64", "15", "6", "13", "6", "12", "6", "6"] and total[10] == "63,6%"
    overdue = document.tables[2]
    assert len(overdue.rows) == 1 + 12 and overdue.rows[1].cells[5].text == "28"
    fonts = {r.font.name for p in document.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"Times New Roman"}


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")
async def test_the_word_report_converts_to_pdf_with_libreoffice(department, tmp_path, database_url):
    if "postgres" in database_url:
        pytest.skip("the document is the same on both engines; converted once")
    path = await docx_of(tmp_path)
    profile = tmp_path / "lo-profile"
    result = subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180)
    pdf = path.with_suffix(".pdf")
    assert pdf.is_file(), result.stdout + result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text  # on one line: the header columns are wide enough
        assert "Tổng cộng" in text and "Nơi nhận:" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
        assert sorted(tmp_path.glob("page-*.png"))


async def test_the_workbooks_dates_are_excel_dates_and_every_sheet_prints_on_a4_landscape_fitted_to_its_width(department):
    book = openpyxl.load_workbook(io.BytesIO((await export_report("completion", "xlsx", None, CAL, AS_OF)).content))
    alone = openpyxl.load_workbook(io.BytesIO((await export_report("overdue", "xlsx", None, CAL, AS_OF)).content))
    for sheet in [*book.worksheets, *alone.worksheets]:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth), int(setup.fitToHeight)) == ("landscape", 9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1"
    trend = book.worksheets[1]
    weeks = [c for (c,) in trend.iter_rows(min_row=2, max_row=13, max_col=1)]
    assert all(c.is_date and c.number_format == "DD/MM/YYYY" for c in weeks) and weeks[-1].value == datetime(2026, 3, 3)
    overdue = book.worksheets[2]
    rows = list(overdue.iter_rows(min_row=2, max_row=13))
    assert {(r[3].value, r[3].is_date, r[3].number_format) for r in rows} == {
        (datetime(2026, 1, 5), True, "DD/MM/YYYY"), (datetime(2026, 1, 8), True, "DD/MM/YYYY")}
    assert all(r[5].is_date and r[5].number_format == "DD/MM/YYYY" for r in rows)
    # A deadline on a Sunday is the day set; the working day it moved to is in the cell's comment.
    moved = [r[5] for r in rows if r[5].value == datetime(2026, 3, 1)]
    assert len(moved) == 2 and all(c.comment.text == "01/03/2026 (→ 02/03/2026)" for c in moved)
    notes = [r[9] for r in rows if r[9].value is not None]
    assert notes and all(c.is_date and c.number_format == "DD/MM/YYYY" for c in notes)
    # The CSV and the Word report still print them dd/mm/yyyy.
    csv_rows = list(csv.reader(io.StringIO((await export_report("overdue", "csv", None, CAL, AS_OF)).content.decode("utf-8-sig"))))
    assert {r[3] for r in csv_rows[1:]} == {"05/01/2026", "08/01/2026"} and "01/03/2026 (→ 02/03/2026)" in {r[5] for r in csv_rows[1:]}


def signature_block(document) -> tuple[list[str], list[str]]:
    left, right = document.tables[-1].rows[0].cells
    return [p.text for p in left.paragraphs if p.text], [p.text for p in right.paragraphs if p.text]


async def test_the_word_report_names_its_signer_and_real_recipients(department, db, tmp_path):
    recipients, signer = signature_block(docx.Document(str(await docx_of(tmp_path))))
    # No header set: the director signs (the first leader stands in while none is chosen), and the
    # leaders are named among the recipients.
    assert recipients == ["Nơi nhận:", "- Như trên;", "- UBND tỉnh (để báo cáo);", "- Đ/c Phạm Văn Hải - Giám đốc Sở;",
                          "- Đ/c Hoàng Minh Đức - Phó Giám đốc Sở;", "- Lưu: VT, VP."]
    assert signer == ["GIÁM ĐỐC", "Phạm Văn Hải"]

    admin = await accounts.create_user(db, None, AS_OF, username="quantri", full_name="Quản trị", email="qt@x.vn", role="admin",
                                       division_code=None, password="mat-khau-dai")
    actor = Actor(id=admin["id"], username="quantri", role=Role.ADMIN)
    await save_header(db, actor, AS_OF, {"signer_on_behalf": "KT. GIÁM ĐỐC", "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": "Hoàng Minh Đức",
                                         "recipients": ["Như trên;", "Văn phòng UBND tỉnh;", "Lưu: VT."]})
    recipients, signer = signature_block(docx.Document(str(await docx_of(tmp_path))))
    assert recipients == ["Nơi nhận:", "- Như trên;", "- Văn phòng UBND tỉnh;", "- Lưu: VT."]
    assert signer == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Minh Đức"]
    # Only what the admin set is stored: the place still follows the default.
    stored = await Setting.select(Setting.value).where(Setting.key == "report.header").first().run()
    value = stored["value"] if isinstance(stored["value"], dict) else json.loads(stored["value"])
    assert sorted(value) == ["recipients", "signer_name", "signer_on_behalf", "signer_title"]
