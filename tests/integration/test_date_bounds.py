"""Dates outside 01/01/2000–31/12/2100 are refused wherever they are accepted — API bodies and
filters, report periods, page forms, the Excel import — with a 4xx in the user's language, and
nothing is written."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tasks import importer
from tasks.calendar import build_calendar
from tasks.i18n import gettext_for
from tasks.tables import CalendarDay, Directive, ExtensionRequest, Task
from tests.integration.test_import import office, workbook  # noqa: F401  (office is a fixture)
from tests.integration.test_pages import TASK, Browser, one_task

OUT_OF_RANGE = ["9999-12-31", "1999-12-31"]
VIETNAMESE = "nằm ngoài khoảng ngày dondoc chấp nhận, từ 01/01/2000 đến 31/12/2100"
FIELD_VIETNAMESE = "Không nằm trong khoảng 01/01/2000 – 31/12/2100"
DIRECTIVE = {"number": "2150/UBND-KT", "issuer": "UBND tỉnh", "issued_on": "2026-02-25", "received_on": "2026-02-26"}


def dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def assert_refused_in_vietnamese(response, field: str, iso: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == f"Ngày {dmy(iso)} {VIETNAMESE}."
    assert body["fields"] == {field: FIELD_VIETNAMESE}


@pytest.mark.parametrize("iso", OUT_OF_RANGE)
@pytest.mark.parametrize("field, body", [
    ("issued_on", lambda d: {**DIRECTIVE, "issued_on": d}),
    ("received_on", lambda d: {**DIRECTIVE, "received_on": d}),
    ("tasks.1.due_on", lambda d: {**DIRECTIVE, "tasks": [TASK, {**TASK, "title": "Nhiệm vụ thứ hai", "due_on": d}]}),
])
async def test_a_directive_with_a_date_out_of_range_is_refused_in_vietnamese_and_nothing_is_recorded(world, iso, field, body):
    r = await world.post("vanphong", "/api/v1/directives", body(iso))
    assert_refused_in_vietnamese(r, field, iso)
    assert await Directive.count().run() == 0 and await Task.count().run() == 0


@pytest.mark.parametrize("iso", OUT_OF_RANGE)
async def test_each_task_body_refuses_a_date_out_of_range(world, iso):
    task_id = await one_task(world)
    directive_id = (await Task.select(Task.directive).first().run())["directive"]
    r = await world.post("vanphong", "/api/v1/tasks", {**TASK, "directive": directive_id, "due_on": iso})
    assert_refused_in_vietnamese(r, "due_on", iso)
    r = await world.patch("vanphong", f"/api/v1/tasks/{task_id}", {"reason": "Sửa hạn theo văn bản mới", "due_on": iso})
    assert_refused_in_vietnamese(r, "due_on", iso)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": iso, "reason": "Chờ số liệu EVN"})
    assert_refused_in_vietnamese(r, "requested_due_on", iso)
    assert await ExtensionRequest.count().run() == 0
    assert (await Task.select(Task.due_on).where(Task.id == task_id).first().run())["due_on"] == date(2026, 3, 20)


@pytest.mark.parametrize("iso", OUT_OF_RANGE)
async def test_the_calendar_refuses_a_day_out_of_range(world, iso):
    r = await world.post("quantri", "/api/v1/calendar", {"day": iso, "kind": "holiday", "name": "Nghỉ bù"})
    assert_refused_in_vietnamese(r, "day", iso)
    assert await CalendarDay.count().run() == 0


@pytest.mark.parametrize("iso", OUT_OF_RANGE)
@pytest.mark.parametrize("path, field", [
    ("/api/v1/tasks?due_from={}", "due_from"), ("/api/v1/tasks?due_to={}", "due_to"),
    ("/api/v1/reports/completion?from={}", "from"), ("/api/v1/reports/overdue?to={}", "to"),
    ("/api/v1/reports/completion/export?format=csv&from={}", "from"), ("/api/v1/reports/overdue?as_of={}T09:00:00%2B07:00", "as_of"),
])
async def test_list_filters_and_report_periods_refuse_a_date_out_of_range(world, iso, path, field):
    assert_refused_in_vietnamese(await world.get("vanphong", path.format(iso)), field, iso)


async def test_the_bounds_themselves_are_accepted(world):
    r = await world.post("vanphong", "/api/v1/directives", {**DIRECTIVE, "issued_on": "2000-01-01", "tasks": [{**TASK, "due_on": "2100-12-31"}]})
    assert r.status_code == 201, r.text
    assert (await world.get("vanphong", "/api/v1/tasks?due_from=2000-01-01&due_to=2100-12-31")).json()["total"] == 1


# --- Pages -----------------------------------------------------------------------------------

@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def test_the_directive_form_refuses_a_deadline_out_of_range_in_vietnamese_and_records_nothing(world, browser):
    await browser.sign_in("vanphong")
    await browser.get("/directives/new")
    r = await browser.post("/directives", {
        "number": "2150/UBND-KT", "issuer": "UBND tỉnh", "issued_on": "25/02/2026", "received_on": "26/02/2026", "kind": "document",
        "rows": "1", "tasks.0.title": "Rà soát phương án cung ứng điện", "tasks.0.lead_division": "QLNL", "tasks.0.due_on": "31/12/9999",
    })
    assert r.status_code == 422 and f"Ngày 31/12/9999 {VIETNAMESE}." in r.text and FIELD_VIETNAMESE in r.text
    assert await Directive.count().run() == 0


async def test_the_extension_form_and_the_task_filters_refuse_a_date_out_of_range(world, browser):
    task_id = await one_task(world)
    await browser.sign_in("truong.qlnl")
    await browser.get(f"/tasks/{task_id}")
    r = await browser.post(f"/tasks/{task_id}/extensions", {"requested_due_on": "31/12/1999", "reason": "Chờ số liệu EVN"})
    assert r.status_code == 422 and f"Ngày 31/12/1999 {VIETNAMESE}." in r.text
    assert await ExtensionRequest.count().run() == 0
    r = await browser.get("/tasks?due_from=31/12/9999")
    assert r.status_code == 422 and f"Ngày 31/12/9999 {VIETNAMESE}." in r.text


async def test_the_calendar_and_report_pages_refuse_a_date_out_of_range(world, browser):
    await browser.sign_in("quantri")
    await browser.get("/admin/calendar?year=2026")
    r = await browser.post("/admin/calendar", {"day": "01/01/2101", "kind": "holiday", "name": "Nghỉ bù"})
    assert r.status_code == 422 and f"Ngày 01/01/2101 {VIETNAMESE}." in r.text
    assert await CalendarDay.count().run() == 0
    r = await browser.get("/reports?from=31/12/1999")
    assert r.status_code == 422 and f"Ngày 31/12/1999 {VIETNAMESE}." in r.text
    assert (await browser.http.get("/reports/completion/xlsx?to=31/12/9999")).status_code == 422


async def test_a_task_due_on_the_last_accepted_day_shows_on_every_page_and_in_the_feed(world, browser):
    """The defect was a deadline of 31/12/9999: it is refused at the door now, and the latest day
    that is accepted works wherever a deadline is shown (the extreme dates once overflowed there)."""
    task_id = await one_task(world, due_on="2100-12-31")
    await browser.sign_in("truong.qlnl")
    for path in (f"/tasks/{task_id}", "/tasks?division=QLNL", "/division"):
        r = await browser.get(path)
        assert r.status_code == 200 and "31/12/2100" in r.text, path
    await browser.post("/signout")
    await browser.sign_in("giamdoc")
    assert (await browser.get("/leader")).status_code == 200
    feeds = (await world.get("truong.qlnl", "/api/v1/reports/calendar-feeds")).json()
    r = await world.client.get(feeds[0]["url"].removeprefix("http://dondoc.test"))
    assert r.status_code == 200 and b"21001231" in r.content


# --- Import ----------------------------------------------------------------------------------

async def test_an_import_row_with_a_date_out_of_range_is_refused_with_its_column_and_nothing_is_imported(db, office):  # noqa: F811
    cal = build_calendar("Asia/Ho_Chi_Minh", [])
    now = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
    rows = [
        ["Phạm Văn Hải", "05/01/2026", "PGV-001", "", "Rà soát phương án cấp điện", "QLNL", "", "20/03/2026"],
        ["Phạm Văn Hải", "05/01/2026", "PGV-001", "", "Hạn là chỗ giữ chỗ", "QLNL", "", "31/12/9999"],
        ["Phạm Văn Hải", date(1999, 12, 31), "PGV-002", "", "Ngày tạo gõ nhầm", "QLNL", "", "20/03/2026"],
        ["Phạm Văn Hải", "05/01/2026", "PGV-003", "", "01/01/1970 vẫn là không thời hạn", "QLNL", "", "01/01/1970"],
    ]
    result = await importer.import_xlsx(db, office, now, cal, workbook(rows))
    messages = importer.result_dict(result, gettext_for("vi"))["errors"]
    assert messages == [
        {"row": 4, "message": f"Ngày 31/12/9999 ở cột Hạn xử lý {VIETNAMESE}."},
        {"row": 5, "message": f"Ngày 31/12/1999 ở cột Ngày tạo {VIETNAMESE}."},
    ]
    assert result.imported is False and await Task.count().run() == 0
