"""The task lifecycle through the API, as the office, a division head and a leader live it."""

from datetime import datetime, timedelta, timezone

from tasks.tables import AuditEvent, Task

TASK = {"title": "Rà soát phương án cung ứng điện mùa khô", "lead_division": "QLNL", "support_divisions": ["QLTM"],
        "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"}
# Friday 20/03/2026, 10:00 in Hà Nội.
FRIDAY_2026_03_20_1000 = datetime(2026, 3, 20, 3, 0, tzinfo=timezone.utc)


async def one_task(world, **overrides) -> int:
    d = await world.directive_with_tasks(overrides.pop("number", "2150/UBND-KT"), [{**TASK, **overrides}])
    return d["tasks"][0]["id"]


async def test_a_task_goes_from_assigned_to_done_on_time_and_its_history_tells_the_story(world, clock):
    task_id = await one_task(world)

    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/progress", {"percent": 40, "note": "Đã họp với Điện lực tỉnh"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["percent"]) == ("in_progress", 40)

    clock.at = FRIDAY_2026_03_20_1000
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Đã trình UBND tỉnh phương án"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["completed_on"]) == ("submitted", "2026-03-20")

    clock.advance(timedelta(days=4))  # the office confirms on Tuesday, after the deadline
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["timeliness"]) == ("done", "done_on_time")

    history = (await world.get("giamdoc", f"/api/v1/tasks/{task_id}/history")).json()
    assert [e["action"] for e in history] == ["create_task", "report_progress", "submit", "confirm"]
    assert [e["actor"] for e in history] == ["vanphong", "truong.qlnl", "truong.qlnl", "vanphong"]
    assert history[1]["before"] == {"state": "open", "percent": 0}
    assert history[1]["after"] == {"state": "in_progress", "percent": 40}
    assert history[3]["before"] == {"state": "submitted"} and history[3]["after"] == {"state": "done"}
    times = [e["at"] for e in history]
    assert times == sorted(times) and times[-1].startswith("2026-03-24")


async def test_illegal_transitions_are_refused_with_409_and_change_nothing(world):
    task_id = await one_task(world)
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    assert r.status_code == 409
    assert "chưa" in r.json()["message"] or r.json()["error"] == "conflict"
    await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong lần nữa"})
    assert r.status_code == 409
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/progress", {"percent": 50, "note": "Thêm"})
    assert r.status_code == 409
    task = (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()
    assert (task["state"], task["percent"]) == ("submitted", 100)


async def test_a_head_cannot_act_on_another_divisions_task_and_the_attempt_is_audited(world):
    task_id = await one_task(world, support_divisions=[])
    r = await world.post("truong.qltm", f"/api/v1/tasks/{task_id}/progress", {"percent": 10, "note": "Thử"})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    refused = await AuditEvent.select().where((AuditEvent.task == task_id) & (AuditEvent.action == "forbidden")).run()
    assert len(refused) == 1 and refused[0]["actor_username"] == "truong.qltm"
    # Nor can they see it: it looks absent rather than forbidden.
    assert (await world.get("truong.qltm", f"/api/v1/tasks/{task_id}")).status_code == 404
    listed = (await world.get("truong.qltm", "/api/v1/tasks")).json()
    assert listed == {"items": [], "total": 0}
    task = (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()
    assert (task["state"], task["percent"]) == ("open", 0)


async def test_a_supporting_division_reports_but_the_task_follows_the_lead(world):
    task_id = await one_task(world)
    r = await world.post("truong.qltm", f"/api/v1/tasks/{task_id}/progress", {"percent": 90, "note": "Đã cung cấp số liệu"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["percent"]) == ("open", 0)
    assert [(p["division"], p["percent"]) for p in body["progress"]] == [("QLTM", 90)]
    r = await world.post("truong.qltm", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})
    assert r.status_code == 403


async def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(world, clock):
    task_id = await one_task(world)
    clock.at = datetime(2026, 3, 19, 2, 0, tzinfo=timezone.utc)  # Thursday, the day before the Friday deadline
    assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["timeliness"] == "due_soon"
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu của EVN"})
    assert r.status_code == 201, r.text
    extension_id = r.json()["id"]
    assert (await world.post("truong.qlnl", f"/api/v1/extensions/{extension_id}/decision", {"approve": True})).status_code == 403
    r = await world.post("pgd.hai", f"/api/v1/extensions/{extension_id}/decision", {"approve": True, "note": "Đồng ý"})
    assert r.status_code == 200, r.text
    task = (await world.get("truong.qlnl", f"/api/v1/tasks/{task_id}")).json()
    assert (task["due_on"], task["original_due_on"], task["deadline_version"]) == ("2026-04-10", "2026-03-20", 2)
    assert task["timeliness"] == "on_track"
    assert task["extensions"][0]["state"] == "approved"
    r = await world.post("pgd.hai", f"/api/v1/extensions/{extension_id}/decision", {"approve": False, "note": "Đổi ý"})
    assert r.status_code == 409


async def test_a_refused_extension_leaves_the_deadline(world, clock):
    task_id = await one_task(world)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Thiếu người"})
    second = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-15", "reason": "Lại"})
    assert second.status_code == 409  # one pending request at a time
    r = await world.post("pgd.hai", f"/api/v1/extensions/{r.json()['id']}/decision", {"approve": False, "note": "Không đồng ý"})
    assert r.status_code == 200
    task = (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()
    assert (task["due_on"], task["deadline_version"]) == ("2026-03-20", 1)


async def test_only_leaders_pause_and_cancel_and_a_paused_task_has_no_timeliness(world):
    task_id = await one_task(world)
    assert (await world.post("vanphong", f"/api/v1/tasks/{task_id}/pause", {"reason": "Chờ chủ trương"})).status_code == 403
    r = await world.post("giamdoc", f"/api/v1/tasks/{task_id}/pause", {"reason": "Chờ chủ trương của Tỉnh ủy"})
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["timeliness"]) == ("paused", None)
    r = await world.post("giamdoc", f"/api/v1/tasks/{task_id}/cancel", {"reason": "Tỉnh ủy không tiếp tục"})
    assert (r.status_code, r.json()["state"]) == (200, "cancelled")
    assert (await world.post("giamdoc", f"/api/v1/tasks/{task_id}/resume", {"reason": "Thử"})).status_code == 409


async def test_completion_on_the_effective_due_date_after_a_saturday_deadline_is_on_time(world, clock):
    task_id = await one_task(world, due_on="2026-03-21")  # a Saturday: effectively Monday 23/03
    assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["effective_due_on"] == "2026-03-23"
    clock.at = datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)  # Monday 16:00 in Hà Nội
    await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Hoàn thành"})
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/confirm")
    assert r.json()["timeliness"] == "done_on_time"


async def test_a_deadline_in_working_days_counts_from_the_day_the_directive_was_received(world):
    d = await world.directive_with_tasks("17/TB-UBND", [{**TASK, "due_on": None, "due_in_working_days": 10}], received_on="2026-02-10", issued_on="2026-02-09")
    task = (await world.get("vanphong", f"/api/v1/tasks/{d['tasks'][0]['id']}")).json()
    # 11, 12, 13/02; Tết 16–20/02 off; 23–27/02; 02, 03/03 → the 10th working day is 03/03/2026.
    assert task["due_on"] == "2026-03-03"


async def test_the_task_list_filters_by_timeliness_with_a_true_total(world, clock):
    due = {"overdue": "2026-03-02", "due_soon": "2026-03-05", "on_track": "2026-04-30", "no_deadline": None}
    tasks = [{**TASK, "title": f"Nhiệm vụ {name}", "due_on": day} for name, day in due.items() for _ in range(2)]
    await world.directive_with_tasks("45/TB-UBND", tasks)
    for code in due:
        r = await world.get("giamdoc", "/api/v1/tasks", params={"timeliness": code})
        body = r.json()
        assert body["total"] == 2, (code, body)
        assert {t["timeliness"] for t in body["items"]} == {code}
    page = (await world.get("giamdoc", "/api/v1/tasks", params={"timeliness": "overdue,due_soon", "limit": 3, "offset": 2})).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    by_division = (await world.get("truong.qltm", "/api/v1/tasks", params={"division": "QLTM"})).json()
    assert by_division["total"] == 8  # QLTM supports every one of them


async def test_signing_in_needs_the_right_password_and_every_call_needs_a_token(client, world):
    r = await client.post("/api/v1/auth/token", json={"username": "vanphong", "password": "sai-mat-khau"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated" and r.json()["message"]
    assert (await client.get("/api/v1/tasks")).status_code == 401
    assert (await client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})).status_code == 401


async def test_an_admin_swapped_working_saturday_changes_the_effective_due_date(world):
    task_id = await one_task(world, due_on="2026-03-14")  # Saturday
    assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["effective_due_on"] == "2026-03-16"
    r = await world.post("truong.qlnl", "/api/v1/calendar", {"day": "2026-03-14", "kind": "working", "name": "Làm bù"})
    assert r.status_code == 403
    r = await world.post("quantri", "/api/v1/calendar", {"day": "2026-03-14", "kind": "working", "name": "Làm bù cho ngày 30/4"})
    assert r.status_code == 201, r.text
    assert (await world.get("vanphong", f"/api/v1/tasks/{task_id}")).json()["effective_due_on"] == "2026-03-14"
    days = (await world.get("vanphong", "/api/v1/calendar", params={"year": 2026})).json()
    assert [(d["day"], d["kind"]) for d in days] == [("2026-03-14", "working")]


async def test_an_office_correction_of_the_deadline_bumps_its_version(world):
    task_id = await one_task(world)
    r = await world.patch("vanphong", f"/api/v1/tasks/{task_id}", {"reason": "Nhập nhầm hạn", "due_on": "2026-03-27"})
    assert r.status_code == 200, r.text
    assert (r.json()["due_on"], r.json()["original_due_on"], r.json()["deadline_version"]) == ("2026-03-27", "2026-03-20", 2)
    assert (await world.patch("truong.qlnl", f"/api/v1/tasks/{task_id}", {"reason": "Tự sửa", "due_on": "2026-05-01"})).status_code == 403


async def test_reassigning_the_lead_division_moves_the_task_to_its_head(world):
    task_id = await one_task(world, support_divisions=[])
    r = await world.post("vanphong", f"/api/v1/tasks/{task_id}/assign", {"lead_division": "QLTM", "support_divisions": ["QLNL"], "leader_in_charge": "giamdoc"})
    assert r.status_code == 200, r.text
    assert (r.json()["lead_division"], r.json()["support_divisions"], r.json()["leader_in_charge"]) == ("QLTM", ["QLNL"], "giamdoc")
    assert (await world.post("truong.qltm", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})).status_code == 200
    assert (await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"})).status_code == 403


async def test_every_mutation_leaves_exactly_one_audit_event_with_actor_time_before_and_after(world, clock):
    task_id = await one_task(world)
    steps = [
        ("truong.qlnl", f"/api/v1/tasks/{task_id}/progress", {"percent": 30, "note": "Bắt đầu"}),
        ("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-03", "reason": "Chờ EVN"}),
        ("pgd.hai", "/api/v1/extensions/{ext}/decision", {"approve": True, "note": "Đồng ý"}),
        ("giamdoc", f"/api/v1/tasks/{task_id}/pause", {"reason": "Tạm dừng"}),
        ("giamdoc", f"/api/v1/tasks/{task_id}/resume", {"reason": "Tiếp tục"}),
        ("vanphong", f"/api/v1/tasks/{task_id}/assign", {"lead_division": "QLNL", "support_divisions": [], "leader_in_charge": "pgd.hai"}),
        ("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Xong"}),
        ("vanphong", f"/api/v1/tasks/{task_id}/return", {"reason": "Thiếu báo cáo"}),
        ("truong.qlnl", f"/api/v1/tasks/{task_id}/submit", {"note": "Đã bổ sung"}),
        ("vanphong", f"/api/v1/tasks/{task_id}/confirm", None),
    ]
    ext = None
    for username, url, body in steps:
        clock.advance(timedelta(minutes=7))
        before = await AuditEvent.count().run()
        r = await world.post(username, url.format(ext=ext), body)
        assert r.status_code in (200, 201), (url, r.text)
        ext = ext or (r.json()["id"] if "extensions" in url else None)
        events = await AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(1).run()
        assert await AuditEvent.count().run() == before + 1, url
        assert events[0]["actor_username"] == username
        assert events[0]["at"] == clock.now()
        assert events[0]["after"] is not None
    assert (await Task.select(Task.state).where(Task.id == task_id).first().run())["state"] == "done"
    history = (await world.get("vanphong", f"/api/v1/tasks/{task_id}/history")).json()
    assert len(history) == 1 + len(steps)
    assert [e["id"] for e in history] == sorted(e["id"] for e in history)


async def test_the_directive_register_answers_a_head_as_the_pages_do(world):
    d = await world.directive_with_tasks("311/UBND-KT", [TASK])
    assert (await world.get("vanphong", f"/api/v1/directives/{d['id']}")).status_code == 200
    assert (await world.get("giamdoc", f"/api/v1/directives/{d['id']}")).status_code == 200
    r = await world.get("truong.qlnl", f"/api/v1/directives/{d['id']}")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
