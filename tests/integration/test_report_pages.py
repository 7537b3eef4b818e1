"""The report page, its downloads, the Excel import page and the escalation ladder page, over HTTP
on both engines, as the people who use them."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest

from tasks.tables import AuditEvent, Task
from tests.integration.test_pages import Browser, one_task

HEADER = ["Lãnh đạo chỉ đạo", "Ngày tạo", "Số phiếu giao việc", "Tên nhiệm vụ cha", "Tên nhiệm vụ", "Chủ trì", "Phối hợp", "Hạn xử lý"]
ROWS = [
    ["Phạm Văn Hải", "05/01/2026", "PGV-001", "Bảo đảm cung ứng điện", "Rà soát phương án cấp điện", "QLNL", "QLTM", "20/03/2026"],
    ["", "06/01/2026", "PGV-002", "", "Kiểm tra thị trường dịp Tết", "Quản lý thương mại", "", "01/01/1970"],
]
HIDDEN = re.compile(r'name="content" value="([^"]*)"')


def workbook(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def upload(browser: Browser, content: bytes, name: str = "nhiem-vu.xlsx", csrf: bool = True):
    await browser.get("/import")
    data = {"_csrf_token": browser.token} if csrf else {}
    files = {"file": (name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return await browser.http.post("/import", data=data, files=files)


async def test_a_leader_reads_both_completion_rates_with_their_formulas_the_trend_and_the_overdue_list(world, browser):
    overdue = await one_task(world, due_on="2026-02-26", title="Rà soát cửa hàng xăng dầu")
    await one_task(world, number="88/TB-UBND", due_on="2026-03-20")
    await browser.sign_in("giamdoc")
    page = await browser.get("/reports")
    assert page.status_code == 200
    text = page.text
    for label in ("Tỷ lệ hoàn thành (trên số đến hạn)", "Đã hoàn thành ÷ (Đã hoàn thành + Quá hạn chưa hoàn thành)", "Tỷ lệ đúng hạn",
                  "Tỷ lệ cập nhật tiến độ"):
        assert label in text
    # 0 done of 1 fallen due; 0 of 2 assigned.
    assert "= 0 ÷ 1" in text and "= 0 ÷ 2" in text
    assert '<svg class="chart" viewBox' in text and 'class="line s2"' in text  # the trend, drawn on the server
    assert f'href="/tasks/{overdue}"' in text and "26/02/2026" in text
    assert 'href="/reports/completion/xlsx"' in text


async def test_the_period_and_grouping_carry_into_the_downloads_and_a_bad_date_is_explained(world, browser):
    await one_task(world, due_on="2026-02-26")
    await browser.sign_in("vanphong")
    page = await browser.get("/reports?from=01/03/2026&to=03/03/2026&group_by=leader")
    assert page.status_code == 200
    assert "Phạm Văn Hải" in page.text and 'href="/reports/completion/docx?from=01/03/2026&amp;to=03/03/2026&amp;group_by=leader"' in page.text
    bad = await browser.get("/reports?from=31/02/2026")
    assert bad.status_code == 422 and "dd/mm/yyyy" in bad.text
    xlsx = await browser.http.get("/reports/completion/xlsx?group_by=leader")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[2]][1] == "Phạm Văn Hải" and sheet.cell(2, 3).value == 1
    csv = await browser.http.get("/reports/overdue/csv")
    assert csv.status_code == 200 and "Rà soát phương án cung ứng điện mùa khô" in csv.content.decode("utf-8-sig")
    docx = await browser.http.get("/reports/completion/docx?from=01/03/2026")
    assert docx.status_code == 200 and docx.content[:2] == b"PK" and docx.headers["content-disposition"].endswith('.docx"')
    pdf = await browser.http.get("/reports/completion/pdf")
    assert pdf.status_code == 422 and "Định dạng không hợp lệ: pdf" in pdf.text


async def test_a_head_sees_only_their_own_division_in_the_report_and_its_downloads(world, browser):
    await one_task(world, due_on="2026-02-26")
    await one_task(world, number="9/UBND", lead_division="QLTM", title="Kiểm tra giá xăng dầu", support_divisions=[], due_on="2026-02-26")
    await browser.sign_in("truong.qltm")
    page = await browser.get("/reports")
    assert "Kiểm tra giá xăng dầu" in page.text and "Rà soát phương án cung ứng điện mùa khô" not in page.text
    assert 'href="/reports" aria-current="page"' in page.text and 'href="/import"' not in page.text  # the menu
    csv = (await browser.http.get("/reports/overdue/csv")).content.decode("utf-8-sig")
    assert "Kiểm tra giá xăng dầu" in csv and "Rà soát phương án" not in csv


async def test_the_office_previews_an_import_then_imports_it_once_and_a_second_time_adds_nothing(world, browser):
    await browser.sign_in("vanphong")
    content = workbook(ROWS)
    preview = await upload(browser, content)
    assert preview.status_code == 200
    assert "Rà soát phương án cấp điện" in preview.text and "Kiểm tra thị trường dịp Tết" in preview.text
    assert await Task.count().run() == 0  # a preview writes nothing
    hidden = HIDDEN.search(preview.text)[1]
    assert base64.b64decode(hidden) == content
    done = await browser.post("/import/confirm", {"content": hidden, "filename": "nhiem-vu.xlsx"})
    assert done.status_code == 200 and "Đã nhập 2 nhiệm vụ mới" in done.text
    assert await Task.count().run() == 2
    again = await upload(browser, content)
    assert "Không có gì mới để nhập" in again.text and HIDDEN.search(again.text) is None
    replay = await browser.post("/import/confirm", {"content": hidden, "filename": "nhiem-vu.xlsx"})
    assert replay.status_code == 200 and "Không thêm gì" in replay.text
    assert await Task.count().run() == 2


async def test_a_file_with_bad_rows_is_refused_row_by_row_and_offers_no_import(world, browser):
    await browser.sign_in("vanphong")
    bad = ROWS + [["", "07/01/2026", "PGV-003", "", "Việc của phòng lạ", "Phòng Không Có", "", "31/31/2026"]]
    preview = await upload(browser, workbook(bad))
    assert preview.status_code == 422
    assert "Không tìm thấy đơn vị chủ trì: Phòng Không Có" in preview.text and "31/31/2026" in preview.text
    assert re.search(r'<td class="num">4</td>', preview.text)  # the header is row 1
    assert HIDDEN.search(preview.text) is None and await Task.count().run() == 0
    junk = await upload(browser, b"not a workbook", name="notes.xlsx")
    assert junk.status_code == 422 and "Excel" in junk.text


async def test_only_the_office_imports_and_a_form_without_its_token_is_refused(world, browser, app):
    await browser.sign_in("truong.qlnl")
    assert (await browser.get("/import")).status_code == 403
    office = Browser(app)
    await office.sign_in("vanphong")
    assert (await upload(office, workbook(ROWS), csrf=False)).status_code == 403
    assert await Task.count().run() == 0
    await office.close()


def ladder_form(rows: list[dict], **fields) -> dict:
    form = {"rows": str(len(rows)), "start": "07:30", "end": "17:00", "catch_up_days": "10", "director": "", **fields}
    for i, r in enumerate(rows):
        form[f"rules.{i}.name"], form[f"rules.{i}.offset"] = r["name"], str(r["offset"])
        for kind in r.get("to", []):
            form[f"rules.{i}.{kind}"] = "to"
        for kind in r.get("cc", []):
            form[f"rules.{i}.{kind}"] = "cc"
        if r.get("remove"):
            form[f"rules.{i}.remove"] = "1"
    return form


async def test_the_admin_changes_an_offset_adds_a_rule_removes_one_and_it_is_audited(world, browser):
    saved_before = await AuditEvent.count().where(AuditEvent.action == "update_escalation_settings").run()
    await browser.sign_in("quantri")
    page = await browser.get("/admin/escalation")
    assert page.status_code == 200 and 'value="overdue_7"' in page.text
    rules = [
        {"name": "remind_3", "offset": -3, "to": ["lead_head", "assignee"]},
        {"name": "remind_1", "offset": -1, "to": ["lead_head"], "remove": True},
        {"name": "overdue_7", "offset": 5, "to": ["director"], "cc": ["leader_in_charge"]},
        {"name": "overdue_10", "offset": 10, "to": ["director"], "cc": ["office"]},
    ]
    r = await browser.post("/admin/escalation", ladder_form(rules, director="pgd.hai", start="08:00"))
    assert (r.status_code, r.headers["location"]) == (303, "/admin/escalation?msg=ladder_saved")
    settings = (await world.get("quantri", "/api/v1/settings/escalation")).json()
    assert [(x["name"], x["offset"], x["to"], x["cc"]) for x in settings["rules"]] == [
        ("remind_3", -3, ["lead_head", "assignee"], []), ("overdue_7", 5, ["director"], ["leader_in_charge"]),
        ("overdue_10", 10, ["director"], ["office"])]
    assert settings["director"] == "pgd.hai" and settings["working_hours"]["start"] == "08:00"
    assert await AuditEvent.count().where(AuditEvent.action == "update_escalation_settings").run() == saved_before + 1


async def test_a_wrong_ladder_is_refused_in_vietnamese_at_the_row_and_nothing_is_saved(world, browser):
    saved_before = await AuditEvent.count().where(AuditEvent.action == "update_escalation_settings").run()
    await browser.sign_in("quantri")
    await browser.get("/admin/escalation")
    rules = [{"name": "remind_3", "offset": -3, "to": ["lead_head"]}, {"name": "", "offset": "", "remove": False},
             {"name": "overdue_3", "offset": -3, "to": ["leader_in_charge"]}]
    r = await browser.post("/admin/escalation", ladder_form(rules))
    assert r.status_code == 422
    assert "Hai quy tắc không được rơi vào cùng một ngày làm việc (-3)." in r.text
    # The message sits at the third row of the form, the one at fault.
    assert re.search(r'name="rules\.2\.offset"[^>]*>\s*<span class="field-err">', r.text)
    r = await browser.post("/admin/escalation", ladder_form([{"name": "remind_3", "offset": -3, "to": ["lead_head"]}], end="25:00"))
    assert r.status_code == 422 and "HH:MM" in r.text
    assert await AuditEvent.count().where(AuditEvent.action == "update_escalation_settings").run() == saved_before


async def test_only_the_admin_opens_or_saves_the_ladder(world, browser):
    await browser.sign_in("giamdoc")
    assert (await browser.get("/admin/escalation")).status_code == 403
    assert (await browser.post("/admin/escalation", ladder_form([{"name": "x", "offset": 1, "to": ["office"]}]))).status_code == 403
    settings = (await world.get("quantri", "/api/v1/settings/escalation")).json()
    assert "x" not in [r["name"] for r in settings["rules"]]


async def test_the_report_page_makes_the_same_queries_for_200_tasks_as_for_2(world, db, browser):
    from tests.integration.test_pages import TASK, QueryCounter

    tasks = [{**TASK, "title": f"Nhiệm vụ số {i}", "due_on": f"2026-03-{1 + i % 28:02d}"} for i in range(200)]
    await world.directive_with_tasks("1/UBND-KT", tasks[:2])
    await browser.sign_in("giamdoc")
    counts = []
    for more in (None, tasks[2:]):
        if more:
            await world.directive_with_tasks("2/UBND-KT", more)
        with QueryCounter(db.engine) as counter:
            page = await browser.get("/reports?group_by=directive")
        assert page.status_code == 200
        counts.append(counter.count)
    print(f"\nqueries for /reports with 2 and with 200 tasks: {counts}")
    assert counts[0] == counts[1]
    assert counts[1] <= 45  # the 12-week trend is two statements a week; nothing grows with the rows
