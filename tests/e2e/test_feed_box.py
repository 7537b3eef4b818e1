"""The head finds their division's calendar feed address on /division: selectable text, a Copy
button that app.js shows and that copies it, and how to add it to a phone; screenshots in both
languages (tests/e2e/screenshots/*-head-feed-box*.png)."""

from __future__ import annotations

from tests.e2e.browser_helpers import PHONE, sign_in


async def test_the_head_copies_the_feed_address_from_their_page(open_page, server, screenshots):
    page = await open_page()
    await page.set_viewport_size(PHONE)
    await sign_in(page, "truong.qlnl")
    await page.goto("/division")
    box = page.locator("#calendar-feed")
    address = await box.locator("#feed-url").input_value()
    assert "/calendar/QLNL/" in address and address.endswith(".ics")
    button = box.locator(".copy-btn")
    assert await button.is_visible()  # hidden in the HTML, shown by app.js
    await box.locator("summary").click()
    await box.scroll_into_view_if_needed()
    await box.screenshot(path=screenshots / "vi-head-feed-box-phone.png")
    await button.click()
    assert (await button.inner_text()).strip() == "Đã sao chép"
    selected = await page.evaluate("(() => { const f = document.getElementById('feed-url'); return f.value.substring(f.selectionStart, f.selectionEnd); })()")
    assert selected == address
    assert page_width_fits(await page.evaluate("document.documentElement.scrollWidth"))
    await page.click(".top .lang button[value='en']")
    await page.wait_for_load_state("domcontentloaded")
    await page.locator("#calendar-feed summary").click()
    assert "How to add it to your phone" in await page.locator("#calendar-feed").inner_text()
    await page.locator("#calendar-feed").screenshot(path=screenshots / "en-head-feed-box-phone.png")
    await page.click(".top .lang button[value='vi']")


def page_width_fits(width: int) -> bool:
    return width <= PHONE["width"]
