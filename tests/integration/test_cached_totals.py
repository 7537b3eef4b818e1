"""The list's total and the calendar are kept per process between requests (tasks.queries,
tasks.calendar_days); whatever changes the register or the calendar, the next answer is the one a
fresh count and a fresh calendar would give."""

from __future__ import annotations

from tasks.state import TaskState
from tasks.tables import Division, Task, TaskSupport

TASK = {"title": "Rà soát phương án cung ứng điện mùa khô", "lead_division": "QLNL", "leader_in_charge": "pgd.hai"}
MAY_6 = {"due_from": "2026-05-06", "due_to": "2026-05-06"}


async def _total(world, username: str = "vanphong", **params) -> int:
    r = await world.get(username, "/api/v1/tasks", params={**MAY_6, **params})
    assert r.status_code == 200, r.text
    return r.json()["total"]


async def test_a_task_changed_by_plain_sql_changes_the_next_total(world):
    await world.directive_with_tasks("1/UBND-KT", [{**TASK, "due_on": "2026-05-06"} for _ in range(3)])
    assert await _total(world, state=TaskState.OPEN.value) == 3
    assert await _total(world, state=TaskState.OPEN.value) == 3  # now answered from the kept total
    # Not through the services: the register's version moves with any write to the table.
    await Task.raw("UPDATE task SET state = {} WHERE id = (SELECT MIN(id) FROM task)", TaskState.IN_PROGRESS.value).run()
    assert await _total(world, state=TaskState.OPEN.value) == 2
    assert await _total(world, state=TaskState.IN_PROGRESS.value) == 1


async def test_a_supporting_division_added_by_plain_sql_counts_in_its_total_at_once(world):
    await world.directive_with_tasks("1/UBND-KT", [{**TASK, "due_on": "2026-05-06"} for _ in range(2)])
    assert await _total(world, division="QLTM") == 0
    assert await _total(world, "truong.qltm") == 0
    qltm = (await Division.select(Division.id).where(Division.code == "QLTM").first().run())["id"]
    task_id = (await Task.select(Task.id).order_by(Task.id).first().run())["id"]
    await TaskSupport.insert(TaskSupport(task=task_id, division=qltm)).run()
    assert await _total(world, division="QLTM") == 1
    assert await _total(world, "truong.qltm") == 1


async def test_a_day_off_entered_by_the_admin_moves_the_effective_deadline_on_the_next_request(world):
    created = await world.directive_with_tasks("1/UBND-KT", [{**TASK, "due_on": "2026-04-08"}])
    task_id = created["tasks"][0]["id"]
    # A first entry, so the calendar has a version to be kept under (the tests empty the settings).
    r = await world.post("quantri", "/api/v1/calendar", {"day": "2026-04-15", "kind": "holiday", "name": "Nghỉ bù"})
    assert r.status_code == 201, r.text
    for _ in range(2):  # the second answer comes from the calendar kept
        assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["effective_due_on"] == "2026-04-08"
    r = await world.post("quantri", "/api/v1/calendar", {"day": "2026-04-08", "kind": "holiday", "name": "Nghỉ bù (Quyết định 12/QĐ-UBND)"})
    assert r.status_code == 201, r.text
    assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["effective_due_on"] == "2026-04-09"
