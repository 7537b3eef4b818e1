"""The report API as leaders, the office and division heads use it."""

from __future__ import annotations

import io

import openpyxl

from tests.integration.test_import import CLEAN, workbook

TASKS = [
    {"title": "Rà soát phương án cấp điện", "lead_division": "QLNL", "leader_in_charge": "pgd.hai", "due_on": "2026-02-27"},
    {"title": "Báo cáo giá xăng dầu", "lead_division": "QLTM", "due_on": "2026-03-20"},
    {"title": "Kiểm tra chợ Tết", "lead_division": "QLTM", "due_on": "2026-03-02"},
]


async def test_leaders_see_every_division_with_labelled_rates_and_heads_only_their_own(world):
    await world.directive_with_tasks("1234/UBND-KT", TASKS)
    r = await world.get("giamdoc", "/api/v1/reports/completion", params={"trend": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    rows = {row["code"]: row for row in body["rows"]}
    assert (rows["QLNL"]["overdue"], rows["QLTM"]["overdue"], rows["QLTM"]["on_track"]) == (1, 1, 1)
    assert body["total"]["assigned"] == 3 and body["total"]["rates"]["completion_of_due"] == {"numerator": 0, "denominator": 2, "value": 0.0}
    assert body["labels"]["rates"]["completion_of_due"] == {
        "label": "Tỷ lệ hoàn thành (trên số đến hạn)", "formula": "Đã hoàn thành ÷ (Đã hoàn thành + Quá hạn chưa hoàn thành)"}
    assert len(body["trend"]) == 12
    mine = (await world.get("truong.qltm", "/api/v1/reports/completion")).json()
    assert [row["code"] for row in mine["rows"]] == ["QLTM"] and mine["total"]["assigned"] == 2
    overdue = (await world.get("truong.qltm", "/api/v1/reports/overdue")).json()
    assert [i["title"] for i in overdue["items"]] == ["Kiểm tra chợ Tết"]
    everyone = (await world.get("vanphong", "/api/v1/reports/overdue", params={"as_of": "2026-03-03T09:00:00+07:00"})).json()
    assert [(i["division_code"], i["working_days_overdue"]) for i in everyone["items"]] == [("QLNL", 2), ("QLTM", 1)]
    by_leader = (await world.get("vanphong", "/api/v1/reports/overdue", params={"group_by": "leader"})).json()
    assert [i["leader"] for i in by_leader["items"]] == ["Phạm Văn Hải", ""]
    assert (await world.get("vanphong", "/api/v1/reports/overdue", params={"group_by": "issuer"})).status_code == 422


async def test_bad_parameters_are_refused_with_the_field_named(world):
    r = await world.get("giamdoc", "/api/v1/reports/completion", params={"group_by": "weather"})
    assert (r.status_code, r.json()["error"]) == (422, "invalid") and "group_by" in r.json()["fields"]
    r = await world.get("giamdoc", "/api/v1/reports/completion", params={"from": "2026-03-10", "to": "2026-03-01"})
    assert r.status_code == 422 and "from" in r.json()["fields"]
    r = await world.get("giamdoc", "/api/v1/reports/completion", params={"as_of": "2026-03-03T09:00:00"})
    assert r.status_code == 422 and "as_of" in r.json()["fields"]
    r = await world.get("giamdoc", "/api/v1/reports/completion/export", params={"format": "pdf"})
    assert r.status_code == 422
    assert (await world.client.get("/api/v1/reports/completion")).status_code == 401


async def test_the_exports_download_as_files(world):
    await world.directive_with_tasks("1234/UBND-KT", TASKS)
    r = await world.get("giamdoc", "/api/v1/reports/completion/export", params={"format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="bao-cao-hoan-thanh-2026-03-03.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    total = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "Tổng cộng")
    assert total[2:10] == (3, 0, 0, 1, 0, 2, 0, 0)
    docx = await world.get("truong.qlnl", "/api/v1/reports/overdue/export", params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    csv = await world.get("giamdoc", "/api/v1/reports/overdue/export", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.content.startswith(b"\xef\xbb\xbf")


async def test_the_report_header_is_the_admins_to_change(world):
    r = await world.client.put("/api/v1/reports/header", json={"signer_name": "Trần Quốc Hưng"}, headers=world.auth("vanphong"))
    assert r.status_code == 403
    r = await world.client.put("/api/v1/reports/header", json={"signer_name": "Trần Quốc Hưng", "place": "Đông Hà"}, headers=world.auth("quantri"))
    assert r.status_code == 200, r.text
    header = (await world.get("giamdoc", "/api/v1/reports/header")).json()
    assert (header["signer_name"], header["place"], header["agency"]) == ("Trần Quốc Hưng", "Đông Hà", "SỞ CÔNG THƯƠNG")


async def test_the_office_previews_then_imports_a_spreadsheet_through_the_api(world):
    content = workbook(CLEAN)
    files = {"file": ("giao-viec.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    r = await world.client.post("/api/v1/import/xlsx", params={"dry_run": "true"}, files=files, headers=world.auth("vanphong"))
    assert r.status_code == 200, r.text
    assert (r.json()["dry_run"], r.json()["new_tasks"], r.json()["imported"]) == (True, 3, False)
    assert (await world.get("vanphong", "/api/v1/tasks")).json()["total"] == 0
    r = await world.client.post("/api/v1/import/xlsx", files=files, headers=world.auth("vanphong"))
    assert (r.json()["imported"], r.json()["new_tasks"]) == (True, 3)
    assert (await world.get("vanphong", "/api/v1/tasks")).json()["total"] == 3
    r = await world.client.post("/api/v1/import/xlsx", files=files, headers=world.auth("truong.qlnl"))
    assert r.status_code == 403


async def test_an_import_without_a_workbook_in_file_is_refused_with_422_not_500(world):
    # Found by the schemathesis run: a multipart part without a filename is a text field, and one
    # that is not UTF-8 broke Litestar's form parser (UnicodeDecodeError, a 500).
    async def post(parts: dict):
        return await world.client.post("/api/v1/import/xlsx", params={"dry_run": "true"}, headers=world.auth("vanphong"), files=parts)

    r = await post({"file": (None, b"\x89PNG\r\n\x1a\n")})
    assert r.status_code == 422, r.text
    assert r.json()["message"] == "Không đọc được biểu mẫu: một trường (không phải tệp) không phải là văn bản UTF-8."
    r = await post({"file": (None, b"x")})
    assert r.status_code == 400 and r.json()["fields"] == {"file": "Thiếu, sai kiểu dữ liệu hoặc ngoài phạm vi cho phép"}, r.text
    for parts in ({"other": (None, b"x")}, {"fichier": ("a.xlsx", b"PK", "application/zip")}):
        r = await post(parts)
        assert r.status_code == 422, (parts, r.text)
        assert r.json()["fields"] == {"file": "Bắt buộc nhập"}, r.text
