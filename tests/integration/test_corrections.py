"""The office puts mistakes right, on the API and on the pages, through the same services: edit a
task (fields, deadline, assignment) with a reason, reopen a task confirmed by mistake, correct a
directive, add tasks to a directive. Each change is audited with its reason and shown in the
history; a division head is offered none of it and is refused if they try."""

from __future__ import annotations

import pytest

from tasks.tables import AuditEvent, Directive, Notice, Task
from tests.integration.test_pages import TASK, Browser


async def _signed_in(app, username: str):
    b = Browser(app)
    await b.sign_in(username)
    return b


@pytest.fixture
async def office(app, world):
    b = await _signed_in(app, "vanphong")
    yield b
    await b.close()


@pytest.fixture
async def head(app, world):
    b = await _signed_in(app, "truong.qlnl")
    yield b
    await b.close()


async def done_task(world) -> int:
    d = await world.directive_with_tasks("310/UBND-KT", [TASK])
    task_id = d["tasks"][0]["id"]
    assert (await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Đã xong"})).status_code == 200
    assert (await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")).status_code == 200
    return task_id


async def events(**where) -> list[dict]:
    query = AuditEvent.select(AuditEvent.action, AuditEvent.note, AuditEvent.before, AuditEvent.after)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return await query.order_by(AuditEvent.id).run()


async def test_a_confirmation_made_by_mistake_is_undone_with_a_reason_and_the_division_is_told(world):
    task_id = await done_task(world)
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/reopen", {"reason": "Xác nhận nhầm nhiệm vụ"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["completed_on"]) == ("in_progress", None)
    last = (await events(task=task_id))[-1]
    assert (last["action"], last["note"]) == ("reopen", "Xác nhận nhầm nhiệm vụ")
    told = await Notice.select(Notice.kind, Notice.user.username.as_alias("who")).where(Notice.task == task_id).run()
    assert {"truong.qlnl", "pgd.hai"} <= {n["who"] for n in told if n["kind"] == "task_reopened"}
    # Only a done task, only the office, and always with a reason.
    assert (await world.post("vanphong", f"/api/v1/tasks/{task_id}/reopen", {"reason": "Lần nữa"})).status_code == 409
    assert (await world.post("vanphong", f"/api/v1/tasks/{task_id}/reopen", {"reason": ""})).status_code in (400, 422)
    other = await done_task_numbered(world, "311/UBND-KT")
    assert (await world.post("truong.qlnl", f"/api/v1/tasks/{other}/reopen", {"reason": "Tôi muốn sửa"})).status_code == 403
    assert (await Task.select(Task.state).where(Task.id == other).first().run())["state"] == "done"


async def done_task_numbered(world, number: str) -> int:
    d = await world.directive_with_tasks(number, [TASK])
    task_id = d["tasks"][0]["id"]
    await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Đã xong"})
    await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    return task_id


async def test_a_directive_is_corrected_with_a_reason_and_refused_when_it_would_clash(world):
    first = await world.directive_with_tasks("320/UBND-KT", [{**TASK, "due_on": "2026-02-27"}])
    await world.directive_with_tasks("321/UBND-KT", [])
    r = await world.patch("vanphong", f"/api/v1/directives/{first['id']}",
                          {"reason": "Ghi nhầm số hiệu", "number": "322/UBND-KT", "summary": "Về cung ứng điện mùa khô"})
    assert r.status_code == 200, r.text
    assert (r.json()["number"], r.json()["summary"]) == ("322/UBND-KT", "Về cung ứng điện mùa khô")
    last = (await events(entity_type="directive", entity_id=first["id"]))[-1]
    assert last["action"] == "correct_directive" and last["note"] == "Ghi nhầm số hiệu"
    before = await Directive.count().run(), await AuditEvent.count().run()
    clash = await world.patch("vanphong", f"/api/v1/directives/{first['id']}", {"reason": "Sửa", "number": "321/UBND-KT"})
    assert clash.status_code == 409 and "321/UBND-KT" in clash.json()["message"]
    # The task is due 27/02/2026: the directive cannot have been issued after it.
    late = await world.patch("vanphong", f"/api/v1/directives/{first['id']}",
                             {"reason": "Sửa", "issued_on": "2026-02-28", "received_on": "2026-03-02"})
    assert late.status_code == 422 and "issued_on" in late.json()["fields"]
    refused = await world.patch("truong.qlnl", f"/api/v1/directives/{first['id']}", {"reason": "Sửa", "summary": "Khác"})
    assert refused.status_code == 403
    assert (await Directive.count().run(), await AuditEvent.count().run() - 1) == before  # only the refusal was recorded
    row = await Directive.select(Directive.number, Directive.summary).where(Directive.id == first["id"]).first().run()
    assert row == {"number": "322/UBND-KT", "summary": "Về cung ứng điện mùa khô"}
    # Its tasks are found by the corrected number, and no longer by the old one.
    found = lambda q: world.get("vanphong", "/api/v1/tasks", params={"q": q})  # noqa: E731
    r = await found("322/UBND")
    assert r.status_code == 200, r.text
    assert [t["id"] for t in r.json()["items"]] == [t["id"] for t in first["tasks"]]
    assert (await found("320/UBND")).json()["total"] == 0


async def test_the_office_edits_a_task_on_its_page_and_the_history_says_what_changed_and_why(world, office):
    d = await world.directive_with_tasks("330/UBND-KT", [TASK])
    task_id = d["tasks"][0]["id"]
    page = await office.get(f"/tasks/{task_id}")
    assert f'href="/tasks/{task_id}/edit"' in page.text
    form = await office.get(f"/tasks/{task_id}/edit")
    assert form.status_code == 200 and 'value="20/03/2026"' in form.text
    fields = {"title": "Rà soát phương án cung ứng điện mùa khô năm 2026", "description": "", "due_on": "27/03/2026",
              "lead_division": "QLTM", "support_divisions": "QLNL", "leader_in_charge": "giamdoc", "assignee": "truong.qltm"}
    before = await AuditEvent.count().run()
    unreasoned = await office.post(f"/tasks/{task_id}/edit", fields)
    assert unreasoned.status_code == 422 and "Rà soát phương án cung ứng điện mùa khô năm 2026" in unreasoned.text
    assert await AuditEvent.count().run() == before
    saved = await office.post(f"/tasks/{task_id}/edit", {**fields, "reason": "Theo Công văn đính chính"})
    assert saved.status_code == 303 and saved.headers["location"] == f"/tasks/{task_id}?msg=task_corrected"
    task = (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()
    assert (task["title"], task["due_on"], task["lead_division"], task["support_divisions"], task["leader_in_charge"], task["assignee"]) == (
        fields["title"], "2026-03-27", "QLTM", ["QLNL"], "giamdoc", "truong.qltm")
    assert [(e["action"], e["note"]) for e in (await events(task=task_id))[-2:]] == [
        ("correct", "Theo Công văn đính chính"), ("assign", "Theo Công văn đính chính")]
    shown = (await office.get(f"/tasks/{task_id}")).text
    assert "Theo Công văn đính chính" in shown and "27/03/2026" in shown


async def test_an_edit_refused_halfway_writes_nothing(world, office):
    d = await world.directive_with_tasks("331/UBND-KT", [TASK])
    task_id = d["tasks"][0]["id"]
    before = await AuditEvent.count().run()
    # The title is corrected first, then the assignment fails: the lead division cannot also support.
    r = await office.post(f"/tasks/{task_id}/edit", {"title": "Tên mới", "due_on": "20/03/2026", "lead_division": "QLTM",
                                                     "support_divisions": "QLTM", "leader_in_charge": "pgd.hai", "reason": "Sửa"})
    assert r.status_code == 422
    assert (await Task.select(Task.title).where(Task.id == task_id).first().run())["title"] == TASK["title"]
    assert await AuditEvent.count().run() == before


async def test_reopen_on_the_page_and_a_head_is_offered_none_of_the_corrections(world, office, head):
    task_id = await done_task(world)
    page = (await head.get(f"/tasks/{task_id}")).text
    assert "/edit" not in page and "/reopen" not in page
    assert (await head.post(f"/tasks/{task_id}/edit", {"title": "Tên khác", "reason": "Thử"})).status_code == 403
    assert (await events(task=task_id))[-1]["action"] == "forbidden"  # the attempt is on the record
    assert (await head.post(f"/tasks/{task_id}/reopen", {"reason": "Thử"})).status_code == 403
    page = (await office.get(f"/tasks/{task_id}")).text
    assert f'action="/tasks/{task_id}/reopen"' in page
    r = await office.post(f"/tasks/{task_id}/reopen", {"reason": "Xác nhận nhầm", "expected_state": "done"})
    assert r.status_code == 303
    assert (await Task.select(Task.state).where(Task.id == task_id).first().run())["state"] == "in_progress"
    assert "Xác nhận nhầm" in (await office.get(f"/tasks/{task_id}")).text
    directive = (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["directive"]["id"]
    assert (await head.get(f"/directives/{directive}/edit")).status_code in (403, 404)
    assert (await head.post(f"/directives/{directive}/tasks", {"rows": "1", "tasks.0.title": "X", "tasks.0.lead_division": "QLNL"})).status_code in (403, 404)


async def test_the_office_corrects_a_directive_and_adds_tasks_to_it_on_the_pages(world, office):
    d = await world.directive_with_tasks("340/UBND-KT", [TASK])
    page = (await office.get(f"/directives/{d['id']}")).text
    assert f'href="/directives/{d["id"]}/edit"' in page and f'href="/directives/{d["id"]}/tasks"' in page
    form = await office.get(f"/directives/{d['id']}/edit")
    assert 'value="340/UBND-KT"' in form.text and 'value="25/02/2026"' in form.text
    r = await office.post(f"/directives/{d['id']}/edit", {"number": "340/UBND-KT", "issuer": "UBND tỉnh", "signer": "Phó Chủ tịch UBND tỉnh",
                                                          "kind": "document", "issued_on": "24/02/2026", "received_on": "26/02/2026",
                                                          "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026", "reason": "Sai ngày ban hành"})
    assert r.status_code == 303, r.text
    shown = (await office.get(f"/directives/{d['id']}")).text
    assert "Sai ngày ban hành" in shown and "24/02/2026" in shown and "Phó Chủ tịch UBND tỉnh" in shown
    await office.get(f"/directives/{d['id']}/tasks")
    rows = {"rows": "2", "tasks.0.title": "Báo cáo kết quả kiểm tra", "tasks.0.lead_division": "QLTM", "tasks.0.due_on": "31/03/2026",
            "tasks.1.title": "Tổng hợp số liệu", "tasks.1.lead_division": "NOPE"}
    before = await Task.count().run()
    refused = await office.post(f"/directives/{d['id']}/tasks", rows)
    assert refused.status_code == 422 and "Báo cáo kết quả kiểm tra" in refused.text
    assert await Task.count().run() == before
    added = await office.post(f"/directives/{d['id']}/tasks", {**rows, "tasks.1.lead_division": "KHTC", "tasks.1.due_in_working_days": "10"})
    assert added.status_code == 303
    titles = [t["title"] for t in (await world.get("vanphong", f"/api/v1/tasks?directive={d['id']}")).json()["items"]]
    assert sorted(titles) == sorted([TASK["title"], "Báo cáo kết quả kiểm tra", "Tổng hợp số liệu"])
