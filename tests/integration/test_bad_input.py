"""Bad input to every write endpoint (and the task list's filters): always a 4xx with the error
shape and a message in the caller's language, never a 500 or a 2xx, and nothing half-written.

Each test builds one world and loops over a table of cases; every failing case is collected and
reported together, named by endpoint and case."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tasks.tables import ALL_TABLES, AuditEvent, Directive
from tests.integration.conftest import PASSWORD, World

API = "/api/v1"
MISSING = object()

VIETNAMESE = set(
    "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ĂÂĐÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
)

IMPOSSIBLE_DATES = ["2026-02-30", "2026-13-01", "30/02/2026", "not a date", "", "2026-2-3", 20260301]
HUGE = 10**20
BEYOND_INT4 = 2**31  # fits Python and JSON, not a PostgreSQL integer column
LONG = "x" * 100_000
# Raw bodies that are not one JSON object of the documented shape.
MALFORMED = {
    "truncated JSON": '{"a":',
    "not JSON": "this is not json",
    "empty body": "",
    "JSON array": "[]",
    "JSON null": "null",
    "JSON string": '"text"',
    "JSON number": "42",
    "NaN literal": '{"a": NaN}',
    "trailing garbage": "{} }",
}


async def row_counts() -> dict[str, int]:
    # One transaction, so SQLite counts every table over one connection rather than one each.
    async with ALL_TABLES[0]._meta.db.transaction():
        return {t._meta.tablename: await t.count() for t in ALL_TABLES}


def message_language_problem(message: str, lang: str) -> str | None:
    has_vi = any(ch in VIETNAMESE for ch in message)
    if lang == "vi" and not has_vi:
        return f"message not Vietnamese: {message!r}"
    if lang == "en" and has_vi:
        return f"message not English: {message!r}"
    return None


@dataclass
class Probe:
    """Sends bad requests and records every way a response falls short. Only its own requests may
    write while it runs: the counts after one request are the counts before the next."""

    world: World
    failures: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    cases: int = 0
    counts: dict[str, int] | None = None

    async def send(
        self, endpoint: str, case: str, method: str, url: str, *, user: str | None,
        body: Any = MISSING, raw: str | bytes | None = None, lang: str = "vi", headers: dict | None = None,
    ) -> None:
        self.cases += 1
        name = f"{endpoint} [{case}]" + (f" as {user}" if user else "")
        h = dict(headers or {})
        if user:
            h.update(self.world.auth(user))
        content = raw if raw is not None else (None if body is MISSING else json.dumps(body))
        if content is not None and "content-type" not in {k.lower() for k in h}:
            h["content-type"] = "application/json"
        before = self.counts or await row_counts()
        try:
            r = await self.world.client.request(method, API + url, content=content, headers=h)
        except Exception as exc:  # the app itself crashed through the transport
            self.failures.append(f"{name}: raised {type(exc).__name__}: {exc}")
            self.counts = None
            return
        after = self.counts = await row_counts()

        problems = []
        if not 400 <= r.status_code < 500:
            problems.append(f"status {r.status_code}")
        elif r.status_code == 403:
            problems.append("403: the case should fail on its input, not on permission")
        ignored = {AuditEvent._meta.tablename} if r.status_code == 403 else set()
        changed = {t: (before[t], after[t]) for t in before if t not in ignored and before[t] != after[t]}
        if changed:
            problems.append(f"rows changed: {changed}")
        try:
            payload = r.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            problems.append("body is not a JSON object")
        else:
            if not isinstance(payload.get("error"), str) or not payload["error"]:
                problems.append("no 'error' code")
            if not isinstance(payload.get("message"), str) or not payload["message"].strip():
                problems.append("no 'message' text")
            if not isinstance(payload.get("fields"), dict):
                problems.append("'fields' is not an object")
            if isinstance(payload.get("message"), str) and payload["message"].strip():
                if lang_problem := message_language_problem(payload["message"], lang):
                    self.language.append(f"{name}: {lang_problem}")
        if problems:
            self.failures.append(f"{name}: {'; '.join(problems)} -- {r.status_code} {r.text[:300]}")

    def verdict(self) -> None:
        print(f"{self.cases} bad requests sent")
        lines = []
        if self.failures:
            lines += [f"{len(self.failures)} of {self.cases} bad requests were mishandled:", *self.failures]
        if self.language:
            lines += [f"{len(self.language)} of {self.cases} messages in the wrong language:", *self.language]
        assert not lines, "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# The table of write endpoints: who may call each, a well-formed body, and the kind of each field.
# Kinds: text (free text), req_text (free text that must not be empty), code (a new division code),
# ref_code (an existing division's code), codes (list of ref_code), user_ref (an existing username),
# new_user (a username to create), int, id (a record id), date, bool.

@dataclass
class Field:
    kind: str
    required: bool = True
    nullable: bool = False


@dataclass
class Endpoint:
    name: str
    method: str
    url: str
    user: str | None
    body: dict | None
    fields: dict[str, Field]
    extra: list[tuple[str, dict]] = field(default_factory=list)  # (case, whole body)
    id_urls: list[tuple[str, str]] = field(default_factory=list)  # (case, url with a bad id)


def wrong_values(f: Field) -> list[tuple[str, Any]]:
    """Values no field of this kind may take."""
    out: list[tuple[str, Any]] = []
    if not f.nullable:
        out.append(("null for a non-nullable field", None))
    if f.kind in ("text", "req_text", "code", "ref_code", "user_ref", "new_user"):
        out += [("int for string", 12345), ("list for string", ["x"]), ("object for string", {"a": 1}),
                ("bool for string", True), ("100,000 chars", LONG), ("NUL character", "abc\u0000def"),
                ("lone surrogate", "abc\ud800def")]
    if f.kind in ("req_text", "code", "ref_code", "user_ref", "new_user"):
        out += [("empty string", "")]
    if f.kind == "req_text":
        out += [("only spaces", "   ")]
    if f.kind in ("code", "ref_code"):
        out += [("1,000-char code", "Q" * 1000), ("code with spaces and diacritics", "Phòng QL")]
    if f.kind == "ref_code":
        out += [("unknown division code", "KHONGCO")]
    if f.kind == "user_ref":
        out += [("unknown username", "khong.ai"), ("1,000-char username", "u" * 1000)]
    if f.kind == "codes":
        out += [("string for list", "QLTM"), ("ints in list", [1, 2]), ("unknown division code", ["KHONGCO"]),
                ("1,000-char code", ["Q" * 1000]), ("60 codes", [f"D{i}" for i in range(60)]), ("null in list", [None])]
    if f.kind in ("int", "id"):
        out += [("string for int", "5"), ("word for int", "five"), ("float for int", 5.5), ("list for int", [5]),
                ("bool for int", True), ("10**20", HUGE), ("2**31", BEYOND_INT4)]
    if f.kind == "id":
        out += [("non-existent id", 999999), ("negative id", -1), ("zero id", 0)]
    if f.kind == "date":
        out += [(f"impossible date {d!r}", d) for d in IMPOSSIBLE_DATES] + [("datetime for date", "2026-03-20T10:00:00")]
    if f.kind == "bool":
        out += [("string for bool", "yes"), ("int for bool", 1)]
    return out


def body_cases(ep: Endpoint) -> list[tuple[str, Any]]:
    assert ep.body is not None
    cases: list[tuple[str, Any]] = [("unknown field", {**ep.body, "bogus": 1}), ("body wrapped in a list", [ep.body])]
    for name, f in ep.fields.items():
        if f.required:
            cases.append((f"{name} missing", {k: v for k, v in ep.body.items() if k != name}))
        for case, value in wrong_values(f):
            cases.append((f"{name}: {case}", {**ep.body, name: value}))
    return cases + ep.extra


async def run_endpoint(probe: Probe, ep: Endpoint, lang: str = "vi", headers: dict | None = None) -> None:
    label = f"{ep.method} {ep.name}"
    if ep.body is not None:
        for case, raw in MALFORMED.items():
            await probe.send(label, case, ep.method, ep.url, user=ep.user, raw=raw, lang=lang, headers=headers)
        await probe.send(label, "form-encoded body", ep.method, ep.url, user=ep.user, raw="a=1&b=2", lang=lang,
                         headers={**(headers or {}), "content-type": "application/x-www-form-urlencoded"})
        for case, body in body_cases(ep):
            await probe.send(label, case, ep.method, ep.url, user=ep.user, body=body, lang=lang, headers=headers)
    for case, url in ep.id_urls:
        await probe.send(label, case, ep.method, url, user=ep.user, body=ep.body if ep.body is not None else MISSING,
                         lang=lang, headers=headers)


def bad_ids(path: str) -> list[tuple[str, str]]:
    """`path` holds `{}` where the id goes."""
    return [(f"id {v}", path.format(v)) for v in ("999999", "0", "-1", str(BEYOND_INT4), str(HUGE), "abc", "1.5")]


# ----------------------------------------------------------------------------------------------
# Setup shared by the tests that act on tasks.

TASK_BASE = {"title": "Rà soát nguồn điện", "lead_division": "QLNL"}


async def setup_register(world: World) -> dict[str, int]:
    d = await world.directive_with_tasks("100/UBND-KT", [
        {**TASK_BASE, "support_divisions": ["QLTM"], "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"},
        {**TASK_BASE, "title": "Báo cáo tiến độ", "due_on": "2026-03-20"},
    ])
    t1, t2 = d["tasks"][0]["id"], d["tasks"][1]["id"]
    r = await world.post("truong.qlnl", f"{API}/tasks/{t2}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    assert r.status_code == 201, r.text
    return {"directive": d["id"], "task": t1, "task2": t2, "extension": r.json()["id"]}


REASON = {"reason": Field("req_text")}


def task_endpoints(ids: dict[str, int]) -> list[Endpoint]:
    t = ids["task"]
    task_fields = {
        "title": Field("req_text"), "lead_division": Field("ref_code"), "description": Field("text", required=False),
        "support_divisions": Field("codes", required=False), "leader_in_charge": Field("user_ref", required=False, nullable=True),
        "assignee": Field("user_ref", required=False, nullable=True), "parent": Field("id", required=False, nullable=True),
        "due_on": Field("date", required=False, nullable=True), "priority": Field("int", required=False),
    }
    task_body = {"title": "Kiểm tra giá xăng dầu", "description": "", "lead_division": "QLTM", "support_divisions": ["QLNL"],
                 "leader_in_charge": "pgd.hai", "assignee": "truong.qltm", "parent": None, "due_on": "2026-03-27", "priority": 1}
    no_due = {k: v for k, v in task_body.items() if k != "due_on"}
    task_extra = [
        ("due_in_working_days 0", {**no_due, "due_in_working_days": 0}),
        ("due_in_working_days -1", {**no_due, "due_in_working_days": -1}),
        ("due_in_working_days 1001", {**no_due, "due_in_working_days": 1001}),
        ("due_in_working_days 10**20", {**no_due, "due_in_working_days": HUGE}),
        ("due_in_working_days as string", {**no_due, "due_in_working_days": "5"}),
        ("due_on and due_in_working_days both", {**task_body, "due_in_working_days": 5}),
        ("due_on before the directive was issued", {**task_body, "due_on": "2020-01-01"}),
        ("lead division also supporting", {**task_body, "support_divisions": ["QLTM"]}),
        ("leader_in_charge is a head, not a leader", {**task_body, "leader_in_charge": "truong.qlnl"}),
        ("assignee is a leader, not a head", {**task_body, "assignee": "pgd.hai"}),
        ("priority 10", {**task_body, "priority": 10}),
        ("priority -1", {**task_body, "priority": -1}),
        ("parent task from another directive", {**task_body, "parent": 999999}),
    ]
    reason_body = {"reason": "Theo chỉ đạo của Giám đốc Sở"}
    return [
        Endpoint("/tasks", "POST", "/tasks", "vanphong", {**task_body, "directive": ids["directive"]},
                 {**task_fields, "directive": Field("id")},
                 extra=[(c, {**b, "directive": ids["directive"]}) for c, b in task_extra]),
        Endpoint("/tasks/{id}/progress", "POST", f"/tasks/{t}/progress", "truong.qlnl", {"percent": 50, "note": "Đã họp với EVN"},
                 {"percent": Field("int"), "note": Field("req_text")},
                 extra=[("percent 101", {"percent": 101, "note": "x"}), ("percent -1", {"percent": -1, "note": "x"}),
                        ("percent 10**20", {"percent": HUGE, "note": "x"}), ("percent 1e400", {"percent": 1e308 * 10, "note": "x"})],
                 id_urls=bad_ids("/tasks/{}/progress")),
        Endpoint("/tasks/{id}/submit", "POST", f"/tasks/{t}/submit", "truong.qlnl", {"note": "Đã hoàn thành"},
                 {"note": Field("text", required=False)},
                 # The completion day is the day of submission: a division cannot choose one.
                 extra=[("completed_on chosen by the division", {"note": "x", "completed_on": "2026-03-03"}),
                        ("completed_on in the future", {"note": "x", "completed_on": "2027-01-01"})],
                 id_urls=bad_ids("/tasks/{}/submit")),
        Endpoint("/tasks/{id}/confirm", "POST", f"/tasks/{t}/confirm", "vanphong", None, {},
                 id_urls=[*bad_ids("/tasks/{}/confirm"), ("a task not yet submitted", f"/tasks/{t}/confirm")]),
        Endpoint("/tasks/{id}/return", "POST", f"/tasks/{t}/return", "vanphong", reason_body, REASON, id_urls=bad_ids("/tasks/{}/return")),
        Endpoint("/tasks/{id}/pause", "POST", f"/tasks/{t}/pause", "pgd.hai", reason_body, REASON, id_urls=bad_ids("/tasks/{}/pause")),
        Endpoint("/tasks/{id}/resume", "POST", f"/tasks/{t}/resume", "pgd.hai", reason_body, REASON,
                 id_urls=[*bad_ids("/tasks/{}/resume"), ("a task that is not paused", f"/tasks/{t}/resume")]),
        Endpoint("/tasks/{id}/cancel", "POST", f"/tasks/{t}/cancel", "pgd.hai", reason_body, REASON, id_urls=bad_ids("/tasks/{}/cancel")),
        Endpoint("/tasks/{id}/assign", "POST", f"/tasks/{t}/assign", "vanphong",
                 {"lead_division": "QLTM", "support_divisions": ["QLNL"], "leader_in_charge": "giamdoc", "assignee": "truong.qltm"},
                 {"lead_division": Field("ref_code"), "support_divisions": Field("codes", required=False),
                  "leader_in_charge": Field("user_ref", required=False, nullable=True), "assignee": Field("user_ref", required=False, nullable=True)},
                 extra=[("lead division also supporting", {"lead_division": "QLTM", "support_divisions": ["QLTM"]}),
                        ("leader_in_charge is a head", {"lead_division": "QLTM", "leader_in_charge": "truong.qltm"}),
                        ("assignee is a leader", {"lead_division": "QLTM", "assignee": "giamdoc"})],
                 id_urls=bad_ids("/tasks/{}/assign")),
        Endpoint("/tasks/{id}/extensions", "POST", f"/tasks/{t}/extensions", "truong.qlnl",
                 {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu của EVN"},
                 {"requested_due_on": Field("date"), "reason": Field("req_text")},
                 extra=[("requested_due_on before the current deadline", {"requested_due_on": "2026-03-19", "reason": "x"}),
                        ("requested_due_on equal to the current deadline", {"requested_due_on": "2026-03-20", "reason": "x"})],
                 id_urls=bad_ids("/tasks/{}/extensions")),
        Endpoint("PATCH /tasks/{id}", "PATCH", f"/tasks/{t}", "vanphong",
                 {"reason": "Sửa lỗi nhập liệu", "title": "Rà soát nguồn điện mùa khô", "description": "", "due_on": "2026-03-25",
                  "clear_due_on": False, "priority": 2},
                 {"reason": Field("req_text"), "title": Field("req_text", required=False, nullable=True),
                  "description": Field("text", required=False, nullable=True), "due_on": Field("date", required=False, nullable=True),
                  "clear_due_on": Field("bool", required=False), "priority": Field("int", required=False, nullable=True)},
                 extra=[("clear_due_on with a due_on", {"reason": "x", "due_on": "2026-03-25", "clear_due_on": True}),
                        ("setting the state", {"reason": "x", "state": "done"}),
                        ("setting the lead division", {"reason": "x", "lead_division": "QLTM"}),
                        ("priority 10", {"reason": "x", "priority": 10})],
                 id_urls=bad_ids("/tasks/{}")),
        Endpoint("/tasks/{id}/star", "POST", f"/tasks/{t}/star", "pgd.hai", {"starred": True}, {"starred": Field("bool")},
                 id_urls=bad_ids("/tasks/{}/star")),
        Endpoint("/extensions/{id}/decision", "POST", f"/extensions/{ids['extension']}/decision", "pgd.hai",
                 {"approve": True, "note": "Đồng ý"}, {"approve": Field("bool"), "note": Field("text", required=False)},
                 id_urls=bad_ids("/extensions/{}/decision")),
    ]


# ----------------------------------------------------------------------------------------------

async def test_token_endpoint_rejects_bad_input_in_the_requested_language(world):
    probe = Probe(world)
    ep = Endpoint("/auth/token", "POST", "/auth/token", None, {"username": "quantri", "password": PASSWORD},
                  {"username": Field("user_ref"), "password": Field("req_text")},
                  extra=[("unknown username", {"username": "khong.ai", "password": PASSWORD}),
                         ("wrong password", {"username": "quantri", "password": "sai-mat-khau"}),
                         ("257-char password", {"username": "quantri", "password": "p" * 257})])
    await run_endpoint(probe, ep, lang="vi")
    await run_endpoint(probe, ep, lang="en", headers={"Accept-Language": "en"})
    for case, body in ep.extra:
        await probe.send("POST /auth/token", case, "POST", "/auth/token", user=None, body=body, lang="en",
                         headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    await probe.send("POST /auth/token", "truncated JSON", "POST", "/auth/token", user=None, raw='{"a":', lang="vi",
                     headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    probe.verdict()


async def test_admin_endpoints_reject_bad_input(world):
    r = await world.post("quantri", f"{API}/calendar", {"day": "2026-03-14", "kind": "working", "name": "Làm bù"})
    assert r.status_code == 201, r.text
    probe = Probe(world)
    endpoints = [
        Endpoint("/divisions", "POST", "/divisions", "quantri", {"code": "ATMT", "name": "Phòng Kỹ thuật an toàn", "email": "atmt@sct.example.vn"},
                 {"code": Field("code"), "name": Field("req_text"), "email": Field("text", required=False)},
                 extra=[("code already in use", {"code": "VP", "name": "Văn phòng khác"}),
                        ("malformed email", {"code": "ATMT", "name": "x", "email": "khong-phai-email"}),
                        ("email of 1,000 chars", {"code": "ATMT", "name": "x", "email": "a" * 990 + "@sct.vn"})]),
        Endpoint("/users", "POST", "/users", "quantri",
                 {"username": "truong.khtc", "full_name": "Đỗ Thị Kế", "email": "khtc@sct.example.vn", "role": "head",
                  "division": "KHTC", "password": "mat-khau-du-dai", "locale": "vi"},
                 {"username": Field("new_user"), "full_name": Field("text"), "email": Field("text"), "role": Field("req_text"),
                  "division": Field("ref_code", nullable=True), "password": Field("req_text"), "locale": Field("req_text", required=False)},
                 extra=[(f"unknown role {role!r}", {"username": "moi", "full_name": "x", "email": "", "role": role, "division": None,
                                                    "password": "mat-khau-du-dai"}) for role in ("superuser", "Admin", "giám đốc")]
                 + [("username already taken", {"username": "vanphong", "full_name": "x", "email": "", "role": "office", "division": "VP",
                                                "password": "mat-khau-du-dai"}),
                    ("username with spaces", {"username": "nguyen van a", "full_name": "x", "email": "", "role": "office", "division": "VP",
                                              "password": "mat-khau-du-dai"}),
                    ("password too short", {"username": "moi", "full_name": "x", "email": "", "role": "office", "division": "VP", "password": "abc"}),
                    ("unknown locale", {"username": "moi", "full_name": "x", "email": "", "role": "office", "division": "VP",
                                        "password": "mat-khau-du-dai", "locale": "fr"}),
                    ("head without a division", {"username": "moi", "full_name": "x", "email": "", "role": "head", "division": None,
                                                 "password": "mat-khau-du-dai"})]),
        Endpoint("/calendar", "POST", "/calendar", "quantri", {"day": "2026-03-21", "kind": "working", "name": "Làm bù ngày 30/4"},
                 {"day": Field("date"), "kind": Field("req_text"), "name": Field("req_text")},
                 extra=[("unknown kind", {"day": "2026-03-21", "kind": "vacation", "name": "x"}),
                        ("swapped working day on a weekday", {"day": "2026-03-18", "kind": "working", "name": "x"}),
                        ("day already entered", {"day": "2026-03-14", "kind": "working", "name": "x"}),
                        ("year 0", {"day": "0000-01-01", "kind": "holiday", "name": "x"})]),
    ]
    for ep in endpoints:
        await run_endpoint(probe, ep)
    probe.verdict()


async def test_directive_endpoint_rejects_bad_input(world):
    await world.directive_with_tasks("100/UBND-KT", [TASK_BASE])
    probe = Probe(world)
    good_task = {"title": "Rà soát nguồn điện", "lead_division": "QLNL", "due_on": "2026-03-20"}
    body = {"number": "2150/UBND-KT", "issuer": "UBND tỉnh", "signer": "Chủ tịch", "issued_on": "2026-02-25",
            "received_on": "2026-02-26", "kind": "document", "summary": "Về việc cung ứng điện", "tasks": [good_task]}
    nested = [(f"tasks.0.{k}: {case}", {**body, "tasks": [{**good_task, k: value}]})
              for k, f in (("title", Field("req_text")), ("lead_division", Field("ref_code")), ("due_on", Field("date", nullable=True)),
                           ("leader_in_charge", Field("user_ref", nullable=True)))
              for case, value in wrong_values(f)]
    directive_fields = {
        "number": Field("req_text"), "issuer": Field("req_text"), "signer": Field("text", required=False),
        "issued_on": Field("date", required=False, nullable=True), "received_on": Field("date", required=False, nullable=True),
        "kind": Field("req_text", required=False), "summary": Field("text", required=False),
    }
    without_tasks = {k: v for k, v in body.items() if k != "tasks"}
    await run_endpoint(probe, Endpoint("/directives (no tasks)", "POST", "/directives", "vanphong", without_tasks, directive_fields,
                                       extra=[("unknown kind", {**without_tasks, "kind": "memo"})]))
    ep = Endpoint("/directives (with tasks)", "POST", "/directives", "vanphong", body, directive_fields,
                  extra=[("unknown kind", {**body, "kind": "memo"}),
                         ("issued in the future", {**body, "issued_on": "2027-01-01", "received_on": None}),
                         ("received before issued", {**body, "received_on": "2026-02-01"}),
                         ("number already recorded for this issuer", {**body, "number": "100/UBND-KT"}),
                         ("tasks is a string", {**body, "tasks": "x"}),
                         ("tasks holds a number", {**body, "tasks": [1]}),
                         ("tasks holds null", {**body, "tasks": [None]}),
                         ("201 tasks", {**body, "tasks": [good_task] * 201}),
                         ("nested task with an unknown field", {**body, "tasks": [{**good_task, "bogus": 1}]}),
                         ("nested task with both deadlines", {**body, "tasks": [{**good_task, "due_in_working_days": 5}]}),
                         ("nested task due before issue", {**body, "tasks": [{**good_task, "due_on": "2020-01-01"}]}),
                         *nested])
    await run_endpoint(probe, ep)
    # A body over the server's limit (10 MB) is refused before it is read.
    await probe.send("POST /directives", "11 MB body", "POST", "/directives", user="vanphong",
                     body={**body, "summary": "x" * 11_000_000})
    probe.verdict()


async def test_directive_with_a_bad_third_task_leaves_nothing_behind(world):
    before = await row_counts()
    tasks = [{"title": f"Nhiệm vụ {i}", "lead_division": "QLNL", "due_on": "2026-03-20"} for i in (1, 2)]
    tasks.append({"title": "Nhiệm vụ 3", "lead_division": "KHONGCO", "due_on": "2026-03-20"})
    body = {"number": "77/UBND-KT", "issuer": "UBND tỉnh", "issued_on": "2026-02-25", "kind": "document", "tasks": tasks}
    r = await world.post("vanphong", f"{API}/directives", body)
    assert 400 <= r.status_code < 500 and r.status_code != 403, r.text
    payload = r.json()
    assert set(payload) >= {"error", "message", "fields"} and payload["message"], payload
    assert "tasks.2.lead_division" in payload["fields"], payload
    assert await row_counts() == before
    assert not await Directive.exists().where(Directive.number == "77/UBND-KT")
    r = await world.get("vanphong", f"{API}/tasks", params={"q": "Nhiệm vụ"})
    assert r.status_code == 200 and r.json()["total"] == 0, r.text
    assert message_language_problem(payload["message"], "vi") is None, payload["message"]


async def test_task_endpoints_reject_bad_input(world):
    ids = await setup_register(world)
    probe = Probe(world)
    for ep in task_endpoints(ids):
        await run_endpoint(probe, ep)
    probe.verdict()


async def test_task_list_rejects_bad_filters(world):
    await world.directive_with_tasks("100/UBND-KT", [{**TASK_BASE, "due_on": "2026-03-20"}])
    probe = Probe(world)
    params = [
        ("due_from", d) for d in ("2026-02-30", "2026-13-01", "30/02/2026", "not a date", "")
    ] + [
        ("due_to", "2026-02-30"), ("timeliness", "bogus"), ("timeliness", "overdue,bogus"), ("state", "bogus"), ("state", "open,bogus"),
        ("limit", "0"), ("limit", "-1"), ("limit", "100000"), ("limit", str(HUGE)), ("limit", "abc"), ("offset", "-1"),
        ("offset", "abc"), ("directive", "abc"), ("directive", str(BEYOND_INT4)), ("directive", str(HUGE)), ("starred", "maybe"), ("division", "KHONGCO"),
        ("division", "Q" * 1000), ("leader", "khong.ai"), ("q", LONG[:10_000]),
    ]
    for name, value in params:
        for user in ("vanphong", "truong.qlnl"):
            await probe.send("GET /tasks", f"{name}={value[:40]!r}", "GET", f"/tasks?{name}={value}", user=user)
    await probe.send("GET /calendar", "year=abc", "GET", "/calendar?year=abc", user="quantri")
    await probe.send("GET /calendar", "year=99999", "GET", "/calendar?year=99999", user="quantri")
    probe.verdict()


async def add_english_office_user(world: World) -> None:
    r = await world.post("quantri", f"{API}/users", {"username": "office.en", "full_name": "Office Clerk", "email": "", "role": "office",
                                                       "division": "VP", "password": PASSWORD, "locale": "en"})
    assert r.status_code == 201, r.text
    world.user_ids["office.en"] = r.json()["id"]


async def test_an_english_speaking_user_gets_english_errors(world):
    await add_english_office_user(world)
    probe = Probe(world)
    body = {"number": "5/UBND-KT", "issuer": "UBND tỉnh", "tasks": [{"title": "x", "lead_division": "KHONGCO"}]}
    await probe.send("POST /directives", "unknown lead division", "POST", "/directives", user="office.en", body=body, lang="en")
    await probe.send("POST /directives", "unknown kind", "POST", "/directives", user="office.en", body={**body, "kind": "memo"}, lang="en")
    await probe.send("POST /tasks", "non-existent directive", "POST", "/tasks", user="office.en",
                     body={"directive": 999999, "title": "x", "lead_division": "QLNL"}, lang="en")
    await probe.send("POST /tasks/{id}/confirm", "non-existent task", "POST", "/tasks/999999/confirm", user="office.en", lang="en")
    await probe.send("GET /tasks", "state=bogus", "GET", "/tasks?state=bogus", user="office.en", lang="en")
    # The user's own locale decides, whatever the browser says.
    await probe.send("POST /directives", "unknown kind, Accept-Language vi", "POST", "/directives", user="office.en",
                     body={**body, "kind": "memo"}, lang="en", headers={"Accept-Language": "vi"})
    await probe.send("POST /directives", "unknown kind, Vietnamese user, Accept-Language en", "POST", "/directives", user="vanphong",
                     body={**body, "kind": "memo"}, lang="vi", headers={"Accept-Language": "en"})
    probe.verdict()


async def test_an_english_speaking_user_gets_english_for_an_unreadable_body(world):
    """A body that cannot be read is refused before the handler knows who is asking; the
    signed-in user's locale must still decide the language."""
    await add_english_office_user(world)
    probe = Probe(world)
    await probe.send("POST /directives", "truncated JSON", "POST", "/directives", user="office.en", raw='{"a":', lang="en")
    await probe.send("POST /directives", "wrong type", "POST", "/directives", user="office.en",
                     body={"number": 5, "issuer": "UBND tỉnh"}, lang="en")
    await probe.send("POST /directives", "wrong type, Vietnamese user, Accept-Language en", "POST", "/directives", user="vanphong",
                     body={"number": 5, "issuer": "UBND tỉnh"}, lang="vi", headers={"Accept-Language": "en"})
    probe.verdict()
