from datetime import date


async def test_office_records_a_directive_with_a_task_and_the_head_sees_it(world):
    d = await world.directive_with_tasks("2150/UBND-KT", [
        {"title": "Rà soát nguồn điện", "lead_division": "QLNL", "support_divisions": ["QLTM"], "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"},
    ])
    task_id = d["tasks"][0]["id"]
    r = await world.get("truong.qlnl", f"/api/v1/tasks/{task_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timeliness"] == "on_track"
    assert body["lead_division"] == "QLNL"
    assert body["support_divisions"] == ["QLTM"]
    assert body["effective_due_on"] == "2026-03-20"
