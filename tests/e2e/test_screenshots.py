"""A screenshot of every page in both languages, into tests/e2e/screenshots/ (git-ignored), for
a person to look at. Each page is also checked for what would make it look unfinished: a server
error, a missing translation of its heading, or a table wider than a phone screen."""

from __future__ import annotations

from tests.e2e.browser_helpers import DESKTOP, LAPTOP, PHONE, sign_in

ENGLISH_ONLY_WORDS = ("Tasks", "Overview", "Directives", "Sign in", "Users")


def pages(ids: dict[str, int]) -> list[tuple[str, str, list[tuple[str, str, dict]]]]:
    """(user, home name, [(name, path, viewport)])"""
    return [
        ("vanphong", "office", [
            ("queue", "/office", DESKTOP), ("queue-1366", "/office", LAPTOP), ("directives", "/directives", DESKTOP), ("directive", "/directives/1", DESKTOP),
            ("directive-form", "/directives/new", DESKTOP), ("tasks", "/tasks", DESKTOP),
            ("task", f"/tasks/{ids['overdue']}", DESKTOP), ("account", "/account", DESKTOP),
            ("reports-by-directive", "/reports?group_by=directive", DESKTOP), ("import", "/import", DESKTOP),
        ]),
        ("truong.qlnl", "head", [
            ("division-phone", "/division", PHONE), ("task-phone", f"/tasks/{ids['on_track']}", PHONE),
            ("division", "/division", DESKTOP), ("tasks-phone", "/tasks", PHONE), ("reports-phone", "/reports", PHONE),
        ]),
        ("giamdoc", "leader", [
            ("overview", "/leader", DESKTOP), ("task", f"/tasks/{ids['on_track']}", DESKTOP), ("overview-phone", "/leader", PHONE),
            ("forbidden", "/admin/users", DESKTOP), ("reports", "/reports", DESKTOP),
            ("reports-by-leader", "/reports?from=01/02/2026&group_by=leader", DESKTOP),
        ]),
        ("quantri", "admin", [
            ("users", "/admin/users", DESKTOP), ("user", "/admin/users/2", DESKTOP), ("divisions", "/admin/divisions", DESKTOP),
            ("calendar", "/admin/calendar?year=2026", DESKTOP), ("escalation", "/admin/escalation", DESKTOP),
        ]),
    ]


async def _switch_language(page, to: str) -> None:
    await page.click(f".top .lang button[value='{to}']")
    await page.wait_for_load_state("domcontentloaded")


async def test_every_page_is_photographed_in_vietnamese_and_english(open_page, server, screenshots):
    problems = []
    signin = await open_page()
    for lang in ("vi", "en"):
        await signin.goto("/signin")
        if lang == "en":
            await _switch_language(signin, "en")
        await signin.screenshot(path=screenshots / f"{lang}-anonymous-signin.png", full_page=True)
    for user, role, entries in pages(server.ids):
        page = await open_page()
        await sign_in(page, user)
        for lang in ("vi", "en"):
            if lang == "en":
                await _switch_language(page, "en")
            for name, path, viewport in entries:
                await page.set_viewport_size(viewport)
                response = await page.goto(path)
                if response.status >= 500 or (response.status >= 400 and name != "forbidden"):
                    problems.append(f"{role} {path}: HTTP {response.status}")
                heading = await page.locator("h1").first.inner_text()
                if lang == "vi" and heading.strip() in ENGLISH_ONLY_WORDS:
                    problems.append(f"{role} {path}: heading {heading!r} is not translated")
                if viewport == PHONE and await page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
                    problems.append(f"{role} {path}: wider than the phone screen")
                await page.screenshot(path=screenshots / f"{lang}-{role}-{name}.png", full_page=True)
        await _switch_language(page, "vi")
    # The same list in grey (status must read without colour) and as printed.
    page = await open_page()
    await sign_in(page, "vanphong")
    await page.goto("/tasks")
    # Through the CSSOM: the page's Content-Security-Policy refuses a <style> element.
    await page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")
    await page.screenshot(path=screenshots / "vi-office-tasks-grey.png", full_page=True)
    await page.goto("/tasks")
    await page.emulate_media(media="print")
    await page.screenshot(path=screenshots / "vi-office-tasks-print.png", full_page=True)
    assert problems == []
    assert len(list(screenshots.glob("*.png"))) >= 2 * (1 + sum(len(e) for _, _, e in pages(server.ids)))
