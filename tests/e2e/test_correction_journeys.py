"""The office's corrections in a real browser (issue 12): edit a task and reassign it, add a task to
a directive already recorded, correct the directive, reopen a task confirmed by mistake; each
shows in the history, with its reason, and is photographed in both languages. A division head is
offered none of them."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.browser_helpers import LAPTOP, PHONE, sign_in


async def _photograph(page, screenshots, name: str) -> None:
    """The page in Vietnamese and in English, then back to Vietnamese."""
    await page.screenshot(path=screenshots / f"vi-office-{name}.png", full_page=True)
    await page.click(".top .lang button[value='en']")
    await page.wait_for_load_state("domcontentloaded")
    await page.screenshot(path=screenshots / f"en-office-{name}.png", full_page=True)
    await page.click(".top .lang button[value='vi']")
    await page.wait_for_load_state("domcontentloaded")


async def _record(page, number: str, title: str) -> int:
    await page.goto("/directives/new")
    await page.fill("input[name=number]", number)
    await page.fill("input[name=issuer]", "UBND tỉnh")
    await page.fill("input[name=issued_on]", "27/02/2026")
    await page.fill("input[name=summary]", "Kết luận kiểm tra an toàn thực phẩm")
    await page.fill("input[name='tasks.0.title']", title)
    await page.select_option("select[name='tasks.0.lead_division']", "QLTM")
    await page.fill("input[name='tasks.0.due_on']", "20/03/2026")
    await page.click("form.directive-form button.primary")
    await expect(page.locator(".flash.ok")).to_be_visible()
    return int(re.search(r"/directives/(\d+)", page.url)[1])


async def test_the_office_edits_reassigns_adds_corrects_and_reopens_and_the_history_says_so(open_page, screenshots):
    office = await open_page()
    await sign_in(office, "vanphong")
    directive = await _record(office, "501/KL-UBND", "Kiểm tra an toàn thực phẩm dịp Tết")
    await office.click("table.tasks tbody a")
    task_url = office.url

    # Edit and reassign in one form, with a reason.
    await office.click("a:has-text('Sửa nhiệm vụ')")
    await _photograph(office, screenshots, "task-edit")
    await office.fill("input[name=title]", "Kiểm tra an toàn thực phẩm dịp Tết Nguyên đán")
    await office.fill("input[name=due_on]", "27/03/2026")
    await office.select_option("select[name=lead_division]", "QLNL")
    await office.select_option("select[name=assignee]", "truong.qlnl")
    await office.fill("input[name=reason]", "Theo Thông báo đính chính của UBND tỉnh")
    await office.click("form.directive-form button.primary")
    await expect(office.locator(".flash.ok")).to_contain_text("Đã sửa nhiệm vụ")
    await expect(office.locator("h1")).to_contain_text("dịp Tết Nguyên đán")
    history = office.locator("ol.timeline")
    await expect(history.locator("li").first).to_contain_text("Giao lại")
    await expect(history).to_contain_text("Theo Thông báo đính chính của UBND tỉnh")
    await expect(history).to_contain_text("20/03/2026 → 27/03/2026")
    await _photograph(office, screenshots, "task-edited")

    # The head now leading it may report on it, and is offered none of the corrections.
    head = await open_page()
    await sign_in(head, "truong.qlnl")
    await head.goto(task_url)
    await expect(head.locator("#progress-form")).to_be_visible()
    await expect(head.locator("a[href$='/edit']")).to_have_count(0)
    await head.click("summary:has-text('Báo cáo hoàn thành')")
    await head.fill("details[open] textarea[name=note]", "Đã kiểm tra 40 cơ sở")
    await head.click("details[open] button.primary")
    await expect(head.locator(".flash.ok")).to_be_visible()

    # Confirmed by mistake, then reopened with a reason.
    await office.goto(task_url)
    await office.click("text=Xác nhận hoàn thành")
    await office.goto(task_url)
    await _photograph(office, screenshots, "task-done")
    await office.click("summary:has-text('Mở lại')")
    await office.fill("details[open] input[name=reason]", "Xác nhận nhầm: chưa có biên bản")
    await office.click("details[open] button")
    await expect(office.locator(".flash.ok")).to_contain_text("Đã mở lại")
    await expect(office.locator(".status-line")).to_contain_text("Đang thực hiện")
    await expect(office.locator("ol.timeline li").first).to_contain_text("Xác nhận nhầm: chưa có biên bản")
    await head.goto(task_url)
    await expect(head.locator("form[action$='/reopen']")).to_have_count(0)

    # Add a task to the directive, then correct the directive itself.
    await office.goto(f"/directives/{directive}")
    await office.click("a:has-text('Thêm nhiệm vụ')")
    await _photograph(office, screenshots, "directive-add-tasks")
    await office.fill("input[name='tasks.0.title']", "Tổng hợp kết quả kiểm tra")
    await office.select_option("select[name='tasks.0.lead_division']", "KHTC")
    await office.fill("input[name='tasks.0.due_in_working_days']", "10")
    await office.click("form.directive-form button.primary")
    await expect(office.locator(".flash.ok")).to_contain_text("Đã thêm nhiệm vụ")
    await expect(office.locator("table.tasks tbody tr")).to_have_count(2)
    await office.click("a:has-text('Sửa văn bản')")
    await _photograph(office, screenshots, "directive-edit")
    await office.fill("input[name=summary]", "Kết luận kiểm tra an toàn thực phẩm dịp Tết Nguyên đán 2026")
    await office.fill("input[name=reason]", "Bổ sung trích yếu")
    await office.click("form.directive-form button.primary")
    await expect(office.locator(".flash.ok")).to_contain_text("Đã đính chính văn bản")
    await expect(office.locator("ol.timeline")).to_contain_text("Bổ sung trích yếu")
    await expect(office.locator(".facts")).to_contain_text("dịp Tết Nguyên đán 2026")
    await _photograph(office, screenshots, "directive-corrected")
    await head.goto(f"/directives/{directive}")
    await expect(head.locator("a[href$='/edit']")).to_have_count(0)


async def _inside(page, selector: str, container: str) -> bool:
    """Whether every element matching `selector` lies within `container`'s box (nothing cut off)."""
    return await page.evaluate(
        """([sel, box]) => { const b = document.querySelector(box).getBoundingClientRect();
             return [...document.querySelectorAll(sel)].every(e => { const r = e.getBoundingClientRect();
               return r.width > 0 && r.left >= b.left - 0.5 && r.right <= b.right + 0.5; }); }""", [selector, container])


async def test_the_return_button_fits_at_1366_and_the_leaders_rates_show_on_a_phone(open_page):
    office = await open_page(LAPTOP)
    await sign_in(office, "vanphong")
    await office.goto("/office")
    await expect(office.locator(".return-form button").first).to_be_visible()
    assert await _inside(office, ".return-form button", ".table-wrap")
    leader = await open_page(PHONE)
    await sign_in(leader, "giamdoc")
    await leader.goto("/leader")
    assert await _inside(leader, "table.figures tfoot td:last-child", "main")
    await expect(leader.locator("table.figures tfoot td").last).to_be_visible()
    # The note box of a decision takes the cell's width: at least 200 px on a 390 px phone.
    width = await leader.locator(".decision-form input[name=note]").first.evaluate("e => e.getBoundingClientRect().width")
    assert width >= 200
