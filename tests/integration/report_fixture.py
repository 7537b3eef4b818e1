"""A department of 64 tasks across every category, written row by row so the expected figures in
the tests can be tallied by hand. As of Tuesday 03/03/2026 09:00 in Hà Nội: overdue means an
effective due date on or before Monday 02/03; due soon means due from 03/03 to Friday 06/03."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tasks import accounts
from tasks.tables import Directive, Division, ProgressReport, Task

AS_OF = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)  # Tue 03/03/2026 09:00 +07:00
CREATED = datetime(2026, 1, 10, 2, 0, tzinfo=timezone.utc)
D = date

# (division, leader, issuer, state, due_on, completed_on, how many)   — category in the comment
ROWS = [
    ("QLNL", "pgd.hai", "UBND tỉnh", "done", D(2026, 3, 20), D(2026, 2, 27), 5),         # on time
    ("QLNL", "pgd.hai", "UBND tỉnh", "done", D(2026, 2, 14), D(2026, 2, 23), 3),         # on time: Sat before Tết → Mon 23/02
    ("QLNL", "pgd.hai", "UBND tỉnh", "done", D(2026, 2, 14), D(2026, 2, 24), 2),         # late
    ("QLNL", "pgd.hai", "UBND tỉnh", "open", D(2026, 2, 27), None, 4),                   # overdue, 2 working days
    ("QLNL", "pgd.hai", "UBND tỉnh", "in_progress", D(2026, 3, 1), None, 2),             # overdue: Sun → Mon 02/03, 1 day
    ("QLNL", "pgd.hai", "UBND tỉnh", "open", D(2026, 3, 3), None, 3),                    # due soon (today)
    ("QLNL", "pgd.hai", "UBND tỉnh", "in_progress", D(2026, 3, 7), None, 2),             # on track: Sat → Mon 09/03, 4 days left
    ("QLNL", "pgd.hai", "UBND tỉnh", "open", None, None, 1),                             # no deadline
    ("QLNL", "pgd.hai", "UBND tỉnh", "paused", D(2026, 2, 1), None, 1),                  # stopped
    ("QLNL", "pgd.hai", "UBND tỉnh", "cancelled", D(2026, 2, 1), None, 1),               # stopped
    ("QLTM", "giamdoc", "Bộ Công Thương", "done", None, D(2026, 2, 20), 4),              # on time (no deadline)
    ("QLTM", "giamdoc", "Bộ Công Thương", "done", D(2026, 2, 2), D(2026, 2, 10), 3),     # late
    ("QLTM", "giamdoc", "Bộ Công Thương", "submitted", D(2026, 3, 20), D(2026, 3, 2), 3),  # on track, judged as of 02/03
    ("QLTM", "giamdoc", "Bộ Công Thương", "submitted", D(2026, 2, 25), D(2026, 3, 2), 2),  # overdue: submitted late, 3 days
    ("QLTM", "giamdoc", "Bộ Công Thương", "in_progress", D(2026, 3, 6), None, 3),       # due soon (3 working days)
    ("QLTM", "giamdoc", "Bộ Công Thương", "open", D(2026, 4, 30), None, 4),              # on track
    ("QLTM", "giamdoc", "Bộ Công Thương", "in_progress", None, None, 2),                 # no deadline
    ("QLTM", "giamdoc", "Bộ Công Thương", "cancelled", None, None, 2),                   # stopped
    ("KHTC", None, "Bộ Công Thương", "done", D(2026, 3, 2), D(2026, 3, 2), 2),           # on time
    ("KHTC", None, "Bộ Công Thương", "done", D(2026, 3, 2), D(2026, 3, 3), 1),           # late
    ("KHTC", None, "Bộ Công Thương", "open", D(2026, 1, 15), None, 3),                   # overdue, 28 working days (Tết off)
    ("KHTC", None, "Bộ Công Thương", "open", D(2026, 6, 30), None, 2),                   # on track
    ("KHTC", None, "Bộ Công Thương", "open", None, None, 3),                             # no deadline
    ("KHTC", None, "Bộ Công Thương", "paused", D(2026, 3, 1), None, 2),                  # stopped
    ("KHTC", None, "Bộ Công Thương", "submitted", D(2026, 3, 5), D(2026, 3, 3), 1),      # on track: submitted in time, never due soon
    ("VP", None, "UBND tỉnh", "done", D(2026, 2, 28), D(2026, 3, 2), 1),                 # on time: Sat → Mon 02/03
    ("VP", None, "UBND tỉnh", "open", D(2026, 2, 28), None, 1),                          # overdue, 1 day
    ("VP", None, "UBND tỉnh", "open", D(2026, 3, 9), None, 1),                           # on track
]
NUMBERS = {"UBND tỉnh": ("1234/UBND-KT", D(2026, 1, 5)), "Bộ Công Thương": ("56/BCT-ĐTĐL", D(2026, 1, 8))}


async def seed_department(engine, now) -> dict:
    """Divisions, two leaders, and the 64 tasks; returns ids by (division, row index)."""
    for code, name in [("VP", "Văn phòng Sở"), ("QLNL", "Phòng Quản lý năng lượng"), ("QLTM", "Phòng Quản lý thương mại"),
                       ("KHTC", "Phòng Kế hoạch - Tài chính")]:
        await Division.insert(Division(code=code, name=name, email=f"{code.lower()}@sct.example.vn")).run()
    users = {}
    for username, full_name in [("pgd.hai", "Phạm Văn Hải"), ("giamdoc", "Hoàng Minh Đức")]:
        users[username] = (await accounts.create_user(engine, None, now, username=username, full_name=full_name, email=f"{username}@x.vn",
                                                    role="leader", division_code=None, password="mat-khau-dai"))["id"]
    divisions = {d["code"]: d["id"] for d in await accounts.list_divisions()}
    directives = {}
    for issuer, (number, issued) in NUMBERS.items():
        directives[issuer] = (await Directive.insert(Directive(number=number, issuer=issuer, issued_on=issued, summary=f"Văn bản {number}",
                                                               created_at=CREATED)).returning(Directive.id).run())[0]["id"]
    ids: dict[int, list[int]] = {}
    for i, (code, leader, issuer, state, due, completed, n) in enumerate(ROWS):
        rows = [Task(directive=directives[issuer], title=f"Nhiệm vụ {code} {i}.{k}", lead_division=divisions[code],
                     leader_in_charge=users.get(leader), due_on=due, original_due_on=due, state=state, completed_on=completed,
                     percent=100 if completed else 0, created_at=CREATED, updated_at=CREATED) for k in range(n)]
        ids[i] = [r["id"] for r in await Task.insert(*rows).returning(Task.id).run()]
    return {"divisions": divisions, "users": users, "tasks": ids, "directives": directives}


async def add_progress(task_id: int, at: datetime, note: str) -> None:
    await ProgressReport.insert(ProgressReport(task=task_id, percent=50, note=note, reported_at=at)).run()


@pytest.fixture
async def department(db):
    """The 64 tasks, and progress reports: three count for the update rate, three do not."""
    seeded = await seed_department(db, AS_OF)
    t = seeded["tasks"]
    await add_progress(t[3][0], datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc), "Đã làm việc với Điện lực")
    await add_progress(t[3][1], datetime(2026, 2, 25, 3, 0, tzinfo=timezone.utc), "Đã xin ý kiến các sở")
    await add_progress(t[5][0], datetime(2026, 2, 20, 3, 0, tzinfo=timezone.utc), "Quá 7 ngày: không tính")
    await add_progress(t[15][0], datetime(2026, 3, 3, 1, 0, tzinfo=timezone.utc), "Sáng nay, trước giờ báo cáo")
    await add_progress(t[15][1], datetime(2026, 3, 3, 3, 0, tzinfo=timezone.utc), "Sau giờ báo cáo: không tính")
    await add_progress(t[0][0], datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc), "Việc đã xong: không tính")
    return seeded
