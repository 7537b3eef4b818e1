""""Xuất Excel" on the task list and the register, and "Tải mẫu" on the import page, over HTTP on
both engines: the download holds every row the filters select (all pages, the head's scope), dates
are Excel dates, the extra columns say what the list says, the file reads back through the import
as "already in dondoc", and the template's example row imports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import openpyxl
import pytest

from tasks.importer import DONDOC_COLUMNS
from tasks.tables import Task
from tests.integration.test_pages import Browser

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def register(world) -> dict[str, list[int]]:
    """52 QLNL tasks (more than a page of 50), two of them in progress and one submitted; QLTM
    tasks, one of which QLNL supports; a KHTC task."""
    qlnl = await world.directive_with_tasks("215/UBND-KT", [
        {"title": f"Rà soát trạm biến áp số {i:02d}", "lead_division": "QLNL", "leader_in_charge": "pgd.hai",
         "due_on": f"2026-03-{1 + i % 28:02d}" if i % 5 else None} for i in range(52)])
    qltm = await world.directive_with_tasks("16/KH-SCT", [
        {"title": "Kiểm tra thị trường dịp Tết", "lead_division": "QLTM", "support_divisions": ["QLNL", "KHTC"], "due_on": "2026-03-20"},
        {"title": "=HYPERLINK(\"http://x.example\",\"Bấm\")", "lead_division": "QLTM", "due_on": "2026-04-10"},
        {"title": "Báo cáo giá xăng dầu", "lead_division": "KHTC"},
    ], issued_on="2026-01-12", received_on="2026-01-13", summary="Kế hoạch kiểm tra thị trường")
    ids = [t["id"] for t in qlnl["tasks"]]
    for task_id, percent in ((ids[1], 40), (ids[2], 70)):
        r = await world.post("truong.qlnl", f"{API}/tasks/{task_id}/progress", {"percent": percent, "note": f"Đã làm {percent}%"})
        assert r.status_code == 200, r.text
    r = await world.post("truong.qlnl", f"{API}/tasks/{ids[3]}/submit", {"note": "Xong"})
    assert r.status_code == 200, r.text
    return {"qlnl": ids, "qltm": [t["id"] for t in qltm["tasks"]]}


def sheet_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


async def listed(world, user: str, **params) -> list[dict]:
    r = await world.get(user, f"{API}/tasks", params={**params, "limit": 500})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def signed_in(app, username: str) -> Browser:
    b = Browser(app)
    r = await b.sign_in(username)
    assert r.status_code == 303, r.text
    await b.get("/tasks")
    return b


async def preview(b: Browser, content: bytes, name: str = "export.xlsx"):
    await b.get("/import")
    return await b.http.post("/import", data={"_csrf_token": b.token}, files={"file": (name, content, XLSX)})


def counts(page: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))


async def test_the_excel_export_of_a_filtered_list_holds_every_page_and_imports_back_as_already_in_dondoc(world, app, register):
    office = await signed_in(app, "vanphong")
    try:
        r = await office.http.get("/tasks/export/xlsx?division=QLNL")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(XLSX)
        assert r.headers["content-disposition"] == 'attachment; filename="nhiem-vu-qlnl-2026-03-03.xlsx"'
        sheet = sheet_of(r.content)
        header = [c.value for c in sheet[1]]
        assert header == [*DONDOC_COLUMNS.values(), "Trạng thái", "Tiến độ (%)", "Tình trạng", "Tiến độ gần nhất", "Ngày báo cáo tiến độ"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        # Every task of the list, in its order, not its first page of 50: the 52 it leads and the one it supports.
        expected = await listed(world, "vanphong", division="QLNL")
        assert len(expected) == 53 and [row[4] for row in rows] == [t["title"] for t in expected]

        r = await office.http.get("/tasks/export/xlsx?division=QLNL&state=in_progress")
        sheet = sheet_of(r.content)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [(row[4], row[10], row[11], row[12], row[13], row[14]) for row in rows] == [
            ("Rà soát trạm biến áp số 01", "Đang thực hiện", 40, "Quá hạn", "Đã làm 40%", datetime(2026, 3, 3)),
            ("Rà soát trạm biến áp số 02", "Đang thực hiện", 70, "Sắp đến hạn", "Đã làm 70%", datetime(2026, 3, 3)),
        ]
        due = sheet.cell(row=2, column=9)
        assert (due.value, due.is_date, due.number_format) == (datetime(2026, 3, 2), True, "DD/MM/YYYY")
        assert sheet.cell(row=2, column=3).is_date and sheet.cell(row=2, column=10).value == datetime(2026, 3, 3)
        assert sheet.freeze_panes == "A2" and sheet.column_dimensions["E"].width >= len("Rà soát trạm biến áp số 01")
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage

        for query, n in (("division=QLNL", 53), ("division=QLNL&state=in_progress", 2), ("", 55)):
            exported = (await office.http.get(f"/tasks/export/xlsx?{query}")).content
            page = (await preview(office, exported)).text
            assert counts(page) == {"Số dòng đã đọc": str(n), "Nhiệm vụ mới sẽ nhập": "0", "Văn bản chỉ đạo mới": "0",
                                    "Đã có trong dondoc (bỏ qua)": str(n), "Trùng lặp trong tệp (chỉ nhập một lần)": "0"}, query
            assert "confirm-import" not in page and "Không có gì mới để nhập" in page
    finally:
        await office.close()


async def test_the_csv_export_is_the_same_list_in_utf8_with_a_bom(world, app, register):
    office = await signed_in(app, "vanphong")
    try:
        r = await office.http.get("/tasks/export/csv?q=th%E1%BB%8B+tr%C6%B0%E1%BB%9Dng+T%E1%BA%BFt")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Số ký hiệu", "Cơ quan ban hành", "Ngày ban hành"]
        assert [(row[0], row[2], row[4], row[6], row[8], row[12]) for row in rows[1:]] == [
            ("16/KH-SCT", "12/01/2026", "Kiểm tra thị trường dịp Tết", "Phòng Kế hoạch - Tài chính; Phòng Quản lý năng lượng", "20/03/2026", "Đang thực hiện trong hạn")]
    finally:
        await office.close()


async def test_a_head_exports_what_their_list_shows_them(world, app, register):
    head = await signed_in(app, "truong.qltm")
    try:
        rows = list(sheet_of((await head.http.get("/tasks/export/xlsx")).content).iter_rows(min_row=2, values_only=True))
        assert [row[4] for row in rows] == [t["title"] for t in await listed(world, "truong.qltm")]
        assert sorted(row[4] for row in rows) == sorted(["Kiểm tra thị trường dịp Tết", "=HYPERLINK(\"http://x.example\",\"Bấm\")"])
        # Another division's filter gives only what the head may see of it: the tasks QLNL leads that QLTM supports (none).
        rows = list(sheet_of((await head.http.get("/tasks/export/xlsx?division=QLNL")).content).iter_rows(min_row=2, values_only=True))
        assert [row[4] for row in rows] == ["Kiểm tra thị trường dịp Tết"]
        assert (await head.http.get("/directives/export/xlsx")).status_code == 403
        assert (await head.http.get("/import/template")).status_code == 403
    finally:
        await head.close()


async def test_an_export_refuses_an_unknown_format_or_filter_with_a_page(world, app, register):
    office = await signed_in(app, "vanphong")
    try:
        for path in ("/tasks/export/pdf", "/tasks/export/xlsx?state=lost", "/tasks/export/xlsx?due_from=31/02/2026",
                     "/tasks/export/xlsx?division=KHONG", "/directives/export/docx"):
            r = await office.http.get(path)
            assert r.status_code == 422 and "text/html" in r.headers["content-type"], path
    finally:
        await office.close()


async def test_the_register_export_lists_every_directive_the_search_finds(world, app, register):
    for i in range(55):
        await world.directive_with_tasks(f"{100 + i}/UBND-TH", [{"title": f"Việc {i}", "lead_division": "VP"}], summary="Về việc tổng hợp")
    office = await signed_in(app, "vanphong")
    try:
        r = await office.http.get("/directives/export/xlsx?q=t%E1%BB%95ng+h%E1%BB%A3p")
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="van-ban-chi-dao-2026-03-03.xlsx"'
        sheet = sheet_of(r.content)
        assert [c.value for c in sheet[1]] == ["Số ký hiệu", "Trích yếu", "Cơ quan ban hành", "Người ký", "Ngày ban hành", "Ngày nhận",
                                               "Loại", "Nhiệm vụ"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 55 and rows[0][0] == "154/UBND-TH" and rows[0][7] == 1
        assert sheet.cell(row=2, column=5).is_date and sheet.cell(row=2, column=5).value == datetime(2026, 2, 25)
        r = await office.http.get("/directives/export/csv")
        lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(lines) == 1 + 57 and ["16/KH-SCT", "Kế hoạch kiểm tra thị trường", "UBND tỉnh", "Chủ tịch UBND tỉnh", "12/01/2026",
                                        "13/01/2026", "Văn bản", "3"] in lines
    finally:
        await office.close()


async def test_the_template_has_the_header_and_an_example_row_that_imports(world, app):
    office = await signed_in(app, "vanphong")
    try:
        r = await office.http.get("/import/template")
        assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="mau-nhap-nhiem-vu.xlsx"'
        sheet = sheet_of(r.content)
        assert [c.value for c in sheet[1]] == list(DONDOC_COLUMNS.values())
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 1
        assert (rows[0][5], rows[0][6], rows[0][7]) == ("Văn phòng Sở", "Phòng Quản lý năng lượng", "Phạm Văn Hải")
        assert sheet.cell(row=2, column=9).is_date and rows[0][8] > datetime(2026, 3, 3)

        page = (await preview(office, r.content, "mau.xlsx")).text
        assert counts(page)["Nhiệm vụ mới sẽ nhập"] == "1", page
        content = re.search(r'name="content" value="([^"]+)"', page)[1]
        done = await office.http.post("/import/confirm", data={"_csrf_token": office.token, "content": content, "filename": "mau.xlsx"})
        assert done.status_code == 200 and "Đã nhập 1 nhiệm vụ mới" in done.text
        task = await Task.select(Task.title, Task.lead_division.code, Task.due_on).first().run()
        assert task["title"] == rows[0][4] and task["lead_division.code"] == "VP" and task["due_on"] == rows[0][8].date()
        assert task["due_on"] > date(2026, 3, 3)
        page = await office.get("/import")
        assert 'href="/import/template"' in page.text and "Xuất Excel" in page.text
    finally:
        await office.close()


async def test_the_list_pages_offer_the_export_of_what_they_show(world, app, register):
    office = await signed_in(app, "vanphong")
    try:
        page = (await office.get("/tasks?division=QLNL&state=in_progress&q=tr%E1%BA%A1m")).text
        assert 'href="/tasks/export/xlsx?division=QLNL&amp;state=in_progress&amp;q=tr%E1%BA%A1m"' in page
        assert 'href="/tasks/export/csv?division=QLNL&amp;state=in_progress&amp;q=tr%E1%BA%A1m"' in page
        page = (await office.get("/directives?q=16")).text
        assert 'href="/directives/export/xlsx?q=16"' in page
    finally:
        await office.close()


async def test_a_list_longer_than_an_export_takes_is_refused_with_a_page_that_says_to_narrow_it(world, app, register, monkeypatch):
    from tasks.exports import directive_list, task_list

    monkeypatch.setattr(task_list, "MAX_EXPORT_ROWS", 52)
    monkeypatch.setattr(directive_list, "MAX_EXPORT_ROWS", 1)
    office = await signed_in(app, "vanphong")
    try:
        r = await office.http.get("/tasks/export/xlsx?division=QLNL")
        assert r.status_code == 422 and "Danh sách có 53 nhiệm vụ, nhiều hơn 52 dòng một lần xuất" in r.text
        assert (await office.http.get("/tasks/export/csv?division=QLNL&state=in_progress")).status_code == 200
        r = await office.http.get("/directives/export/csv")
        assert r.status_code == 422 and "Danh sách có 2 văn bản" in r.text
    finally:
        await office.close()
