"""The permission matrix, on both engines: for every role and every resource or action, the JSON
API (bearer token) and the pages (session, forms with their CSRF token) give the same answer,
and that answer is the one tasks/ gives (tasks.authority for a task, tasks.permissions for the
rest). An allowed request succeeds (2xx, or a page's 303 back); a refused one answers 403, or
404 for a task or page the viewer may not see. Anything else fails the test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

import httpx
import pytest

from tasks import accounts
from tasks.authority import TaskFacts, available, director_id, may
from tasks.lifecycle import load_task
from tasks.permissions import Actor, can_view_task, rights
from tasks.state import Action, allows
from tests.integration.conftest import PASSWORD
from tests.integration.test_pages import TASK, Browser
from tests.integration.test_report_pages import ROWS, ladder_form, workbook

# Each role of DESIGN §2, by its relation to the tasks below (lead QLNL, support QLTM, leader in
# charge pgd.hai, director giamdoc): the user who holds it.
ROLES = {
    "office": "vanphong",
    "head of the lead division": "truong.qlnl",
    "head of a supporting division": "truong.qltm",
    "head of an unrelated division": "truong.khtc",
    "leader in charge": "pgd.hai",
    "other leader": "pgd.lan",
    "director": "giamdoc",
    "admin": "quantri",
}
EXTRA_USERS = [("truong.khtc", "Vũ Thị Tài", "head", "KHTC"), ("pgd.lan", "Đỗ Thị Lan", "leader", None)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The task actions, each with the state its task is put in first (through the API, by whoever may).
TASK_ACTIONS = {
    Action.REPORT_PROGRESS: "open", Action.SUBMIT: "open", Action.REQUEST_EXTENSION: "open", Action.CONFIRM: "submitted",
    Action.RETURN: "submitted", Action.PAUSE: "open", Action.CANCEL: "open", Action.RESUME: "paused",
    Action.DECIDE_EXTENSION: "extension asked", Action.STAR: "open", Action.REOPEN: "done", Action.CORRECT: "open",
}
CHANNELS = ("api", "page")


def verdict(response: httpx.Response) -> bool:
    """True for allowed, False for refused; any other answer is a test failure."""
    if response.status_code in (200, 201, 303):
        return True
    if response.status_code in (403, 404):
        return False
    raise AssertionError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:300]}")


@dataclass
class Case:
    """One row of the matrix: what the rule says, and one request per channel (None: that channel
    has no such request, e.g. the API has no page for "my division")."""

    name: str
    expected: bool
    api: Callable[[], Awaitable[httpx.Response]] | None
    page: Callable[[], Awaitable[httpx.Response]] | None


async def _add_users(world) -> None:
    for username, full_name, role, division in EXTRA_USERS:
        r = await world.post("quantri", "/api/v1/users", {"username": username, "full_name": full_name, "role": role,
                                                         "email": f"{username}@sct.example.vn", "division": division, "password": PASSWORD})
        assert r.status_code == 201, r.text
        world.user_ids[username] = r.json()["id"]


async def _tasks_in_state(world) -> dict[tuple[str, Action], dict]:
    """One task per channel and action, put in the state the action starts from."""
    keys = [(channel, action) for channel in CHANNELS for action in TASK_ACTIONS] + [("read", None)]
    d = await world.directive_with_tasks("77/KL-UBND", [{**TASK, "title": f"Nhiệm vụ {i + 1}"} for i in range(len(keys))])
    made = {}
    for key, task in zip(keys, d["tasks"]):
        entry = {"id": task["id"], "directive": d["id"]}
        wanted = TASK_ACTIONS.get(key[1]) if key[1] else "open"
        if wanted in ("submitted", "done"):
            r = await world.post("truong.qlnl", f"/api/v1/tasks/{task['id']}/submit", {"note": "Đã xong"})
            if wanted == "done":
                assert r.status_code == 200, r.text
                r = await world.post("vanphong", f"/api/v1/tasks/{task['id']}/confirm")
        elif wanted == "paused":
            r = await world.post("giamdoc", f"/api/v1/tasks/{task['id']}/pause", {"reason": "Chờ chủ trương mới"})
        elif wanted == "extension asked":
            r = await world.post("truong.qlnl", f"/api/v1/tasks/{task['id']}/extensions",
                                 {"requested_due_on": "2026-03-31", "reason": "Chờ số liệu của EVN"})
            entry["extension"] = r.json()["id"]
        else:
            r = None
        assert r is None or r.status_code in (200, 201), r.text
        made[key] = entry
    return made


async def _task_rule(actor: Actor, task_id: int, action: Action) -> bool:
    row, supports = await load_task(task_id)
    facts = TaskFacts.of(row, supports, await director_id())
    if action is Action.DECIDE_EXTENSION:
        return may(actor, action, facts) and allows(action, facts.state)
    return action in available(actor, facts)


def _task_requests(world, browser: Browser, username: str, action: Action, api_task: dict, page_task: dict):
    """The API request and the page form for one task action."""
    reason = {"reason": "Theo chỉ đạo của lãnh đạo Sở"}
    bodies = {
        Action.REPORT_PROGRESS: ("progress", {"percent": 40, "note": "Đã rà soát 3 huyện"}, {"percent": "40", "note": "Đã rà soát 3 huyện"}),
        Action.SUBMIT: ("submit", {"note": "Đã hoàn thành"}, {"note": "Đã hoàn thành"}),
        Action.REQUEST_EXTENSION: ("extensions", {"requested_due_on": "2026-03-31", "reason": "Chờ số liệu"},
                                   {"requested_due_on": "31/03/2026", "reason": "Chờ số liệu"}),
        Action.CONFIRM: ("confirm", None, {}),
        Action.RETURN: ("return", reason, reason),
        Action.PAUSE: ("pause", reason, reason),
        Action.CANCEL: ("cancel", reason, reason),
        Action.RESUME: ("resume", reason, reason),
        Action.STAR: ("star", {"starred": True}, {"starred": "1"}),
        Action.REOPEN: ("reopen", reason, reason),
    }
    if action is Action.CORRECT:
        edit = {"title": "Rà soát lại phương án", "due_on": "20/03/2026", "lead_division": "QLNL", "support_divisions": "QLTM",
                "leader_in_charge": "pgd.hai", "assignee": "", "description": "", **reason}
        return (lambda: world.patch(username, f"/api/v1/tasks/{api_task['id']}", {**reason, "title": "Rà soát lại phương án"}),
                lambda: browser.post(f"/tasks/{page_task['id']}/edit", edit))
    if action is Action.DECIDE_EXTENSION:
        return (lambda: world.post(username, f"/api/v1/extensions/{api_task['extension']}/decision", {"approve": True, "note": "Đồng ý"}),
                lambda: browser.post(f"/extensions/{page_task['extension']}/decision", {"approve": "1", "note": "Đồng ý"}))
    path, api_body, form = bodies[action]
    return (lambda: world.post(username, f"/api/v1/tasks/{api_task['id']}/{path}", api_body),
            lambda: browser.post(f"/tasks/{page_task['id']}/{path}", form))


def _cases(world, browser: Browser, username: str, actor: Actor, tasks: dict, expected_task: dict[Action, bool],
           ladder: dict, readable: bool) -> list[Case]:
    r = rights(actor)
    read = tasks[("read", None)]
    n = world.user_ids[username]  # keeps what each role creates apart
    api_ladder = {k: v for k, v in ladder.items() if k != "effective_director"}
    page_ladder = ladder_form(ladder["rules"], director=ladder["director"] or "",
                              start=ladder["working_hours"]["start"], end=ladder["working_hours"]["end"],
                              catch_up_days=str(ladder["catch_up_days"]))
    new_task = {"title": "Báo cáo nhanh", "lead_division": "QLTM", "due_on": "2026-03-27"}

    def directive_form(number: str) -> dict:
        return {"number": number, "issuer": "UBND tỉnh", "kind": "document", "issued_on": "25/02/2026", "rows": "1",
                "tasks.0.title": "Báo cáo nhanh", "tasks.0.lead_division": "QLTM", "tasks.0.due_on": "27/03/2026"}

    def upload(content: bytes):
        return browser.http.post("/import", data={"_csrf_token": browser.token}, files={"file": ("nv.xlsx", content, XLSX)})

    def user_body(suffix: str) -> dict:
        return {"username": f"cv{n}{suffix}", "full_name": "Chuyên viên", "email": f"cv{n}{suffix}@sct.example.vn", "role": "head",
                "division": "QLTM", "password": PASSWORD}

    cases = [
        Case("read the task", readable, lambda: world.get(username, f"/api/v1/tasks/{read['id']}"), lambda: browser.get(f"/tasks/{read['id']}")),
        Case("read the task's history", readable, lambda: world.get(username, f"/api/v1/tasks/{read['id']}/history"), None),
        Case("read the directive", r.read_register, lambda: world.get(username, f"/api/v1/directives/{read['directive']}"),
             lambda: browser.get(f"/directives/{read['directive']}")),
        Case("list the directives", r.read_register, lambda: world.get(username, "/api/v1/directives"), lambda: browser.get("/directives")),
        Case("record a directive", r.record_directive,
             lambda: world.post(username, "/api/v1/directives", {"number": f"{n}01/UBND-KT", "issuer": "UBND tỉnh", "issued_on": "2026-02-25",
                                                                 "tasks": [new_task]}),
             lambda: browser.post("/directives", directive_form(f"{n}02/UBND-KT"))),
        Case("create a task", r.record_directive,
             lambda: world.post(username, "/api/v1/tasks", {**new_task, "directive": read["directive"]}), None),
        Case("open the directive form", r.record_directive, None, lambda: browser.get("/directives/new")),
        Case("correct the directive", r.record_directive,
             lambda: world.patch(username, f"/api/v1/directives/{read['directive']}", {"reason": "Đính chính", "signer": f"Người ký {n}a"}),
             lambda: browser.post(f"/directives/{read['directive']}/edit", {
                 "number": "77/KL-UBND", "issuer": "UBND tỉnh", "signer": f"Người ký {n}p", "kind": "document", "issued_on": "25/02/2026",
                 "received_on": "26/02/2026", "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026", "reason": "Đính chính"})),
        Case("open the directive's edit form", r.record_directive, None, lambda: browser.get(f"/directives/{read['directive']}/edit")),
        Case("add tasks to the directive", r.record_directive, None, lambda: browser.post(f"/directives/{read['directive']}/tasks", {
            "rows": "1", "tasks.0.title": "Báo cáo bổ sung", "tasks.0.lead_division": "QLTM", "tasks.0.due_on": "27/03/2026"})),
        Case("import a workbook (preview)", r.import_tasks,
             lambda: world.client.post("/api/v1/import/xlsx?dry_run=true", headers=world.auth(username),
                                       files={"file": ("nv.xlsx", workbook(ROWS), XLSX)}),
             lambda: upload(workbook(ROWS))),
        Case("open the import page", r.import_tasks, None, lambda: browser.get("/import")),
        Case("read the reports", r.read_reports, lambda: world.get(username, "/api/v1/reports/completion"), lambda: browser.get("/reports")),
        Case("read the escalation settings", r.admin, lambda: world.get(username, "/api/v1/settings/escalation"),
             lambda: browser.get("/admin/escalation")),
        Case("change the escalation settings", r.admin,
             lambda: world.client.put("/api/v1/settings/escalation", json=api_ladder, headers=world.auth(username)),
             lambda: browser.post("/admin/escalation", page_ladder)),
        Case("add a user", r.admin, lambda: world.post(username, "/api/v1/users", user_body("a")), lambda: browser.post("/admin/users", user_body("p"))),
        Case("open the users page", r.admin, None, lambda: browser.get("/admin/users")),
        Case("add a division", r.admin, lambda: world.post(username, "/api/v1/divisions", {"code": f"A{n}", "name": f"Phòng A{n}"}),
             lambda: browser.post("/admin/divisions", {"code": f"P{n}", "name": f"Phòng P{n}", "email": ""})),
        Case("open the divisions page", r.admin, None, lambda: browser.get("/admin/divisions")),
        Case("add a swapped working day", r.admin,
             lambda: world.post(username, "/api/v1/calendar", {"day": "2026-05-09", "kind": "working", "name": "Làm bù"}),
             lambda: browser.post("/admin/calendar", {"day": "16/05/2026", "kind": "working", "name": "Làm bù"})),
        Case("open the calendar page", r.admin, None, lambda: browser.get("/admin/calendar")),
        Case("change the report header", r.admin,
             lambda: world.client.put("/api/v1/reports/header", json={"place": "Quảng Trị"}, headers=world.auth(username)), None),
        Case("open the office's queue", r.confirm_submissions, None, lambda: browser.get("/office")),
        Case("open my division", r.division_home, None, lambda: browser.get("/division")),
        Case("open the leader's overview", r.leader_overview, None, lambda: browser.get("/leader")),
    ]
    for action in TASK_ACTIONS:
        api, page = _task_requests(world, browser, username, action, tasks[("api", action)], tasks[("page", action)])
        cases.append(Case(f"task: {action.value}", expected_task[action], api, page))
    return cases


@pytest.mark.parametrize("role", list(ROLES))
async def test_the_api_and_the_pages_give_every_role_the_answer_tasks_gives(world, app, role):
    username = ROLES[role]
    await _add_users(world)
    tasks = await _tasks_in_state(world)
    ladder = (await world.get("quantri", "/api/v1/settings/escalation")).json()
    actor = await accounts.authenticate(username, PASSWORD)
    read = tasks[("read", None)]
    row, supports = await load_task(read["id"])
    readable = can_view_task(actor, row["lead_division"], supports)
    # What tasks.authority says of each action on its task, before any request changes a task.
    expected_task = {a: await _task_rule(actor, tasks[("api", a)]["id"], a) for a in TASK_ACTIONS}
    assert expected_task == {a: await _task_rule(actor, tasks[("page", a)]["id"], a) for a in TASK_ACTIONS}

    browser = Browser(app)
    try:
        assert (await browser.sign_in(username)).status_code == 303
        menu = (await browser.get("/tasks")).text  # also takes the form token, as a browser would
        mismatches = []
        for case in _cases(world, browser, username, actor, tasks, expected_task, ladder, readable):
            answers, statuses = {}, {}
            for channel, request in (("api", case.api), ("page", case.page)):
                if request is not None:
                    response = await request()
                    answers[channel], statuses[channel] = verdict(response), response.status_code
            if any(answer != case.expected for answer in answers.values()):
                mismatches.append(f"{case.name}: tasks/ says {case.expected}, got {answers}")
            elif not case.expected and len(set(statuses.values())) > 1:
                # A refusal reads the same on both: 404 where the task is hidden, else 403.
                mismatches.append(f"{case.name}: refused with {statuses}")
        assert not mismatches, f"{role} ({username}):\n  " + "\n  ".join(mismatches)

        # The menu offers exactly the pages the role may open.
        r = rights(actor)
        offered = {href: f'href="{href}"' in menu for href in ("/office", "/division", "/leader", "/directives", "/directives/new", "/import",
                                                                 "/admin/users", "/admin/escalation")}
        assert offered == {"/office": r.confirm_submissions, "/division": r.division_home, "/leader": r.leader_overview,
                           "/directives": r.read_register, "/directives/new": r.record_directive, "/import": r.import_tasks,
                           "/admin/users": r.admin, "/admin/escalation": r.admin}
    finally:
        await browser.close()
