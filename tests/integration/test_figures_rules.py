"""Figures that cannot be bent (issue 8): the completion day is the submission's, extensions are
asked for in time and decided by the leader in charge or the director, a refusal says why, and a
missed deadline stays missed. Each rule is refused with a Vietnamese message through the API and
through the pages, and a refused attempt changes nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tasks.tables import AuditEvent, ExtensionRequest, Task
from tests.integration.test_pages import Browser

TASK = {"title": "Kiểm tra an toàn thực phẩm dịp Tết", "lead_division": "QLNL", "support_divisions": ["QLTM"],
        "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"}
# Friday 20/03/2026 is the deadline; Monday 23/03 it has passed.
MONDAY_2026_03_23_0900 = datetime(2026, 3, 23, 2, 0, tzinfo=timezone.utc)
WEDNESDAY_2026_03_18_0900 = datetime(2026, 3, 18, 2, 0, tzinfo=timezone.utc)


async def one_task(world, **overrides) -> int:
    d = await world.directive_with_tasks(overrides.pop("number", "88/UBND-KT"), [{**TASK, **overrides}])
    return d["tasks"][0]["id"]


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


def vietnamese(message: str) -> bool:
    return any(ch in message for ch in "ăâđêôơưạảấầẩậắằặẻẽếềểệỉịọỏốồổộớờởợụủứừửữựỳỵỷỹ")


async def task_row(task_id: int) -> dict:
    return await Task.select().where(Task.id == task_id).first().run()


async def test_a_division_cannot_choose_its_completion_day(world, clock):
    task_id = await one_task(world)
    clock.at = MONDAY_2026_03_23_0900
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong", "completed_on": "2026-03-19"})
    assert r.status_code == 422 and vietnamese(r.json()["message"]), r.text
    assert (await task_row(task_id))["state"] == "open"
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})
    assert (r.status_code, r.json()["completed_on"], r.json()["timeliness"]) == (200, "2026-03-23", "overdue")


async def test_the_submit_form_offers_no_completion_day_and_refuses_one(world, clock, browser):
    task_id = await one_task(world)
    clock.at = MONDAY_2026_03_23_0900
    await browser.sign_in("truong.qlnl")
    page = await browser.get(f"/tasks/{task_id}")
    assert 'name="completed_on"' not in page.text
    r = await browser.post(f"/tasks/{task_id}/submit", {"note": "Xong", "completed_on": "19/03/2026", "expected_state": "open"})
    assert r.status_code == 422 and "ngày nộp" in r.text
    assert (await task_row(task_id))["state"] == "open"


async def test_the_office_corrects_a_completion_day_with_a_reason_and_it_is_audited(world, clock):
    task_id = await one_task(world)
    clock.at = MONDAY_2026_03_23_0900
    await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})
    r = await world.patch("truong.qlnl", f"/api/v1/tasks/{task_id}", {"reason": "Nộp thứ Sáu", "completed_on": "2026-03-20"})
    assert r.status_code == 403
    r = await world.patch("vanphong", f"/api/v1/tasks/{task_id}", {"reason": "Văn bản nộp ngày 20/03, nhập chậm", "completed_on": "2026-03-20"})
    assert (r.status_code, r.json()["completed_on"]) == (200, "2026-03-20"), r.text
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    assert r.json()["timeliness"] == "done_on_time"
    event = await AuditEvent.select().where((AuditEvent.task == task_id) & (AuditEvent.action == "correct")).first().run()
    assert event["note"] == "Văn bản nộp ngày 20/03, nhập chậm" and "2026-03-23" in event["before"]


async def test_an_extension_after_the_deadline_is_refused_through_the_api_and_the_page(world, clock, browser):
    task_id = await one_task(world)
    clock.at = MONDAY_2026_03_23_0900
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    assert r.status_code == 409 and vietnamese(r.json()["message"]) and "20/03/2026" in r.json()["message"], r.text
    await browser.sign_in("truong.qlnl")
    r = await browser.post(f"/tasks/{task_id}/extensions", {"requested_due_on": "10/04/2026", "reason": "Chờ số liệu"})
    assert r.status_code == 409 and "20/03/2026" in r.text
    assert await ExtensionRequest.count().run() == 0


async def test_a_setting_can_require_extensions_some_working_days_ahead(world, clock, app):
    task_id = await one_task(world)
    clock.at = WEDNESDAY_2026_03_18_0900  # two working days before Friday's deadline
    object.__setattr__(app.state.settings, "extension_notice_days", 3)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    assert r.status_code == 409 and "17/03/2026" in r.json()["message"], r.text
    object.__setattr__(app.state.settings, "extension_notice_days", 2)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    assert r.status_code == 201, r.text


async def test_only_the_leader_in_charge_or_the_director_decides_and_others_see_it_read_only(world, clock, browser):
    task_id = await one_task(world, leader_in_charge="pgd.hai")
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    ext_id = r.json()["id"]
    r = await world.post("quantri", "/api/v1/users", {"username": "pgd.lan", "full_name": "Ngô Thị Lan", "email": "lan@sct.example.vn",
                                                     "role": "leader", "division": None, "password": "mat-khau-thu-nghiem"})
    assert r.status_code == 201
    world.user_ids["pgd.lan"] = r.json()["id"]
    r = await world.post("pgd.lan", f"/api/v1/extensions/{ext_id}/decision", {"approve": True, "note": "Đồng ý"})
    assert r.status_code == 403 and vietnamese(r.json()["message"])
    await browser.sign_in("pgd.lan")
    leader_page = await browser.get("/leader")
    assert f'id="ext-{ext_id}"' in leader_page.text and f'action="/extensions/{ext_id}/decision"' not in leader_page.text
    assert f'action="/extensions/{ext_id}/decision"' not in (await browser.get(f"/tasks/{task_id}")).text
    assert (await browser.post(f"/extensions/{ext_id}/decision", {"approve": "1", "note": ""})).status_code == 403
    assert (await task_row(task_id))["due_on"].isoformat() == "2026-03-20"
    # The director decides any task's extension.
    r = await world.post("giamdoc", f"/api/v1/extensions/{ext_id}/decision", {"approve": True, "note": "Đồng ý"})
    assert r.status_code == 200, r.text
    assert (await task_row(task_id))["due_on"].isoformat() == "2026-04-10"


async def test_a_refusal_needs_a_reason_through_the_api_and_the_page(world, browser):
    task_id = await one_task(world)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    ext_id = r.json()["id"]
    r = await world.post("pgd.hai", f"/api/v1/extensions/{ext_id}/decision", {"approve": False, "note": "  "})
    assert r.status_code == 422 and vietnamese(r.json()["message"]), r.text
    await browser.sign_in("pgd.hai")
    await browser.get("/leader")
    r = await browser.http.post(f"/extensions/{ext_id}/decision", data={"approve": "0", "note": "", "_csrf_token": browser.token},
                                headers={"HX-Request": "true"})
    assert r.status_code == 200 and "lý do" in r.text.lower()
    assert (await ExtensionRequest.select(ExtensionRequest.state).where(ExtensionRequest.id == ext_id).first().run())["state"] == "pending"


async def test_an_office_correction_after_the_deadline_keeps_the_task_late_against_it(world, clock):
    task_id = await one_task(world)
    clock.at = MONDAY_2026_03_23_0900
    r = await world.patch("vanphong", f"/api/v1/tasks/{task_id}", {"reason": "UBND tỉnh cho lùi hạn", "due_on": "2026-04-30"})
    assert r.status_code == 200, r.text
    assert (r.json()["due_on"], r.json()["timeliness"]) == ("2026-04-30", "overdue")
    assert (await task_row(task_id))["missed_due_on"].isoformat() == "2026-03-20"
    await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    assert (r.status_code, r.json()["timeliness"]) == (200, "done_late")


async def test_a_page_acting_on_a_task_that_changed_meanwhile_gets_409_and_changes_nothing(world, browser):
    task_id = await one_task(world)
    await browser.sign_in("pgd.hai")
    await browser.get(f"/tasks/{task_id}")
    assert (await world.post("giamdoc", f"/api/v1/tasks/{task_id}/pause", {"reason": "Chờ chủ trương"})).status_code == 200
    r = await browser.post(f"/tasks/{task_id}/cancel", {"reason": "Không tiếp tục", "expected_state": "open"})
    assert r.status_code == 409 and "vừa" in r.text
    assert (await task_row(task_id))["state"] == "paused"
