"""A task submitted before its deadline is finished on the division's side: it is not labelled
"Sắp đến hạn" (due soon) anywhere, while the office has still to confirm it (issue 12)."""

from __future__ import annotations

from tests.integration.test_pages import TASK, Browser


async def test_a_submitted_task_due_tomorrow_reads_as_submitted_in_time_not_due_soon(world, app):
    # Today is Tuesday 03/03/2026: due Wednesday 04/03, a running task would be due soon.
    d = await world.directive_with_tasks("410/UBND-KT", [{**TASK, "due_on": "2026-03-04"}, {**TASK, "title": "Còn đang làm", "due_on": "2026-03-04"}])
    submitted, running = (t["id"] for t in d["tasks"])
    assert (await world.post("truong.qlnl", f"/api/v1/tasks/{submitted}/submit", {"note": "Đã xong"})).status_code == 200
    api = {t["id"]: t["timeliness"] for t in (await world.get("vanphong", f"/api/v1/tasks?directive={d['id']}")).json()["items"]}
    assert api == {submitted: "on_track", running: "due_soon"}
    office = Browser(app)
    await office.sign_in("vanphong")
    for path in ("/office", f"/tasks/{submitted}"):
        page = (await office.get(path)).text
        assert "Đã báo cáo, trong hạn" in page and "Sắp đến hạn" not in page, path
    listing = (await office.get(f"/tasks?directive={d['id']}")).text
    assert listing.count("Sắp đến hạn") == 1 + listing.count('<option value="due_soon"')  # the running one, and the filter's option
    await office.close()
