"""The journeys of DESIGN §2 in a real browser: office, division head (on a phone), leader, admin."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.browser_helpers import PHONE, sign_in


async def test_the_office_records_a_directive_with_three_tasks_in_one_form(open_page):
    page = await open_page()
    await sign_in(page, "vanphong")
    await page.goto("/directives/new")
    await page.fill("input[name=number]", "88/TB-UBND")
    await page.fill("input[name=issuer]", "UBND tỉnh")
    await page.fill("input[name=issued_on]", "27/02/2026")
    await page.fill("input[name=summary]", "Kết luận cuộc họp giao ban tháng 2")
    rows = [
        ("Đôn đốc tiến độ dự án điện mặt trời", "QLNL", ["QLTM"], "27/03/2026", ""),
        ("Kiểm tra giá xăng dầu", "QLTM", [], "", "10"),
        ("Bố trí kinh phí kiểm tra", "KHTC", ["VP", "QLNL"], "30/04/2026", ""),
    ]
    for i, (title, lead, supports, due_on, days) in enumerate(rows):
        await page.fill(f"input[name='tasks.{i}.title']", title)
        await page.select_option(f"select[name='tasks.{i}.lead_division']", lead)
        await page.select_option(f"select[name='tasks.{i}.leader_in_charge']", "pgd.hai")
        for code in supports:
            await page.check(f"input[name='tasks.{i}.support_divisions'][value='{code}']")
        await page.fill(f"input[name='tasks.{i}.due_on']", due_on)
        await page.fill(f"input[name='tasks.{i}.due_in_working_days']", days)
    await page.click("text=Ghi nhận văn bản và các nhiệm vụ")
    await expect(page.locator(".flash.ok")).to_contain_text("Đã ghi nhận")
    await expect(page.locator("h1")).to_contain_text("88/TB-UBND")
    table = page.locator("table.tasks tbody")
    await expect(table.locator("tr")).to_have_count(3)
    await expect(table).to_contain_text("Đôn đốc tiến độ dự án điện mặt trời")
    await expect(table).to_contain_text("27/03/2026")
    # 10 working days from the issue date 27/02/2026 (no receipt date): Friday 13/03/2026.
    await expect(table).to_contain_text("13/03/2026")


async def test_a_head_updates_progress_and_asks_for_an_extension_on_a_phone_then_a_leader_approves_it(open_page, server):
    task_id = server.ids["due_soon"]
    phone = await open_page(PHONE)
    await sign_in(phone, "truong.qlnl")
    await expect(phone).to_have_url(re.compile(r"/division$"))
    card = phone.locator(".task-card", has_text="Báo cáo tình hình tiết kiệm điện quý I")
    await card.locator("a.update").click()
    # The slider and the number field follow each other (/static/app.js: no inline handlers).
    await phone.locator("#progress-form input[type=range]").fill("45")
    await expect(phone.locator("#progress-form input[name=percent]")).to_have_value("45")
    await phone.fill("#progress-form input[name=percent]", "60")
    await expect(phone.locator("#progress-form input[type=range]")).to_have_value("60")
    await phone.fill("#progress-form textarea[name=note]", "Đã tổng hợp số liệu của 8/10 huyện")
    await phone.click("#progress-form button.primary")
    # Back on "my division", ready for the next task, with the new figure on the card.
    await expect(phone).to_have_url(re.compile(r"/division\?msg=progress_saved$"))
    await expect(phone.locator(".flash.ok")).to_contain_text("Đã lưu tiến độ")
    await expect(card).to_contain_text("60%")
    await card.locator("a.card-link").click()
    await phone.click("summary:has-text('Xin gia hạn')")
    await phone.fill("input[name=requested_due_on]", "19/03/2026")
    await phone.fill("textarea[name=reason]", "Chờ số liệu của hai huyện miền núi")
    await phone.click("button:has-text('Gửi đề nghị gia hạn')")
    await expect(phone.locator(".flash.ok")).to_contain_text("gia hạn")
    # Nothing on the phone page is wider than the screen.
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    desk = await open_page()
    await sign_in(desk, "giamdoc")
    row = desk.locator("tr", has_text="Báo cáo tình hình tiết kiệm điện quý I").filter(has=desk.locator("form.decision-form"))
    await row.locator("button[name=approve][value='1']").click()
    await expect(desk.locator("tr", has_text="Báo cáo tình hình tiết kiệm điện quý I").locator(".done-note")).to_contain_text("19/03/2026")
    await desk.goto(f"/tasks/{task_id}")
    await expect(desk.locator(".facts")).to_contain_text("19/03/2026")
    await expect(desk.locator(".timeline")).to_contain_text("Đã duyệt gia hạn")


async def test_the_office_confirms_a_submitted_task_in_place(open_page, server):
    task_id = server.ids["submitted"]
    page = await open_page()
    await sign_in(page, "vanphong")
    await expect(page).to_have_url(re.compile(r"/office$"))
    row = page.locator(f"#queue-{task_id}")
    await row.locator("button:has-text('Xác nhận')").click()
    await expect(page.locator(f"#queue-{task_id}")).to_contain_text("Đã xác nhận")
    await page.goto(f"/tasks/{task_id}")
    await expect(page.locator(".status-line")).to_contain_text("đã hoàn thành")


async def test_the_admin_adds_a_swapped_working_day(open_page):
    page = await open_page()
    await sign_in(page, "quantri")
    await page.goto("/admin/calendar?year=2026")
    # The add form, not the hidden fields of each holiday's "mark as a working day" button.
    await page.fill("form.stack input[name=day]", "09/05/2026")
    await page.select_option("form.stack select[name=kind]", "working")
    await page.fill("form.stack input[name=name]", "Làm bù cho ngày 01/05/2026")
    await page.click("button:has-text('Thêm ngày')")
    await expect(page.locator(".flash.ok")).to_be_visible()
    row = page.locator("tr", has_text="09/05/2026")
    await expect(row).to_contain_text("Ngày làm việc")
    await expect(row).to_contain_text("Làm bù cho ngày 01/05/2026")


async def test_without_javascript_a_head_still_reports_progress_and_the_office_still_confirms(browser, server):
    context = await browser.new_context(viewport=PHONE, base_url=server.base_url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await sign_in(page, "truong.qlnl")
        await page.goto(f"/tasks/{server.ids['overdue']}")
        await page.fill("#progress-form input[name=percent]", "45")
        await page.fill("#progress-form textarea[name=note]", "Đã gửi văn bản xin ý kiến các huyện")
        await page.click("#progress-form button.primary")
        await expect(page.locator(".flash.ok")).to_be_visible()
        await expect(page.locator(".status-line")).to_contain_text("45%")
    finally:
        await context.close()
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await sign_in(page, "vanphong")
        task_id = server.ids["submitted_too"]
        await page.locator(f"#queue-{task_id} button:has-text('Xác nhận')").click()
        await expect(page.locator(".flash.ok")).to_contain_text("Đã xác nhận hoàn thành")
        await expect(page.locator(f"#queue-{task_id}")).to_have_count(0)
    finally:
        await context.close()


async def test_the_api_documentation_works_from_the_vendored_files(open_page):
    page = await open_page()
    await page.goto("/schema")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("dondoc")


async def test_another_site_cannot_frame_a_page_to_clickjack_its_buttons(browser, server):
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(f'<iframe src="{server.base_url}/signin" width="800" height="600"></iframe>')
        framed = [f for f in page.frames if f is not page.main_frame]
        assert framed, "the iframe is there"
        await framed[0].wait_for_load_state()
        # frame-ancestors 'none' (and X-Frame-Options DENY): the browser shows its error page instead.
        assert framed[0].url.startswith("chrome-error://"), framed[0].url
        assert await framed[0].locator("form[action='/signin']").count() == 0
    finally:
        await context.close()


async def test_a_head_reports_progress_in_one_tap_from_the_email_on_a_phone(open_page, server, screenshots):
    """The link of a reminder, opened on a phone without signing in: the one task, one screen."""
    import sqlite3

    from tasks import email_links
    from web.settings import DEV_SECRET_KEY

    task_id = server.ids["no_deadline"]
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
        user_id, version = conn.execute("SELECT id, credential_version FROM app_user WHERE username = 'truong.qltm'").fetchone()
    token = email_links.sign(user_id, version, task_id, server.clock.now(), DEV_SECRET_KEY)
    phone = await open_page(PHONE)
    await phone.goto(f"/u/{token}")
    await expect(phone.locator("h1")).to_contain_text("Tổng hợp kiến nghị của doanh nghiệp về giá điện")
    await phone.screenshot(path=screenshots / "vi-head-one-tap-phone.png", full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await phone.fill("input[name=percent]", "25")
    await phone.fill("textarea[name=note]", "Đã tổng hợp ý kiến của 12 doanh nghiệp")
    await phone.click("button:has-text('Lưu tiến độ')")
    await expect(phone.locator(".flash.ok")).to_contain_text("Đã lưu tiến độ")
    await expect(phone.locator(".status-line")).to_contain_text("25%")
    await phone.screenshot(path=screenshots / "vi-head-one-tap-saved-phone.png", full_page=True)

    desk = await open_page()
    await sign_in(desk, "truong.qltm")
    await desk.goto(f"/tasks/{task_id}")
    await expect(desk.locator(".timeline")).to_contain_text("qua liên kết trong email")
    await desk.goto("/notifications")
    await desk.screenshot(path=screenshots / "vi-head-notifications.png", full_page=True)
