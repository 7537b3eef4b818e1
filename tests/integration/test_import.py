"""Importing tasks from Excel: the document-management layout and dondoc's own export, all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import openpyxl
import pytest

from tasks import importer
from tasks.calendar import build_calendar
from tasks.errors import Invalid
from tasks.exports.task_list import export_tasks
from tasks.i18n import gettext_for
from tasks.permissions import Actor, Role
from tasks.queries import TaskFilter
from tasks.tables import AuditEvent, Directive, Division, Task, TaskSupport, User

CAL = build_calendar("Asia/Ho_Chi_Minh", [])
NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
HEADER = ["Lãnh đạo chỉ đạo", "Ngày tạo", "Số phiếu giao việc", "Tên nhiệm vụ cha", "Tên nhiệm vụ", "Chủ trì", "Phối hợp", "Hạn xử lý"]
_ = gettext_for("vi")


def workbook(rows: list[list], title_rows: int = 1) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _i in range(title_rows):  # document-management exports put a title above the table
        ws.append(["DANH SÁCH NHIỆM VỤ"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CLEAN = [
    ["Phạm Văn Hải", "05/01/2026", "PGV-001", "Bảo đảm cung ứng điện mùa khô", "Rà soát phương án cấp điện", "QLNL", "Phòng Quản lý thương mại", "20/03/2026"],
    ["pham van hai", datetime(2026, 1, 5, 8, 30), "PGV-001", "Bảo đảm cung ứng điện mùa khô", "Báo cáo UBND tỉnh", "phong quan ly nang luong", "", date(2026, 3, 31)],
    ["", "06/01/2026", "PGV-002", "", "Kiểm tra thị trường dịp Tết", "  QUẢN LÝ THƯƠNG MẠI ", "QLNL; KHTC", "01/01/1970"],
]


@pytest.fixture
async def office(db):
    for code, name in [("QLNL", "Phòng Quản lý năng lượng"), ("QLTM", "Phòng Quản lý thương mại"), ("KHTC", "Phòng Kế hoạch - Tài chính")]:
        await Division.insert(Division(code=code, name=name)).run()
    await User.insert(User(username="pgd.hai", full_name="Phạm Văn Hải", role="leader")).run()
    clerk = (await User.insert(User(username="vanphong", full_name="Văn Phòng", role="office")).returning(User.id).run())[0]["id"]
    return Actor(id=clerk, username="vanphong", role=Role.OFFICE)


async def test_a_clean_file_imports_every_task_with_its_divisions_leader_and_deadline(db, office):
    result = await importer.import_xlsx(db, office, NOW, CAL, workbook(CLEAN), source_name="giao-viec.xlsx")
    assert (result.format, result.imported, len(result.new_tasks), result.new_directives, result.errors) == ("dms", True, 3, 2, [])
    tasks = await Task.select(Task.title, Task.lead_division.code, Task.leader_in_charge.username, Task.due_on, Task.created_at,
                              Task.directive.number, Task.directive.summary, Task.id).order_by(Task.id).run()
    assert [(t["title"], t["lead_division.code"], t["leader_in_charge.username"], t["due_on"]) for t in tasks] == [
        ("Rà soát phương án cấp điện", "QLNL", "pgd.hai", date(2026, 3, 20)),
        ("Báo cáo UBND tỉnh", "QLNL", "pgd.hai", date(2026, 3, 31)),
        ("Kiểm tra thị trường dịp Tết", "QLTM", None, None),  # 01/01/1970 means no deadline
    ]
    assert CAL.today(tasks[0]["created_at"]) == date(2026, 1, 5)  # assigned on "Ngày tạo"
    assert tasks[0]["directive.summary"] == "Bảo đảm cung ứng điện mùa khô"
    supports = await TaskSupport.select(TaskSupport.task, TaskSupport.division.code).run()
    assert sorted((s["task"], s["division.code"]) for s in supports) == sorted(
        [(tasks[0]["id"], "QLTM"), (tasks[2]["id"], "QLNL"), (tasks[2]["id"], "KHTC")])
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.note).run()
    assert sorted(e["action"] for e in events) == ["import_directive"] * 2 + ["import_task"] * 3
    assert {(e["actor_username"], e["note"]) for e in events} == {("vanphong", "import giao-viec.xlsx")}


async def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(db, office):
    rows = CLEAN + [
        ["Phạm Văn Hải", "05/01/2026", "PGV-003", "", "", "QLNL", "", "20/03/2026"],
        ["Phạm Văn Hải", "05/01/2026", "PGV-003", "", "Nhiệm vụ hạn sai", "QLNL", "", "31/02/2026"],
        ["Ông Không Có", "05/01/2026", "PGV-003", "", "Nhiệm vụ lãnh đạo lạ", "QLNL", "", ""],
        ["", "05/01/2027", "", "", "Nhiệm vụ không số phiếu", "QLNL", "", ""],
    ]
    result = await importer.import_xlsx(db, office, NOW, CAL, workbook(rows))
    assert not result.imported
    messages = [(e.row, _(e.message, **e.params)) for e in result.errors]
    assert messages == [
        (6, "Tên nhiệm vụ để trống."),
        (7, "Không đọc được ngày ở cột Hạn xử lý: 31/02/2026"),
        (8, "Không tìm thấy lãnh đạo: Ông Không Có"),
        (9, "Số phiếu (số văn bản) để trống."),
        (9, "Ngày 05/01/2027 ở tương lai."),
    ]
    assert await Task.count().run() == 0 and await Directive.count().run() == 0 and await AuditEvent.count().run() == 0


async def test_an_unknown_division_is_reported_by_row_and_name(db, office):
    rows = [CLEAN[0], ["", "05/01/2026", "PGV-009", "", "Việc của phòng lạ", "Phòng Du lịch", "QLNL, Phòng Ma", ""]]
    result = await importer.import_xlsx(db, office, NOW, CAL, workbook(rows))
    assert [(e.row, _(e.message, **e.params)) for e in result.errors] == [
        (4, "Không tìm thấy đơn vị chủ trì: Phòng Du lịch"), (4, "Không tìm thấy đơn vị phối hợp: Phòng Ma")]
    assert await Task.count().run() == 0


async def test_importing_the_same_file_twice_adds_nothing(db, office):
    content = workbook(CLEAN + [CLEAN[0]])  # a repeated row is imported once
    first = await importer.import_xlsx(db, office, NOW, CAL, content)
    assert (len(first.new_tasks), first.duplicate_rows) == (3, 1)
    second = await importer.import_xlsx(db, office, NOW, CAL, content)
    assert (second.imported, len(second.new_tasks), second.existing_tasks, second.new_directives) == (False, 0, 4, 0)
    assert await Task.count().run() == 3 and await Directive.count().run() == 2


async def test_a_dry_run_previews_and_writes_nothing(db, office):
    result = await importer.import_xlsx(db, office, NOW, CAL, workbook(CLEAN), dry_run=True)
    preview = importer.result_dict(result, _)
    assert (preview["dry_run"], preview["imported"], preview["new_tasks"]) == (True, False, 3)
    assert [p["row"] for p in preview["preview"]] == [3, 4, 5]
    assert await Task.count().run() == 0


async def test_dondocs_own_export_reads_back_and_is_recognised_as_already_present(db, office):
    await importer.import_xlsx(db, office, NOW, CAL, workbook(CLEAN))
    exported = (await export_tasks(None, TaskFilter(), "xlsx", NOW, CAL, 3)).content
    again = await importer.import_xlsx(db, office, NOW, CAL, exported)
    assert (again.format, again.existing_tasks, len(again.new_tasks), again.errors) == ("dondoc", 3, 0, [])


async def test_a_head_may_not_import_and_a_non_workbook_is_refused(db, office):
    head = Actor(id=office.id, username="truong", role=Role.HEAD, division_id=1)
    with pytest.raises(Exception) as refused:
        await importer.import_xlsx(db, head, NOW, CAL, workbook(CLEAN))
    assert refused.value.code == "forbidden"
    with pytest.raises(Invalid):
        await importer.import_xlsx(db, office, NOW, CAL, b"not a workbook")


async def test_ten_thousand_rows_import_in_one_go(db, office):
    divisions = ["QLNL", "Phòng Quản lý thương mại", "khtc"]
    rows = [["Phạm Văn Hải" if i % 3 else "", f"{1 + i % 28:02d}/02/2026", f"PGV-{i // 5:05d}", f"Văn bản {i // 5}",
             f"Nhiệm vụ số {i}", divisions[i % 3], divisions[(i + 1) % 3], "01/01/1970" if i % 7 == 0 else f"{1 + i % 28:02d}/04/2026"]
            for i in range(10_000)]
    seen = []
    result = await importer.import_xlsx(db, office, NOW, CAL, workbook(rows), progress=seen.append)
    assert (result.imported, len(result.new_tasks), result.new_directives, result.errors) == (True, 10_000, 2_000, [])
    assert len(seen) == 10_000
    assert await Task.count().run() == 10_000
    assert await Task.count().where(Task.due_on.is_null()).run() == 1429
    assert await TaskSupport.count().run() == 10_000
