"""What the browser tests share: Chromium's path and flags, viewports, and signing in."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
# The office's usual laptop screen.
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "mat-khau-thu-nghiem"


async def sign_in(page, username: str, password: str = PASSWORD, next_path: str = "/") -> None:
    await page.goto("/signin" + ("" if next_path == "/" else f"?next={next_path}"))
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form[action='/signin'] button")
    await page.wait_for_load_state("domcontentloaded")
