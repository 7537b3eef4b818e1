"""The office filters the task list and downloads it with "Xuất Excel"; the import page offers the
template and points to that export. Screenshots of both pages in both languages."""

from __future__ import annotations

import openpyxl
from playwright.async_api import expect

from tests.e2e.browser_helpers import sign_in


async def test_the_office_filters_the_task_list_and_downloads_exactly_it_as_excel(open_page, screenshots, tmp_path):
    page = await open_page()
    await sign_in(page, "vanphong")
    await page.goto("/tasks")
    await page.select_option("select[name=division]", "QLNL")
    await page.select_option("select[name=state]", "in_progress")
    await page.click("form.filters button:has-text('Lọc')")
    await expect(page).to_have_url("/tasks?q=&division=QLNL&timeliness=&state=in_progress&leader=&due_from=&due_to=")
    shown = sorted(t.removeprefix("★").strip() for t in await page.locator("table.tasks tbody td.title-cell a").all_inner_texts())
    await page.screenshot(path=screenshots / "vi-office-tasks-filtered-export.png", full_page=True)
    async with page.expect_download() as info:
        await page.click("a.export-xlsx:has-text('Xuất Excel')")
    download = await info.value
    assert download.suggested_filename == "nhiem-vu-qlnl-2026-03-03.xlsx"
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    sheet = openpyxl.load_workbook(target).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The seed's two in-progress QLNL tasks (as long as no journey before this one moved another).
    assert sorted(r[4] for r in rows) == shown and "Rà soát phương án cung ứng điện mùa khô" in shown
    assert len(rows) == int(await page.locator("h1 .count").inner_text())
    assert {r[10] for r in rows} == {"Đang thực hiện"} and sheet.cell(row=2, column=9).is_date

    await page.click(".top .lang button[value='en']")
    await page.wait_for_load_state("domcontentloaded")
    await expect(page.locator("a.export-xlsx")).to_have_text("Export to Excel")
    await page.screenshot(path=screenshots / "en-office-tasks-filtered-export.png", full_page=True)
    await page.goto("/import")
    await expect(page.locator("a.template")).to_have_text("Download the template")
    await expect(page.locator(".help")).to_contain_text("Export to Excel")
    await page.screenshot(path=screenshots / "en-office-import-template.png", full_page=True)
    await page.click(".top .lang button[value='vi']")
    await page.wait_for_load_state("domcontentloaded")
    async with page.expect_download() as info:
        await page.click("a.template:has-text('Tải mẫu')")
    template = await info.value
    assert template.suggested_filename == "mau-nhap-nhiem-vu.xlsx"
    await template.save_as(tmp_path / "mau.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "mau.xlsx").worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[0][4] == "Tên nhiệm vụ" and rows[1][5] == "Văn phòng Sở"
    await expect(page.locator(".help")).to_contain_text("Xuất Excel")
    await page.screenshot(path=screenshots / "vi-office-import-template.png", full_page=True)
