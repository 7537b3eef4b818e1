"""The .ics feed of a division's open deadlines, behind a secret URL."""

from __future__ import annotations

from icalendar import Calendar

from tests.integration.test_reports_api import TASKS


async def test_a_head_subscribes_to_their_divisions_open_deadlines_without_signing_in(world):
    await world.directive_with_tasks("1234/UBND-KT", [*TASKS, {"title": "Phối hợp kiểm tra", "lead_division": "QLNL",
                                                             "support_divisions": ["QLTM"], "due_on": "2026-03-21"}])
    feeds = (await world.get("truong.qltm", "/api/v1/reports/calendar-feeds")).json()
    assert [f["division"] for f in feeds] == ["QLTM"]
    url = feeds[0]["url"].removeprefix("http://dondoc.test")
    r = await world.client.get(url)  # no token header: the URL is the credential
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(r.content).walk("VEVENT")]
    assert sorted((str(e["summary"]), e["dtstart"].dt.isoformat()) for e in events) == [
        ("[Chủ trì] Báo cáo giá xăng dầu", "2026-03-20"),
        ("[Chủ trì] Kiểm tra chợ Tết", "2026-03-02"),
        ("[Phối hợp với Phòng Quản lý năng lượng] Phối hợp kiểm tra", "2026-03-23"),  # Saturday → Monday
    ]
    assert all(str(e["url"]).startswith("http://dondoc.test/tasks/") for e in events)


async def test_a_wrong_token_or_division_finds_nothing(world):
    feeds = (await world.get("giamdoc", "/api/v1/reports/calendar-feeds")).json()
    assert {f["division"] for f in feeds} == {"VP", "QLNL", "QLTM", "KHTC"}
    good = next(f["url"] for f in feeds if f["division"] == "QLNL").removeprefix("http://dondoc.test")
    assert (await world.client.get(good.replace("/QLNL/", "/QLTM/"))).status_code == 404
    assert (await world.client.get(good[:-8] + "0000.ics")).status_code == 404
    assert (await world.client.get(good.removesuffix(".ics"))).status_code == 404


async def test_a_task_corrected_after_its_deadline_passed_keeps_its_new_date_and_says_since_when_it_is_overdue(world):
    from datetime import date

    from tasks.tables import Task

    await world.directive_with_tasks("1234/UBND-KT", TASKS)
    task = await Task.select(Task.id).where(Task.title == "Báo cáo giá xăng dầu").first().run()
    await Task.update({Task.missed_due_on: date(2026, 2, 28)}).where(Task.id == task["id"]).run()
    feeds = (await world.get("truong.qltm", "/api/v1/reports/calendar-feeds")).json()
    r = await world.client.get(feeds[0]["url"].removeprefix("http://dondoc.test"))
    event = next(e for e in Calendar.from_ical(r.content).walk("VEVENT") if "xăng dầu" in str(e["summary"]))
    assert event["dtstart"].dt.isoformat() == "2026-03-20"
    assert "đã quá hạn từ 02/03/2026" in str(event["description"])  # Saturday 28/02 counts from Monday


async def test_the_admin_rotates_one_divisions_feed_the_old_url_stops_and_the_others_keep_working(world, app):
    from tasks.tables import AuditEvent
    from tests.integration.test_pages import Browser

    before = {f["division"]: f["url"].removeprefix("http://dondoc.test")
              for f in (await world.get("giamdoc", "/api/v1/reports/calendar-feeds")).json()}
    assert (await world.client.get(before["QLNL"])).status_code == 200
    refused = await world.post("truong.qlnl", "/api/v1/divisions/QLNL/feed-token")
    assert refused.status_code == 403
    r = await world.post("quantri", "/api/v1/divisions/QLNL/feed-token")
    assert r.status_code == 200, r.text
    assert r.json()["division"] == "QLNL" and r.json()["name"] == "Phòng Quản lý năng lượng"
    new = r.json()["url"].removeprefix("http://dondoc.test")
    assert new != before["QLNL"]
    assert (await world.client.get(before["QLNL"])).status_code == 404
    assert (await world.client.get(new)).status_code == 200
    after = {f["division"]: f["url"].removeprefix("http://dondoc.test")
             for f in (await world.get("giamdoc", "/api/v1/reports/calendar-feeds")).json()}
    assert after == {**before, "QLNL": new}
    for code in ("VP", "QLTM", "KHTC"):
        assert (await world.client.get(before[code])).status_code == 200
    assert (await world.post("quantri", "/api/v1/divisions/NOPE/feed-token")).status_code == 404
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_username).where(
        AuditEvent.entity_type == "division").order_by(AuditEvent.id).run()
    assert [(e["action"], e["actor_username"]) for e in events][-2:] == [("forbidden", "truong.qlnl"), ("rotate_feed", "quantri")]

    # The same from the admin's divisions page; the head's page shows the address in force.
    admin = Browser(app)
    await admin.sign_in("quantri")
    page = await admin.get("/admin/divisions")
    assert "http://dondoc.test" + new in page.text
    r = await admin.post("/admin/divisions/QLNL/feed-token")
    assert r.status_code == 303 and "msg=feed_rotated" in r.headers["location"]
    assert (await world.client.get(new)).status_code == 404
    head = Browser(app)
    await head.sign_in("truong.qlnl")
    page = await head.get("/division")
    current = (await world.get("truong.qlnl", "/api/v1/reports/calendar-feeds")).json()[0]["url"]
    assert f'value="{current}"' in page.text and current != "http://dondoc.test" + new
    assert "Cách thêm vào điện thoại" in page.text and "iPhone" in page.text and "Google Calendar" in page.text
    assert (await world.client.get(current.removeprefix("http://dondoc.test"))).status_code == 200
    await admin.close()
    await head.close()


async def test_a_url_given_out_before_feed_versions_existed_still_works(world, settings):
    import hashlib
    import hmac

    old = hmac.new(settings.secret_key.encode(), b"calendar-feed:QLNL", hashlib.sha256).hexdigest()[:32]
    assert (await world.client.get(f"/calendar/QLNL/{old}.ics")).status_code == 200
