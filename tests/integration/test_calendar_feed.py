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
