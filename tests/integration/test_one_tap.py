"""One tap from the email: the link a head gets lets them, without signing in, report progress on,
submit, or ask an extension for that one task, audited as them via the email link; any other use
is refused with 403 and a way to sign in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tasks import email_links
from tasks.tables import AuditEvent, ProgressReport, User
from tests.integration.test_pages import TASK, Browser

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def setup(world, settings) -> tuple[int, int, str]:
    d = await world.directive_with_tasks("2150/UBND-KT", [TASK, {**TASK, "title": "Kiểm tra giá xăng dầu", "lead_division": "QLTM", "support_divisions": []}])
    mine, other = d["tasks"][0]["id"], d["tasks"][1]["id"]
    head = await User.select(User.id, User.credential_version).where(User.username == "truong.qlnl").first().run()
    token = email_links.sign(head["id"], head["credential_version"], mine, world.clock.now(), settings.secret_key)
    return mine, other, token


async def test_a_head_reports_progress_from_the_link_and_the_history_says_so(world, browser, settings):
    mine, _, token = await setup(world, settings)
    page = await browser.get(f"/u/{token}")
    assert page.status_code == 200 and TASK["title"] in page.text and "Lưu tiến độ" in page.text
    assert 'class="bell' not in page.text  # nobody is signed in
    r = await browser.post(f"/u/{token}/progress", {"percent": "40", "note": "Đã khảo sát 3 huyện", "task": str(mine), "expected_state": "open"})
    assert r.status_code == 303 and r.headers["location"] == f"/u/{token}?msg=progress_saved"
    report = await ProgressReport.select(ProgressReport.percent, ProgressReport.author.username.as_alias("by")).first().run()
    assert report == {"percent": 40, "by": "truong.qlnl"}
    event = await AuditEvent.select(AuditEvent.actor_username, AuditEvent.via).where(AuditEvent.action == "report_progress").first().run()
    assert event == {"actor_username": "truong.qlnl", "via": "email_link"}
    history = (await world.get("truong.qlnl", f"/api/v1/tasks/{mine}/history")).json()
    assert history[-1]["via"] == "email_link"
    await browser.sign_in("truong.qlnl")
    assert "qua liên kết trong email" in (await browser.get(f"/tasks/{mine}")).text


async def test_the_link_submits_and_asks_an_extension_under_the_same_rules(world, browser, settings):
    mine, _, token = await setup(world, settings)
    await browser.get(f"/u/{token}")
    r = await browser.post(f"/u/{token}/extensions", {"requested_due_on": "01/01/2020", "reason": "Chờ EVN", "task": str(mine)})
    assert r.status_code == 422 and TASK["title"] in r.text  # refused on the same one-screen page, as on the task page
    r = await browser.post(f"/u/{token}/extensions", {"requested_due_on": "30/04/2026", "reason": "Chờ EVN", "task": str(mine)})
    assert r.status_code == 303
    r = await browser.post(f"/u/{token}/submit", {"note": "Đã gửi báo cáo", "task": str(mine)})
    assert r.status_code == 303
    task = (await world.get("vanphong", f"/api/v1/tasks/{mine}")).json()
    assert task["state"] == "submitted" and task["extensions"][0]["state"] == "pending"


async def test_any_other_use_of_the_link_is_refused_with_a_way_to_sign_in(world, browser, settings, clock):
    mine, other, token = await setup(world, settings)
    await browser.get(f"/u/{token}")
    # Another task's id in the form.
    r = await browser.post(f"/u/{token}/progress", {"percent": "40", "note": "x", "task": str(other)})
    assert r.status_code == 403 and 'href="/signin"' in r.text
    # An altered token.
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (await browser.get(f"/u/{altered}")).status_code == 403
    # An API token is not a link, and a link is not an API token.
    api_token = world.auth("truong.qlnl")["Authorization"].split()[1]
    assert (await browser.get(f"/u/{api_token}")).status_code == 403
    assert (await world.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    # Expired: 14 days on.
    clock.advance(timedelta(days=14, minutes=1))
    assert (await browser.get(f"/u/{token}")).status_code == 403
    clock.advance(-timedelta(days=14, minutes=1))
    assert (await browser.get(f"/u/{token}")).status_code == 200
    # A password change ends it; so does a deactivation.
    await User.update({User.credential_version: User.credential_version + 1}).where(User.username == "truong.qlnl").run()
    assert (await browser.get(f"/u/{token}")).status_code == 403
    assert await ProgressReport.count().run() == 0


async def test_a_deactivated_heads_link_is_refused(world, browser, settings, db, clock):
    from tasks import accounts

    _, _, token = await setup(world, settings)
    admin = accounts.actor_from_row({**await User.select().where(User.username == "quantri").first().run()})
    await accounts.update_user(db, admin, clock.now(), world.user_ids["truong.qlnl"], full_name="Trần Văn Năng",
                               email="truong.qlnl@sct.example.vn", role="head", division_code="QLNL", active=False, locale="vi")
    assert (await browser.get(f"/u/{token}")).status_code == 403


async def test_the_reminder_to_a_head_carries_a_working_one_tap_link(world, browser, settings, db, sink, clock):
    from notify.mailer import SmtpMailer
    from notify.passes import Notifier

    mine, _, _ = await setup(world, settings)
    await Notifier(db, SmtpMailer(sink.url), timezone=settings.timezone, base_url="http://dondoc.test", mail_from="d@sct.example.vn",
                   link_key=settings.secret_key).run_pass(clock.now())
    text = sink.to("truong.qlnl@sct.example.vn")[0].get_body(("plain",)).get_content()
    link = re.search(r"http://dondoc.test(/u/[\w.-]+)", text)[1]
    page = await browser.get(link)
    assert page.status_code == 200 and TASK["title"] in page.text
    office = sink.to("vanphong@sct.example.vn")
    assert all("/u/" not in m.get_body(("plain",)).get_content() for m in office)  # only heads get one
