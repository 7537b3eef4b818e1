"""The list's totals are counted once per version of the task data, and every write, through the
services or straight into the table, makes the next total count again: a total is never stale."""

from __future__ import annotations

from tasks.tables import Task, TaskSupport
from tasks.totals import TotalsCache, data_version

TASK = {"title": "Kiểm tra cửa hàng xăng dầu", "lead_division": "QLNL", "support_divisions": ["QLTM"],
        "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"}


async def total(world, **params) -> int:
    r = await world.get("vanphong", "/api/v1/tasks", params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return r.json()["total"]


async def test_every_write_to_the_tasks_moves_the_version_in_its_own_transaction(world):
    before = await data_version()
    d = await world.directive_with_tasks("12/UBND-KT", [TASK, TASK | {"title": "Rà soát giá điện"}])
    after_create = await data_version()
    assert after_create > before
    await world.post("truong.qlnl", f"/api/v1/tasks/{d['tasks'][0]['id']}/progress", {"percent": 20, "note": "Bắt đầu"})
    assert await data_version() > after_create
    # A refused change writes no task row: the version stays.
    still = await data_version()
    assert (await world.post("truong.qltm", f"/api/v1/tasks/{d['tasks'][0]['id']}/submit", {"note": "Xong"})).status_code == 403
    assert await data_version() == still


async def test_a_total_follows_every_change_even_one_made_behind_the_apps_back(world):
    d = await world.directive_with_tasks("13/UBND-KT", [TASK, TASK | {"title": "Rà soát giá điện"}, TASK | {"due_on": None}])
    ids = [t["id"] for t in d["tasks"]]
    assert await total(world, timeliness="due_soon,on_track") == 2
    assert await total(world, timeliness="due_soon,on_track") == 2  # the same version: counted once
    await world.post("truong.qlnl", f"/api/v1/tasks/{ids[0]}/submit", {"note": "Xong"})
    assert await total(world, state="open") == 2
    assert await total(world, division="QLTM") == 3
    await Task.update({Task.state: "in_progress"}).where(Task.id == ids[1]).run()  # straight into the table
    assert await total(world, state="open") == 1
    await TaskSupport.delete().where(TaskSupport.task == ids[2]).run()
    assert await total(world, division="QLTM") == 2


async def test_the_cache_counts_again_for_a_new_version_and_forgets_the_oldest(db):
    cache = TotalsCache(max_entries=2)
    calls = []

    async def count() -> int:
        calls.append(1)
        return len(calls)

    assert await cache.total("a", count) == 1
    assert await cache.total("a", count) == 1
    assert await cache.total("b", count) == 2
    assert await cache.total("c", count) == 3
    assert await cache.total("a", count) == 4  # "a" was the oldest of three: forgotten
