"""The second transport: a webhook the admin attaches to a division or a user hears, through a
real HTTP server, each notice and reminder once, signed; a 5xx is tried again after the back-off
and then delivered once; a 4xx is failed and the API says why; the emails are as they were."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from notify import webhooks
from notify.mailer import SmtpMailer
from notify.passes import Notifier
from notify.tables import Notification
from tasks import register
from tasks.calendar_days import load_calendar
from tasks.i18n import gettext_for
from tasks.notices import LABELS
from tasks.tables import AuditEvent

from escalation_support import BASE_URL, ZONE, Department, local
from test_escalation_processes import passes_at_once
from test_notices import MONDAY, calendar, dept  # noqa: F401 - the notices' department on Monday 02/03/2026, 09:00, and its fixtures
from webhook_receiver import Receiver

THURSDAY = date(2026, 3, 5)  # three working days after MONDAY: remind_3 is due on MONDAY
LATER = date(2026, 3, 31)  # no ladder rule is due for it during these tests
DIVISION_SECRET = "bi-mat-cua-phong-qlnl-2026"
USER_SECRET = "bi-mat-rieng-cua-truong-qltm"


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def run_pass(db, sink, at: datetime):
    return Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn").run_pass(at)


async def hook(db, dept: Department, receiver: Receiver, path: str, secret: str, **owner) -> dict:
    return await webhooks.create_webhook(db, dept.actors["quantri"], dept.clock.now(), url=receiver.url(path), secret=secret,
                                         **{"division": None, "user": None, **owner})


async def assign(db, dept: Department, calendar, title: str, **fields) -> int:
    dept.directives += 1
    row = await register.record_directive(db, dept.actors["vanphong"], dept.clock.now(), calendar, register.NewDirective(
        number=f"{300 + dept.directives}/UBND-KT", issuer="UBND tỉnh"), [register.NewTask(title=title, **fields)])
    return row["tasks"][0]["id"]


async def test_each_notice_and_reminder_reaches_the_webhooks_once_signed_and_the_emails_are_unchanged(db, dept, calendar, sink, receiver):
    await hook(db, dept, receiver, "/qlnl", DIVISION_SECRET, division="QLNL")
    await hook(db, dept, receiver, "/thuong", USER_SECRET, user="truong.qltm")
    due = await dept.task(calendar, THURSDAY, title="Rà soát phương án cung ứng điện mùa khô")  # remind_3 to both QLNL heads
    new = await assign(db, dept, calendar, "Kiểm tra an toàn điện", lead_division="QLNL", support_divisions=("QLTM",),
                       assignee="pho.qlnl", due_on=LATER)  # assigned: both QLNL heads; copied: the QLTM head

    result = await run_pass(db, sink, local(MONDAY, 9, 1))

    # The division's channel hears each thing once, its lowest-id head named, the change first.
    [division_call] = receiver.at("/qlnl")
    assert division_call.signed_with(DIVISION_SECRET) and not division_call.signed_with(USER_SECRET)
    assert division_call.headers["content-type"] == "application/json; charset=utf-8"
    body = division_call.document
    assert body["recipient"] == {"username": "truong.qlnl", "name": "Trần Văn Năng"}
    assert datetime.fromisoformat(body["sent_at"]) == local(MONDAY, 9, 1)
    vi = gettext_for("vi")
    assert body["items"] == [
        {"task": new, "title": "Kiểm tra an toàn điện", "kind": "notice", "rule": "assigned", "role": "to",
         "label": vi(LABELS[("assigned", "to")]), "note": "", "due_on": "2026-03-31", "url": f"{BASE_URL}/tasks/{new}"},
        {"task": due, "title": "Rà soát phương án cung ứng điện mùa khô", "kind": "task", "rule": "remind_3", "role": "to",
         "label": "Còn 3 ngày làm việc đến hạn", "note": "", "due_on": "2026-03-05", "url": f"{BASE_URL}/tasks/{due}"},
    ]
    # A user's webhook hears what that user hears, in their language, with no one-tap link in it.
    [user_call] = receiver.at("/thuong")
    assert user_call.signed_with(USER_SECRET)
    assert [(i["task"], i["rule"], i["role"], i["label"]) for i in user_call.document["items"]] == [
        (new, "assigned", "cc", "New task your division supports")]
    assert "/u/" not in (division_call.body + user_call.body).decode()
    # The emails are what they would be without webhooks: one to each person concerned.
    assert sorted(rcpt for rcpt, _ in sink.received) == sorted(dept.address(u) for u in ("truong.qlnl", "pho.qlnl", "truong.qltm"))
    assert (result.send.emails_sent, result.send.webhooks_sent) == (3, 2)
    rows = await Notification.select(Notification.channel, Notification.state, Notification.message_id).where(
        Notification.channel == "webhook").run()
    assert len(rows) == 3 and {r["state"] for r in rows} == {"sent"}  # the QLNL channel's two rows travel in one call
    assert {r["message_id"] for r in rows} == {division_call.headers["x-dondoc-delivery"], user_call.headers["x-dondoc-delivery"]}

    # Once: later passes add nothing.
    await run_pass(db, sink, local(MONDAY, 9, 2))
    await run_pass(db, sink, local(MONDAY, 11))
    assert (len(receiver.received), len(sink.received)) == (2, 3)


async def test_two_processes_passing_at_once_post_each_notice_to_each_webhook_once(db, database_url, dept, calendar, sink, receiver):
    await hook(db, dept, receiver, "/qlnl", DIVISION_SECRET, division="QLNL")
    await hook(db, dept, receiver, "/qltm", DIVISION_SECRET, division="QLTM")
    await hook(db, dept, receiver, "/pho", USER_SECRET, user="pho.qlnl")
    dept.directives += 1
    row = await register.record_directive(db, dept.actors["vanphong"], dept.clock.now(), calendar, register.NewDirective(
        number="500/UBND-KT", issuer="UBND tỉnh"), [
        register.NewTask(title=f"Nhiệm vụ {i}", lead_division="QLNL" if i % 2 else "QLTM", support_divisions=("QLTM",) if i % 2 else (),
                         leader_in_charge=None, due_on=LATER) for i in range(30)])
    ids = [t["id"] for t in row["tasks"]]

    passes_at_once(database_url, sink.url, local(MONDAY, 9, 1), claim_recipients=1)

    def heard(path: str) -> Counter:
        return Counter((i["task"], i["role"]) for r in receiver.at(path) if r.signed_with(USER_SECRET if path == "/pho" else DIVISION_SECRET)
                       for i in r.document["items"])

    qlnl_tasks, qltm_tasks = ids[1::2], ids[0::2]
    assert heard("/qlnl") == Counter((t, "to") for t in qlnl_tasks)  # once, though two QLNL heads were told
    assert heard("/pho") == Counter((t, "to") for t in qlnl_tasks)
    assert heard("/qltm") == Counter([(t, "to") for t in qltm_tasks] + [(t, "cc") for t in qlnl_tasks])
    assert len(sink.received) == 3 and all(r.status == 200 for r in receiver.received)


async def test_the_update_request_and_the_weekly_digest_reach_the_webhooks_of_those_they_go_to(db, clock, sink, receiver):
    clock.at = local(date(2026, 2, 20), 9)
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    overdue = await dept.task(calendar, date(2026, 2, 25), title="Báo cáo sản lượng điện tháng 2")
    quiet = await dept.task(calendar, LATER, title="Rà soát lưới điện nông thôn")
    await hook(db, dept, receiver, "/qlnl", DIVISION_SECRET, division="QLNL")
    await hook(db, dept, receiver, "/giamdoc", USER_SECRET, user="giamdoc")
    notifier = Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="dondoc@sct.example.vn")

    await notifier.run_update_request(local(date(2026, 3, 6), 14))  # Friday: neither task has a progress report
    [request] = receiver.at("/qlnl")
    assert request.signed_with(DIVISION_SECRET) and request.document["recipient"]["username"] == "truong.qlnl"
    assert [(i["task"], i["kind"], i["rule"], i["label"]) for i in request.document["items"]] == [
        (t, "request", "update_request", "Chưa có báo cáo tiến độ trong 7 ngày qua") for t in sorted((overdue, quiet))]

    await notifier.run_digest(local(date(2026, 3, 9), 7))  # Monday
    [digest] = receiver.at("/giamdoc")
    assert digest.signed_with(USER_SECRET) and digest.document["recipient"]["username"] == "giamdoc"
    [item] = digest.document["items"]
    assert (item["task"], item["kind"], item["rule"], item["due_on"]) == (overdue, "digest", "weekly_digest", "2026-02-25")
    assert item["label"].startswith("Quá hạn ") and item["url"] == f"{BASE_URL}/tasks/{overdue}"
    assert len(receiver.received) == 2
    assert sorted(rcpt for rcpt, _ in sink.received) == sorted(dept.address(u) for u in ("truong.qlnl", "pho.qlnl", "giamdoc", "pgd.hai"))


async def test_an_endpoint_that_answers_503_is_tried_again_after_the_back_off_and_then_hears_the_notice_once(db, dept, calendar, sink, receiver):
    await hook(db, dept, receiver, "/qlnl", DIVISION_SECRET, division="QLNL")
    receiver.answer("/qlnl", 503, "bridge restarting")
    task_id = await assign(db, dept, calendar, "Kiểm tra an toàn điện", lead_division="QLNL", due_on=LATER)

    first = await run_pass(db, sink, local(MONDAY, 9, 1))
    [row] = await Notification.select().where(Notification.channel == "webhook").run()
    assert (first.send.retried, row["state"], row["attempts"], row["last_error"]) == (1, "pending", 1, "503 bridge restarting")
    assert row["next_attempt_at"] == local(MONDAY, 9, 2)  # the outbox's back-off: 1 minute after the first failure

    await run_pass(db, sink, local(MONDAY, 9, 1) + timedelta(seconds=30))  # not yet
    assert len(receiver.at("/qlnl")) == 1
    second = await run_pass(db, sink, local(MONDAY, 9, 2))
    await run_pass(db, sink, local(MONDAY, 9, 5))

    assert [r.status for r in receiver.at("/qlnl")] == [503, 200]
    delivered = receiver.at("/qlnl")[1]
    assert delivered.signed_with(DIVISION_SECRET) and [i["task"] for i in delivered.document["items"]] == [task_id]
    assert second.send.webhooks_sent == 1
    [row] = await Notification.select().where(Notification.channel == "webhook").run()
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 2, "")
    # The heads' emails went out on the first pass, once, whatever the webhook answered.
    assert sorted(rcpt for rcpt, _ in sink.received) == [dept.address("pho.qlnl"), dept.address("truong.qlnl")]


async def test_a_deactivated_webhook_hears_nothing_more_and_what_waited_for_it_is_skipped(db, dept, calendar, sink, receiver):
    created = await hook(db, dept, receiver, "/qlnl", DIVISION_SECRET, division="QLNL")
    await assign(db, dept, calendar, "Kiểm tra an toàn điện", lead_division="QLNL", due_on=LATER)
    receiver.answer("/qlnl", 500)
    await run_pass(db, sink, local(MONDAY, 9, 1))  # waits for a second try

    await webhooks.deactivate_webhook(db, dept.actors["quantri"], dept.clock.now(), created["id"])
    await assign(db, dept, calendar, "Báo cáo giá điện", lead_division="QLNL", due_on=LATER)
    await run_pass(db, sink, local(MONDAY, 9, 10))

    assert len(receiver.at("/qlnl")) == 1
    rows = await Notification.select(Notification.state, Notification.last_error).where(Notification.channel == "webhook").run()
    assert rows == [{"state": "skipped", "last_error": "the webhook, or its user, is no longer active"}]
    assert len(sink.to(dept.address("truong.qlnl"))) == 2


async def test_an_endpoint_that_refuses_with_400_is_marked_failed_and_the_api_lists_it_with_the_answer(world, db, sink, receiver):
    r = await world.post("quantri", "/api/v1/webhooks", {"user": "truong.qlnl", "url": receiver.url("/bridge"), "secret": USER_SECRET})
    assert r.status_code == 201, r.text
    receiver.answer("/bridge", 400, "unknown chat id " + "x" * 300)
    await world.directive_with_tasks("400/UBND-KT", [{"title": "Kiểm tra an toàn điện", "lead_division": "QLNL", "due_on": "2026-03-31"}])

    result = await run_pass(db, sink, world.clock.now())
    await run_pass(db, sink, world.clock.now() + timedelta(hours=2))  # a failed row is not tried again

    assert result.send.failed == 1 and len(receiver.at("/bridge")) == 1
    listed = (await world.get("quantri", "/api/v1/notifications", params={"state": "failed"})).json()
    [item] = listed["items"]
    assert (item["channel"], item["webhook"], item["recipient"], item["rule"]) == ("webhook", r.json()["id"], "truong.qlnl", "assigned")
    assert item["last_error"] == "400 unknown chat id " + "x" * 184  # the code and the first 200 characters of the answer
    emails = (await world.get("quantri", "/api/v1/notifications", params={"recipient": "truong.qlnl", "state": "sent"})).json()["items"]
    assert [(i["channel"], i["webhook"]) for i in emails] == [("email", None)]
    assert len(sink.to("truong.qlnl@sct.example.vn")) == 1


async def test_the_admin_attaches_lists_and_deactivates_webhooks_and_nobody_else_may(world, receiver):
    url = receiver.url("/zalo")
    division = await world.post("quantri", "/api/v1/webhooks", {"division": "QLNL", "url": url, "secret": DIVISION_SECRET})
    user = await world.post("quantri", "/api/v1/webhooks", {"user": "truong.qltm", "url": url + "?chat=7", "secret": USER_SECRET})
    assert (division.status_code, user.status_code) == (201, 201), division.text + user.text
    assert {k: division.json()[k] for k in ("division", "user", "url", "active")} == {"division": "QLNL", "user": None, "url": url, "active": True}
    assert {k: user.json()[k] for k in ("division", "user", "active")} == {"division": None, "user": "truong.qltm", "active": True}

    removed = await world.client.delete(f"/api/v1/webhooks/{division.json()['id']}", headers=world.auth("quantri"))
    assert removed.status_code == 200 and removed.json()["active"] is False
    listed = await world.get("quantri", "/api/v1/webhooks")
    assert [(w["id"], w["active"]) for w in listed.json()] == [(division.json()["id"], False), (user.json()["id"], True)]
    assert DIVISION_SECRET not in listed.text + division.text + removed.text and USER_SECRET not in listed.text + user.text
    assert (await world.client.delete("/api/v1/webhooks/9999", headers=world.auth("quantri"))).status_code == 404

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.after).where(AuditEvent.entity_type == "webhook").order_by(AuditEvent.id).run()
    assert [e["action"] for e in events] == ["create_webhook", "create_webhook", "deactivate_webhook"]
    assert not any(DIVISION_SECRET in (e["after"] or "") or USER_SECRET in (e["after"] or "") for e in events)

    for username in ("truong.qlnl", "vanphong", "giamdoc"):
        assert (await world.get(username, "/api/v1/webhooks")).status_code == 403
        refused = await world.post(username, "/api/v1/webhooks", {"division": "QLNL", "url": url, "secret": DIVISION_SECRET})
        assert refused.status_code == 403 and refused.json()["message"] == "Chỉ quản trị viên được thêm webhook."
        assert (await world.client.delete(f"/api/v1/webhooks/{user.json()['id']}", headers=world.auth(username))).status_code == 403
    assert len((await world.get("quantri", "/api/v1/webhooks")).json()) == 2


REFUSED = [
    ({"division": "QLNL", "url": "ftp://bridge.example.vn/hook"}, "url"),
    ({"division": "QLNL", "url": "http://"}, "url"),
    ({"division": "QLNL", "url": "https://bridge.example.vn:99999/hook"}, "url"),
    ({"division": "QLNL", "url": "https://bot:mat-khau@bridge.example.vn/hook"}, "url"),
    ({"division": "QLNL", "url": "https://bridge.example.vn/" + "a" * 480}, "url"),
    ({"division": "QLNL", "secret": "ngan-qua"}, "secret"),
    ({"division": "QLNL", "secret": "x" * 201}, "secret"),
    ({"division": "QLNL", "secret": "hai dong\nbi mat dai du"}, "secret"),
    ({"division": "QLNL", "user": "truong.qlnl"}, "division"),
    ({}, "division"),
    ({"division": "KHONGCO"}, "division"),
    ({"user": "khong.co.ai"}, "user"),
]


async def test_a_webhook_that_could_not_work_is_refused_with_the_field_that_is_wrong(world):
    for body, field in REFUSED:
        r = await world.post("quantri", "/api/v1/webhooks", {"url": "https://bridge.example.vn/hook", "secret": DIVISION_SECRET, **body})
        assert r.status_code == 422 and field in r.json()["fields"] and r.json()["message"], (body, r.text)
    assert (await world.get("quantri", "/api/v1/webhooks")).json() == []
