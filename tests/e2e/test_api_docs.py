"""/schema lets a user paste a bearer token and try the API: the document's bearer scheme gives
Swagger UI its Authorize button; the token pasted there goes with "Try it out" (screenshot
tests/e2e/screenshots/schema-authorized.png)."""

from __future__ import annotations

from tests.e2e.browser_helpers import DESKTOP, PASSWORD


async def test_a_token_pasted_into_authorize_lets_the_docs_call_the_api(open_page, server, screenshots):
    page = await open_page()
    await page.set_viewport_size(DESKTOP)
    answer = await page.request.post("/api/v1/auth/token", data={"username": "vanphong", "password": PASSWORD})
    token = (await answer.json())["token"]
    await page.goto("/schema")
    await page.locator("button.authorize").first.click()
    await page.locator(".modal-ux input[type=text], .modal-ux input:not([type])").first.fill(token)
    await page.locator(".modal-ux button.authorize").click()
    await page.screenshot(path=screenshots / "schema-authorized.png")
    await page.locator(".modal-ux button.btn-done").click()
    operation = page.locator("#operations-tasks-TasksListTasks, .opblock-get:has(.opblock-summary-path[data-path='/api/v1/tasks'])").first
    await operation.locator(".opblock-summary").click()
    await operation.locator("button.try-out__btn").click()
    await operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    await status.wait_for()
    assert (await status.inner_text()).strip() == "200"
    await page.screenshot(path=screenshots / "schema-try-it-out.png", full_page=False)
