"""The inbox: each user's notices in the app (also for those without an email address), the
unread count in the header, the list, marking read; and nobody sees another's."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_pages import TASK, Browser

KEYS = {"id", "kind", "task", "title", "created_at", "read_at"}


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def assigned(world) -> int:
    d = await world.directive_with_tasks("2150/UBND-KT", [{**TASK, "lead_division": "QLNL", "support_divisions": ["KHTC"]}])
    return d["tasks"][0]["id"]


async def test_the_api_lists_a_heads_own_notices_and_marks_them_read(world):
    task_id = await assigned(world)
    box = (await world.get("truong.qlnl", "/api/v1/me/notifications?unread=true")).json()
    assert box["total"] == 1 and box["unread"] == 1
    (item,) = box["items"]
    assert KEYS <= set(item) and item["kind"] == "assigned" and item["task"] == task_id and item["title"] == TASK["title"]
    assert item["read_at"] is None and item["text"] == "Nhiệm vụ mới giao đơn vị chủ trì" and item["by"] == "Nguyễn Thị Văn Phòng"

    # Another division's head sees none of it, and cannot mark it.
    assert (await world.get("truong.qltm", "/api/v1/me/notifications")).json() == {"items": [], "total": 0, "unread": 0}
    r = await world.post("truong.qltm", f"/api/v1/me/notifications/{item['id']}/read")
    assert r.status_code == 404 and r.json()["error"] == "not_found"

    r = await world.post("truong.qlnl", f"/api/v1/me/notifications/{item['id']}/read")
    assert r.status_code == 200 and r.json()["unread"] == 0 and r.json()["read_at"]
    assert (await world.get("truong.qlnl", "/api/v1/me/notifications?unread=true")).json()["total"] == 0
    assert (await world.get("truong.qlnl", "/api/v1/me/notifications")).json()["items"][0]["read_at"]


async def test_read_all_marks_every_notice_of_the_caller_only(world):
    await assigned(world)
    await world.directive_with_tasks("2151/UBND-KT", [{**TASK, "lead_division": "QLNL"}, {**TASK, "title": "Báo cáo giá", "lead_division": "KHTC"}])
    assert (await world.get("truong.qlnl", "/api/v1/me/notifications")).json()["unread"] == 2
    r = await world.post("truong.qlnl", "/api/v1/me/notifications/read-all")
    assert r.status_code == 200 and r.json() == {"marked": 2, "unread": 0}
    # The office recorded them: it is told nothing of its own changes.
    assert (await world.get("vanphong", "/api/v1/me/notifications")).json()["total"] == 0


async def test_the_header_counts_unread_notices_and_opening_one_reads_it(world, browser):
    task_id = await assigned(world)
    await browser.sign_in("truong.qlnl")
    home = await browser.get("/division")
    assert re.search(r'href="/notifications" class="bell has-unread"[^>]*>Thông báo <span class="count"[^>]*>1</span>', home.text)
    page = await browser.get("/notifications")
    assert page.status_code == 200 and TASK["title"] in page.text and "Nhiệm vụ mới giao đơn vị chủ trì" in page.text
    notice_id = re.search(r'href="/notifications/(\d+)"', page.text)[1]
    opened = await browser.http.get(f"/notifications/{notice_id}")
    assert opened.status_code in (302, 303) and opened.headers["location"] == f"/tasks/{task_id}"
    assert 'class="bell"' in (await browser.get("/division")).text  # no count any more
    await browser.post("/signout")
    await browser.sign_in("truong.qltm")
    assert (await browser.http.get(f"/notifications/{notice_id}")).status_code == 404
