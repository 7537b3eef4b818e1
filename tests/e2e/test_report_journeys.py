"""Reports, Excel import and the escalation ladder in a real browser: the office previews and imports a
small workbook, a leader reads the report and downloads the XLSX, the admin moves a rule."""

from __future__ import annotations

import openpyxl
from playwright.async_api import expect

from tests.e2e.browser_helpers import sign_in

HEADER = ["Lãnh đạo chỉ đạo", "Ngày tạo", "Số phiếu giao việc", "Tên nhiệm vụ cha", "Tên nhiệm vụ", "Chủ trì", "Phối hợp", "Hạn xử lý"]
ROWS = [
    # Assigned weeks ago (Ngày tạo), so the report's 12-week trend has some history to draw.
    ["Phạm Văn Hải", "12/01/2026", "PGV-015", "Chuẩn bị mùa khô", "Kiểm tra hệ thống điện các khu công nghiệp", "QLNL", "QLTM", "13/02/2026"],
    ["Hoàng Minh Đức", "02/02/2026", "PGV-015", "Chuẩn bị mùa khô", "Tuyên truyền tiết kiệm điện", "Phòng Quản lý thương mại", "", "01/01/1970"],
]


def workbook(path, rows) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH PHIẾU GIAO VIỆC"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


async def test_the_office_previews_a_workbook_imports_it_and_a_second_import_adds_nothing(open_page, screenshots, tmp_path):
    page = await open_page()
    await sign_in(page, "vanphong")
    await page.click("nav.main-nav a:has-text('Nhập từ Excel')")
    bad = workbook(tmp_path / "co-loi.xlsx", ROWS + [["", "02/03/2026", "PGV-016", "", "Việc không rõ đơn vị", "Phòng Không Có", "", "15/04/2026"]])
    await page.set_input_files("input[name=file]", bad)
    await page.click("button:has-text('Kiểm tra tệp')")
    await expect(page.locator("table.refused")).to_contain_text("Không tìm thấy đơn vị chủ trì: Phòng Không Có")
    await expect(page.locator("table.refused td.num")).to_have_text("5")
    await expect(page.locator("form.confirm-import")).to_have_count(0)
    await page.screenshot(path=screenshots / "vi-office-import-refused.png", full_page=True)

    clean = workbook(tmp_path / "phieu-giao-viec.xlsx", ROWS)
    await page.set_input_files("input[name=file]", clean)
    await page.click("button:has-text('Kiểm tra tệp')")
    preview = page.locator("table.preview tbody tr")
    await expect(preview).to_have_count(2)
    await expect(preview.first).to_contain_text("Kiểm tra hệ thống điện các khu công nghiệp")
    await expect(preview.first).to_contain_text("13/02/2026")
    await expect(preview.nth(1)).to_contain_text("Không có thời hạn")
    await page.screenshot(path=screenshots / "vi-office-import-preview.png", full_page=True)
    await page.click("button:has-text('Nhập 2 nhiệm vụ')")
    await expect(page.locator(".flash.ok")).to_contain_text("Đã nhập 2 nhiệm vụ mới và 1 văn bản chỉ đạo mới")
    await page.screenshot(path=screenshots / "vi-office-import-done.png", full_page=True)
    await page.click("a:has-text('Xem danh sách nhiệm vụ')")
    await expect(page.locator("table.tasks")).to_contain_text("Tuyên truyền tiết kiệm điện")

    await page.goto("/import")
    await page.set_input_files("input[name=file]", clean)
    await page.click("button:has-text('Kiểm tra tệp')")
    await expect(page.locator(".flash.ok")).to_contain_text("Không có gì mới để nhập")
    await expect(page.locator(".import-counts")).to_contain_text("2")
    await expect(page.locator("form.confirm-import")).to_have_count(0)


async def test_a_leader_reads_the_report_and_downloads_it_as_excel(open_page, screenshots, tmp_path):
    page = await open_page()
    await sign_in(page, "giamdoc")
    await page.click("nav.main-nav a:has-text('Báo cáo')")
    await expect(page.locator("h1")).to_have_text("Báo cáo tình hình thực hiện nhiệm vụ")
    await expect(page.locator(".stat").first).to_contain_text("Đã hoàn thành ÷ (Đã hoàn thành + Quá hạn chưa hoàn thành)")
    await expect(page.locator("svg.chart[role=img]")).to_be_visible()
    await expect(page.locator("table.overdue-list")).to_contain_text("Rà soát phương án cung ứng điện mùa khô")
    async with page.expect_download() as info:
        await page.click("a:has-text('Excel (XLSX)')")
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    book = openpyxl.load_workbook(target)
    totals = [row for row in book.worksheets[0].iter_rows(values_only=True) if row[1] == "Tổng cộng"]
    assert totals and totals[0][2] >= 7  # every task the seed assigned, and any the office imported
    # The same page in grey (every line keeps its dash and marker) and as printed.
    # Through the CSSOM: the page's Content-Security-Policy refuses a <style> element.
    await page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")
    await page.screenshot(path=screenshots / "vi-leader-reports-grey.png", full_page=True)
    await page.goto("/reports")
    await page.emulate_media(media="print")
    await page.screenshot(path=screenshots / "vi-leader-reports-print.png", full_page=True)


async def test_the_admin_moves_a_ladder_rule_to_another_working_day(open_page, screenshots):
    page = await open_page()
    await sign_in(page, "quantri")
    await page.click("nav.main-nav a:has-text('Đôn đốc')")
    row = page.locator("table.ladder tbody tr").filter(has=page.locator("input[value='overdue_3']"))
    await expect(row.locator(".rule-label")).to_contain_text("Quá hạn 3 ngày làm việc")
    await row.locator("input[name$='.offset']").fill("4")
    await page.click("button:has-text('Lưu các mức đôn đốc')")
    await expect(page.locator(".flash.ok")).to_contain_text("Đã lưu các mức đôn đốc")
    row = page.locator("table.ladder tbody tr").filter(has=page.locator("input[value='overdue_3']"))
    await expect(row.locator("input[name$='.offset']")).to_have_value("4")
    await expect(row.locator(".rule-label")).to_contain_text("Quá hạn 4 ngày làm việc")  # named by what it does
    # A second rule on the same working day is refused in Vietnamese, at its row, and nothing moves.
    await page.locator("table.ladder tbody tr").filter(has=page.locator("input[value='overdue_7']")).locator("input[name$='.offset']").fill("4")
    await page.click("button:has-text('Lưu các mức đôn đốc')")
    await expect(page.locator(".flash.err")).to_contain_text("Hai quy tắc không được rơi vào cùng một ngày làm việc (4)")
    await expect(page.locator("table.ladder .field-err")).to_have_count(1)
    await page.screenshot(path=screenshots / "vi-admin-escalation-refused.png", full_page=True)
    await page.goto("/admin/escalation")
    row = page.locator("table.ladder tbody tr").filter(has=page.locator("input[value='overdue_7']"))
    await expect(row.locator("input[name$='.offset']")).to_have_value("7")
