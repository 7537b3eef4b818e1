"""Inputs are never cut silently (issue 12): every write operation of the OpenAPI document and every
page form, sent each of its text fields once with a control character and once one character over
its limit (tasks.text.LIMITS; a text without a limit: 100,001 characters), answers a 4xx with a
message in the caller's language and writes nothing (row counts, the audit log among them,
unchanged). A text with a limit is refused with 422 naming the field and the limit; a page form
comes back with the error and what was typed. Then the same body without the bad value is
accepted, so each refusal was the bad value's. Both engines."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from tasks import email_links
from tasks.state import TaskState
from tasks.tables import AuditEvent, User
from tasks.text import LIMITS, TITLE, limit_of
from tests.integration.conftest import PASSWORD
from tests.integration.test_bad_input import Probe, row_counts
from tests.integration.test_pages import Browser

API = "/api/v1"
CONTROL = "\x01"
UNLIMITED = 100_001
# Not stored, only hashed (or compared): a control character in a password is a wrong password.
NOT_TEXT = {"password"}


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(doc: dict, schema: dict, prefix: str = "") -> dict[str, dict]:
    """Every string field of a request body's schema, by path (tasks.0.title, recipients.0), with its schema."""
    schema = _resolve(doc, schema)
    found: dict[str, dict] = {}
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        found.update(string_fields(doc, option, prefix))
    if schema.get("type") == "string" or (isinstance(schema.get("type"), list) and "string" in schema["type"]):
        found[prefix.rstrip(".")] = schema
    if schema.get("type") == "array" and "items" in schema:
        found.update(string_fields(doc, schema["items"], prefix + "0."))
    for name, sub in schema.get("properties", {}).items():
        found.update(string_fields(doc, sub, prefix + name + "."))
    return found


def get_path(body: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(body, list):
            body = body[int(part)] if int(part) < len(body) else None
        else:
            body = body.get(part) if isinstance(body, dict) else None
        if body is None:
            return None
    return body


def with_value(body: Any, path: str, value: str) -> Any:
    head, _, rest = path.partition(".")
    if isinstance(body, list):
        copy = list(body)
        copy[int(head)] = with_value(copy[int(head)], rest, value) if rest else value
        return copy
    return {**body, head: with_value(body[head], rest, value) if rest else value}


def too_long(path: str, schema: dict) -> str:
    limit = schema.get("maxLength")
    return "x" * ((limit or UNLIMITED) + 1 if limit else UNLIMITED)


@pytest.fixture
async def register(world) -> dict[str, int]:
    """One task for each operation that changes a task, in the state it needs."""
    names = ["assign", "cancel", "patch", "pause", "progress", "extension", "resume", "return", "submit", "decide", "page", "reopen"]
    d = await world.directive_with_tasks("600/UBND-KT", [{"title": f"Việc {n}", "lead_division": "QLNL", "due_on": "2026-03-20",
                                                          "leader_in_charge": "giamdoc"} for n in names])
    ids = {"directive": d["id"], **{n: t["id"] for n, t in zip(names, d["tasks"])}}
    for n in ("submit", "return"):
        r = await world.post("truong.qlnl", f"{API}/tasks/{ids[n]}/progress", {"percent": 50, "note": "Đang làm"})
        assert r.status_code == 200, r.text
    r = await world.post("truong.qlnl", f"{API}/tasks/{ids['return']}/submit", {"note": "Xong"})
    assert r.status_code == 200, r.text
    r = await world.post("truong.qlnl", f"{API}/tasks/{ids['reopen']}/submit", {"note": "Xong"})
    assert r.status_code == 200, r.text
    r = await world.post("vanphong", f"{API}/tasks/{ids['reopen']}/confirm")
    assert r.status_code == 200, r.text
    r = await world.post("giamdoc", f"{API}/tasks/{ids['resume']}/pause", {"reason": "Chờ ý kiến"})
    assert r.status_code == 200, r.text
    r = await world.post("truong.qlnl", f"{API}/tasks/{ids['decide']}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    assert r.status_code == 201, r.text
    ids["extension_id"] = r.json()["id"]
    return ids


def api_cases(ids: dict[str, int], ladder: dict) -> dict[tuple[str, str], tuple[str | None, dict]]:
    """(method, path template) → (user, a body the operation accepts, with every text field given)."""
    return {
        ("POST", "/auth/token"): (None, {"username": "vanphong", "password": PASSWORD}),
        ("POST", "/divisions"): ("quantri", {"code": "MOI", "name": "Phòng mới", "email": "moi@sct.example.vn"}),
        ("POST", "/users"): ("quantri", {"username": "moi", "full_name": "Người mới", "email": "moi@sct.example.vn", "role": "office",
                                         "division": "VP", "password": "mat-khau-rat-dai-1", "locale": "vi"}),
        ("POST", "/directives"): ("vanphong", {"number": "601/UBND-KT", "issuer": "UBND tỉnh", "signer": "Chủ tịch", "kind": "document",
                                               "issued_on": "2026-02-25", "received_on": "2026-02-26", "summary": "Về việc",
                                               "tasks": [{"title": "Việc mới", "lead_division": "QLNL", "description": "Mô tả",
                                                          "support_divisions": ["QLTM"], "leader_in_charge": "giamdoc",
                                                          "assignee": "truong.qlnl", "due_on": "2026-03-20"}]}),
        ("POST", "/tasks"): ("vanphong", {"directive": ids["directive"], "title": "Việc thêm", "lead_division": "QLNL", "description": "Mô tả",
                                          "support_divisions": ["QLTM"], "leader_in_charge": "giamdoc", "assignee": "truong.qlnl",
                                          "due_on": "2026-03-20"}),
        ("POST", "/tasks/{task_id}/assign"): ("vanphong", {"lead_division": "QLTM", "support_divisions": ["KHTC"],
                                                           "leader_in_charge": "giamdoc", "assignee": "truong.qltm", "reason": "Giao lại"}),
        ("POST", "/tasks/{task_id}/reopen"): ("vanphong", {"reason": "Xác nhận nhầm", "expected_state": TaskState.DONE.value}),
        ("PATCH", "/directives/{directive_id}"): ("vanphong", {"reason": "Đính chính", "number": "699/UBND-KT", "issuer": "UBND tỉnh",
                                                               "signer": "Phó Chủ tịch", "kind": "document", "summary": "Về việc khác"}),
        ("POST", "/tasks/{task_id}/cancel"): ("giamdoc", {"reason": "Không còn cần", "expected_state": TaskState.OPEN.value}),
        ("PATCH", "/tasks/{task_id}"): ("vanphong", {"reason": "Sửa lỗi nhập", "title": "Tên đúng", "description": "Mô tả đúng",
                                                     "due_on": "2026-03-25"}),
        ("POST", "/tasks/{task_id}/pause"): ("giamdoc", {"reason": "Chờ", "expected_state": TaskState.OPEN.value}),
        ("POST", "/tasks/{task_id}/progress"): ("truong.qlnl", {"percent": 10, "note": "Đã bắt đầu", "expected_state": TaskState.OPEN.value}),
        ("POST", "/tasks/{task_id}/extensions"): ("truong.qlnl", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"}),
        ("POST", "/tasks/{task_id}/resume"): ("giamdoc", {"reason": "Tiếp tục", "expected_state": TaskState.PAUSED.value}),
        ("POST", "/tasks/{task_id}/return"): ("vanphong", {"reason": "Thiếu biên bản", "expected_state": TaskState.SUBMITTED.value}),
        ("POST", "/tasks/{task_id}/submit"): ("truong.qlnl", {"note": "Đã xong", "expected_state": TaskState.IN_PROGRESS.value}),
        ("POST", "/tasks/{task_id}/star"): ("giamdoc", {"starred": True}),
        ("POST", "/tasks/{task_id}/confirm"): ("vanphong", None),
        ("POST", "/extensions/{extension_id}/decision"): ("giamdoc", {"approve": False, "note": "Không đủ lý do"}),
        ("POST", "/calendar"): ("quantri", {"day": "2026-05-04", "kind": "holiday", "name": "Nghỉ bù"}),
        ("PUT", "/settings/escalation"): ("quantri", {**ladder, "director": "giamdoc"}),
        ("POST", "/me/notifications/{notice_id}/read"): ("truong.qlnl", None),
        ("POST", "/me/notifications/read-all"): ("truong.qlnl", None),
        ("PUT", "/reports/header"): ("quantri", {"agency_parent": "UBND TỈNH", "agency": "SỞ CÔNG THƯƠNG", "place": "Quảng Trị",
                                                  "signer_title": "GIÁM ĐỐC", "signer_on_behalf": "KT. GIÁM ĐỐC",
                                                  "signer_name": "Trần Quốc Hưng", "recipients": ["Như trên;", "Lưu: VT."]}),
        ("POST", "/import/xlsx"): ("vanphong", None),  # a file: its cells are walked in test_the_import_refuses…
        ("POST", "/webhooks"): ("quantri", {"division": "QLNL", "url": "https://hook.example/dondoc", "secret": "bi-mat-cua-webhook-1"}),
        ("POST", "/divisions/{code}/feed-token"): ("quantri", None),
    }


def concrete(path: str, ids: dict[str, int]) -> str:
    task = {"/tasks/{task_id}/assign": "assign", "/tasks/{task_id}/cancel": "cancel", "/tasks/{task_id}": "patch",
            "/tasks/{task_id}/pause": "pause", "/tasks/{task_id}/progress": "progress", "/tasks/{task_id}/extensions": "extension",
            "/tasks/{task_id}/resume": "resume", "/tasks/{task_id}/return": "return", "/tasks/{task_id}/submit": "submit",
            "/tasks/{task_id}/star": "page", "/tasks/{task_id}/confirm": "return", "/tasks/{task_id}/reopen": "reopen"}.get(path)
    if task:
        return path.replace("{task_id}", str(ids[task]))
    return path.replace("{directive_id}", str(ids["directive"])).replace("{extension_id}", str(ids["extension_id"])).replace("{notice_id}", "1").replace("{code}", "QLNL")


async def test_every_write_operation_refuses_a_control_character_and_an_over_long_text_in_each_field_and_writes_nothing(world, app, register):
    doc = (await world.client.get("/schema/openapi.json")).json()
    ladder = (await world.get("quantri", f"{API}/settings/escalation")).json()
    ladder.pop("effective_director")
    ladder["rules"][0]["cc"] = ["office"]
    cases = api_cases(register, ladder)
    operations = [(m.upper(), p.removeprefix(API), op) for p, item in doc["paths"].items() if p.startswith(API)
                  for m, op in item.items() if m in ("post", "put", "patch")]
    assert {(m, p) for m, p, _ in operations} <= set(cases), "a write operation this test does not walk"
    probe, walked, refused_at_limit = Probe(world), 0, []
    for method, path, op in operations:
        user, body = cases[(method, path)]
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        fields = {f: s for f, s in string_fields(doc, content["application/json"]["schema"]).items() if f.split(".")[-1] not in NOT_TEXT}
        missing = [f for f, schema in fields.items() if get_path(body, f) is None and schema.get("format") != "date"
                   and (path, f) != ("/webhooks", "user")]  # a webhook is the division's or a user's
        assert not missing, f"{method} {path}: the test's body leaves out {missing}"
        url = concrete(path, register)
        for field, schema in fields.items():
            if get_path(body, field) is None:
                continue
            walked += 1
            await probe.send(f"{method} {path}", f"{field}: control character", method, url, user=user,
                             body=with_value(body, field, str(get_path(body, field)) + CONTROL))
            if schema.get("maxLength"):
                before = await row_counts()
                r = await world.client.request(method, API + url, json=with_value(body, field, too_long(field, schema)),
                                               headers=world.auth(user) if user else {})
                ok = (r.status_code == 422 and field in r.json()["fields"] and str(schema["maxLength"]) in r.json()["message"]
                      and await row_counts() == before)
                refused_at_limit.append(None if ok else f"{method} {path} [{field}: over-long]: {r.status_code} {r.text[:200]}")
                probe.counts = None  # the probe's own count of rows is no longer the last word
            else:
                await probe.send(f"{method} {path}", f"{field}: {UNLIMITED} characters", method, url, user=user,
                                 body=with_value(body, field, too_long(field, schema)))
        if fields:  # the same body, every value as it was: accepted, so each refusal above was the bad value's
            r = await world.client.request(method, API + url, json=body, headers=world.auth(user) if user else {})
            probe.counts = None
            if r.status_code not in (200, 201):
                refused_at_limit.append(f"{method} {path}: the good body is refused: {r.status_code} {r.text[:300]}")
    assert [f for f in refused_at_limit if f] == []
    probe.verdict()
    assert walked > 60


async def test_the_api_takes_a_title_of_1000_characters_and_a_description_of_20000_whole(world):
    d = await world.directive_with_tasks("602/UBND-KT", [{"title": "Tết " * 250, "lead_division": "QLNL", "description": "ạ" * 20_000}],
                                         summary="s" * 20_000)
    task = (await world.get("vanphong", f"{API}/tasks/{d['tasks'][0]['id']}")).json()
    assert (len(task["title"]), len(task["description"]), len(d["summary"])) == (TITLE - 1, 20_000, 20_000)  # stripped: "Tết " × 250
    r = await world.post("vanphong", f"{API}/directives", {"number": "603", "issuer": "UBND tỉnh",
                                                           "tasks": [{"title": "x" * (TITLE + 1), "lead_division": "QLNL"}]})
    assert r.status_code == 422 and r.json()["fields"] == {"tasks.0.title": "Tối đa 1000 ký tự"}, r.text
    assert "1000" in r.json()["message"] and "tasks.0.title" in r.json()["message"]


def page_forms(ids: dict[str, int], user_ids: dict[str, int], token, division_id: int) -> list[tuple[str, str, dict, list[str]]]:
    """(user, path, a form the page accepts, its text fields)."""
    t = lambda n: f"/tasks/{ids[n]}"  # noqa: E731
    directive = {"number": "610/UBND-KT", "issuer": "UBND tỉnh", "signer": "Chủ tịch", "issued_on": "25/02/2026", "received_on": "26/02/2026",
                 "kind": "document", "summary": "Về việc", "rows": "1", "tasks.0.title": "Việc mới", "tasks.0.description": "Mô tả",
                 "tasks.0.lead_division": "QLNL", "tasks.0.leader_in_charge": "giamdoc", "tasks.0.due_on": "20/03/2026"}
    return [
        ("vanphong", "/directives", directive, ["number", "issuer", "signer", "summary", "tasks.0.title", "tasks.0.description"]),
        ("truong.qlnl", t("progress") + "/progress", {"percent": "10", "note": "Đã bắt đầu", "expected_state": TaskState.OPEN.value}, ["note"]),
        ("truong.qlnl", t("submit") + "/submit", {"form": "submit", "note": "Đã xong", "expected_state": TaskState.IN_PROGRESS.value}, ["note"]),
        ("truong.qlnl", t("extension") + "/extensions", {"requested_due_on": "10/04/2026", "reason": "Chờ số liệu"}, ["reason"]),
        ("vanphong", t("return") + "/return", {"reason": "Thiếu biên bản", "expected_state": TaskState.SUBMITTED.value}, ["reason"]),
        ("giamdoc", t("pause") + "/pause", {"form": "pause", "reason": "Chờ", "expected_state": TaskState.OPEN.value}, ["reason"]),
        ("giamdoc", t("resume") + "/resume", {"form": "resume", "reason": "Tiếp tục", "expected_state": TaskState.PAUSED.value}, ["reason"]),
        ("giamdoc", t("cancel") + "/cancel", {"form": "cancel", "reason": "Thôi", "expected_state": TaskState.OPEN.value}, ["reason"]),
        ("vanphong", t("reopen") + "/reopen", {"form": "reopen", "reason": "Xác nhận nhầm", "expected_state": TaskState.DONE.value}, ["reason"]),
        ("vanphong", t("patch") + "/edit", {"title": "Tên đúng", "description": "Mô tả đúng", "due_on": "25/03/2026", "lead_division": "QLNL",
                                            "leader_in_charge": "giamdoc", "assignee": "", "reason": "Sửa lỗi nhập"},
         ["title", "description", "reason"]),
        ("vanphong", f"/directives/{ids['directive']}/edit", {"number": "600/UBND-KT", "issuer": "UBND tỉnh", "signer": "Phó Chủ tịch",
                                                             "kind": "document", "issued_on": "25/02/2026", "received_on": "26/02/2026",
                                                             "summary": "Về việc khác", "reason": "Đính chính"},
         ["number", "issuer", "signer", "summary", "reason"]),
        ("vanphong", f"/directives/{ids['directive']}/tasks", {"rows": "1", "tasks.0.title": "Việc bổ sung", "tasks.0.description": "Mô tả",
                                                              "tasks.0.lead_division": "QLNL", "tasks.0.due_on": "20/03/2026"},
         ["tasks.0.title", "tasks.0.description"]),
        ("giamdoc", f"/extensions/{ids['extension_id']}/decision", {"approve": "0", "note": "Không đủ lý do"}, ["note"]),
        ("quantri", "/admin/users", {"username": "moi2", "full_name": "Người mới", "email": "moi2@sct.example.vn", "role": "office",
                                     "division": "VP", "locale": "vi", "password": "mat-khau-rat-dai-2"}, ["username", "full_name", "email"]),
        ("quantri", f"/admin/users/{user_ids['vanphong']}", {"full_name": "Nguyễn Thị Văn Phòng", "email": "vp2@sct.example.vn",
                                                             "role": "office", "division": "VP", "locale": "vi", "active": "1"},
         ["full_name", "email"]),
        ("quantri", "/admin/divisions", {"code": "MOI2", "name": "Phòng mới", "email": "moi@sct.example.vn"}, ["code", "name", "email"]),
        ("quantri", f"/admin/divisions/{division_id}", {"name": "Phòng Quản lý thương mại", "email": "qltm2@sct.example.vn", "active": "1"},
         ["name", "email"]),
        ("quantri", "/admin/calendar", {"day": "04/05/2026", "kind": "holiday", "name": "Nghỉ bù"}, ["name"]),
        (None, f"/u/{token('progress')}/progress", {"percent": "20", "note": "Qua email", "task": str(ids["progress"]),
                                                    "expected_state": TaskState.IN_PROGRESS.value},  # after the task page's progress above
         ["note"]),
        (None, f"/u/{token('progress')}/submit", {"form": "submit", "note": "Xong, qua email", "task": str(ids["progress"]),
                                                  "expected_state": TaskState.IN_PROGRESS.value}, ["note"]),
        (None, f"/u/{token('page')}/extensions", {"requested_due_on": "10/04/2026", "reason": "Chờ số liệu", "task": str(ids["page"])},
         ["reason"]),
    ]


# Page forms with no text a user writes (buttons, dates, names chosen from lists: the escalation
# page's rule names and recipients are held to notify.config's lists), passwords (only hashed),
# and the import (its cells are walked through the same importer below).
NO_TEXT_FORMS = {"/signin", "/signout", "/language", "/tasks/{task_id:int}/confirm", "/tasks/{task_id:int}/star", "/import",
                 "/import/confirm", "/admin/calendar/remove", "/admin/escalation", "/notifications/{notice_id:int}/read",
                 "/notifications/read-all", "/admin/divisions/{code:str}/feed-token", "/notifications/{notice_id:int}",
                 "/account/password"}


async def test_every_page_form_refuses_a_control_character_and_an_over_long_text_keeps_what_was_typed_and_writes_nothing(world, app, register, settings):
    head = await User.select(User.id, User.credential_version).where(User.username == "truong.qlnl").first().run()
    tokens = {n: email_links.sign(head["id"], head["credential_version"], register[n], world.clock.now(), settings.secret_key)
              for n in ("progress", "page")}
    qltm = next(d for d in (await world.get("quantri", f"{API}/divisions")).json() if d["code"] == "QLTM")
    forms = page_forms(register, world.user_ids, tokens.get, qltm["id"])
    posted = {route.path for route in app.routes if "POST" in getattr(route, "methods", ()) and not route.path.startswith(API)
              and route.path not in NO_TEXT_FORMS}
    walked_paths = {re.sub(r"/\d+", "/{id}", p) for _, p, _, _ in forms}
    walked_paths = {re.sub(r"^/u/[^/]+/", "/u/{id}/", p) for p in walked_paths}
    declared = {re.sub(r"\{\w+:(int|str)\}", "{id}", p) for p in posted}
    assert declared <= walked_paths, f"page forms this test does not walk: {declared - walked_paths}"
    failures = []
    browsers: dict[str | None, Browser] = {}
    for user, path, form, fields in forms:
        if user not in browsers:
            browsers[user] = Browser(app)
            if user:
                await browsers[user].sign_in(user)
        b = browsers[user]
        page = re.sub(r"/(progress|submit|extensions|return|pause|resume|cancel|reopen)$", "", path)
        page = "/leader" if path.startswith("/extensions") else "/admin/divisions" if path.startswith("/admin/divisions") else page
        for field in fields:
            limit = limit_of(field)
            for case, bad in (("control character", form[field] + CONTROL), ("over-long", "x" * ((limit or UNLIMITED) + 1))):
                await b.get("/directives/new" if path == "/directives" else page)
                before = await row_counts()
                r = await b.post(path, {**form, field: bad})
                after = await row_counts()
                name = f"{path} [{field}: {case}]"
                if not 400 <= r.status_code < 500 or r.status_code == 403:
                    failures.append(f"{name}: status {r.status_code}")
                if after != before:
                    failures.append(f"{name}: rows changed {[(t, before[t], after[t]) for t in before if before[t] != after[t]]}")
                expected = "ký tự điều khiển" if case == "control character" else f"tối đa {limit} ký tự"
                if expected not in r.text:
                    failures.append(f"{name}: no {expected!r} in the page")
                keeps = case == "over-long" and not path.startswith("/extensions/") and not path.startswith("/admin/divisions/")
                if keeps and bad not in r.text:
                    failures.append(f"{name}: what was typed is not in the form that came back")
        await b.get("/directives/new" if path == "/directives" else page)
        r = await b.post(path, form)
        if r.status_code != 303:
            failures.append(f"{path}: the good form is refused: {r.status_code} {re.sub(r'<[^>]+>', ' ', r.text)[:300]}")
    for b in browsers.values():
        await b.close()
    assert failures == []


def _workbook(title: str, summary: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Số ký hiệu", "Cơ quan ban hành", "Ngày ban hành", "Trích yếu", "Tên nhiệm vụ", "Chủ trì", "Phối hợp",
               "Lãnh đạo phụ trách", "Hạn xử lý", "Ngày giao"])
    ws.append(["620/UBND-KT", "UBND tỉnh", "25/02/2026", summary, title, "QLNL", "", "", "20/03/2026", "26/02/2026"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_the_import_refuses_an_over_long_cell_naming_its_limit_and_takes_one_at_the_limit_whole(world):
    async def send(data: bytes, dry_run: str = "true"):
        return await world.client.post(f"{API}/import/xlsx?dry_run={dry_run}", files={"file": ("t.xlsx", data)}, headers=world.auth("vanphong"))

    before = await row_counts()
    for title, summary, column, limit in (("x" * (TITLE + 1), "Về việc", "Tên nhiệm vụ", TITLE),
                                          ("Việc", "s" * (LIMITS["summary"] + 1), "Trích yếu", LIMITS["summary"])):
        r = await send(_workbook(title, summary), "false")
        assert r.status_code == 200 and not r.json()["imported"], r.text
        assert [e["row"] for e in r.json()["errors"]] == [2] and column in r.text and str(limit) in r.text, r.text
    assert await row_counts() == before
    r = await send(_workbook("ắ" * TITLE, "s" * LIMITS["summary"]), "false")
    assert r.status_code == 200, r.text
    task = (await world.get("vanphong", f"{API}/tasks")).json()["items"][0]
    assert task["title"] == "ắ" * TITLE
    assert await AuditEvent.count() > before[AuditEvent._meta.tablename]
