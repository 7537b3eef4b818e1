"""The command line as the office uses it: import a spreadsheet (dry run first), then print and save reports."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys

import docx

from tests.conftest import ROOT, run_migrate
from tests.integration.test_import import CLEAN, workbook


def dondoc(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DONDOC_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_import_then_report_from_the_command_line(tmp_path):
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    run_migrate(url)
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO division (code, name, email, active) VALUES (?, ?, '', 1)",
                   [("QLNL", "Phòng Quản lý năng lượng"), ("QLTM", "Phòng Quản lý thương mại"), ("KHTC", "Phòng Kế hoạch - Tài chính")])
    db.execute("INSERT INTO app_user (username, full_name, email, role, password_hash, active, locale) "
               "VALUES ('pgd.hai', 'Phạm Văn Hải', '', 'leader', '', 1, 'vi')")
    db.commit()
    sheet = tmp_path / "giao-viec.xlsx"
    sheet.write_bytes(workbook(CLEAN))

    dry = dondoc(url, "import-xlsx", str(sheet), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would import 3 new task(s) in 2 new directive(s)" in dry.stdout
    assert db.execute("SELECT COUNT(*) FROM task").fetchone() == (0,)
    done = dondoc(url, "import-xlsx", str(sheet))
    assert done.returncode == 0 and "imported 3 new task(s)" in done.stdout
    again = dondoc(url, "import-xlsx", str(sheet))
    assert "imported 0 new task(s)" in again.stdout and "3 already present" in again.stdout

    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(workbook([["", "05/01/2026", "PGV-7", "", "Việc lạ", "Phòng Du lịch", "", ""]]))
    refused = dondoc(url, "import-xlsx", str(bad))
    assert refused.returncode == 1
    assert "row 3: Không tìm thấy đơn vị chủ trì: Phòng Du lịch" in refused.stderr

    table = dondoc(url, "report", "completion", "--as-of", "2026-03-03T09:00")
    assert table.returncode == 0, table.stderr
    assert "Phòng Quản lý năng lượng" in table.stdout and "Tổng cộng" in table.stdout
    as_csv = dondoc(url, "report", "completion", "--as-of", "2026-03-03T09:00", "--format", "csv", "--out", "-")
    rows = list(csv.reader(io.StringIO(as_csv.stdout.lstrip("\ufeff"))))
    assert rows[-1][1:4] == ["Tổng cộng", "3", "0"]
    out = tmp_path / "giao-ban.docx"
    word = dondoc(url, "report", "overdue", "--as-of", "2026-03-25T09:00", "--format", "docx", "--out", str(out))
    assert word.returncode == 0, word.stderr
    text = "\n".join(c.text for t in docx.Document(str(out)).tables for row in t.rows for c in row.cells)
    assert "Rà soát phương án cấp điện" in text  # due 20/03, overdue on 25/03
