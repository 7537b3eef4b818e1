"""A small Sở Công Thương for the browser tests, recorded through the real services."""

from __future__ import annotations

from datetime import date, datetime

from notify import config
from tasks import accounts, extensions, lifecycle, register
from tasks.calendar_days import load_calendar
from web.app import app_db

PASSWORD = "mat-khau-thu-nghiem"
TIMEZONE = "Asia/Ho_Chi_Minh"
DIVISIONS = [
    ("VP", "Văn phòng Sở"),
    ("QLNL", "Phòng Quản lý năng lượng"),
    ("QLTM", "Phòng Quản lý thương mại"),
    ("KHTC", "Phòng Kế hoạch - Tài chính"),
]
USERS = [
    ("vanphong", "Nguyễn Thị Văn Phòng", "office", "VP"),
    ("truong.qlnl", "Trần Văn Năng", "head", "QLNL"),
    ("truong.qltm", "Lê Thị Thương", "head", "QLTM"),
    ("pgd.hai", "Phạm Văn Hải", "leader", None),
    ("giamdoc", "Hoàng Minh Đức", "leader", None),
]


async def seed(database_url: str, now: datetime) -> dict[str, int]:
    """Returns the ids of the tasks the journeys use."""
    db = app_db(database_url)
    await accounts.create_user(db, None, now, username="quantri", full_name="Quản trị hệ thống", email="quantri@sct.example.vn",
                             role="admin", division_code=None, password=PASSWORD)
    admin = await accounts.authenticate("quantri", PASSWORD)
    for code, name in DIVISIONS:
        await accounts.create_division(db, admin, now, code=code, name=name, email=f"{code.lower()}@sct.example.vn")
    for username, full_name, role, division in USERS:
        await accounts.create_user(db, admin, now, username=username, full_name=full_name, email=f"{username}@sct.example.vn",
                                 role=role, division_code=division, password=PASSWORD, locale="vi")
    # The admin names the Giám đốc as director: they decide every extension, the deputy those of his tasks.
    ladder = await config.escalation_settings(admin, now)
    ladder.pop("effective_director")
    await config.update_escalation_settings(db, admin, now, {**ladder, "director": "giamdoc"})
    office = await accounts.authenticate("vanphong", PASSWORD)
    head = await accounts.authenticate("truong.qlnl", PASSWORD)
    head_tm = await accounts.authenticate("truong.qltm", PASSWORD)
    leader = await accounts.authenticate("giamdoc", PASSWORD)
    calendar = await load_calendar(TIMEZONE)
    T = register.NewTask
    d1 = await register.record_directive(
        db, office, now, calendar,
        register.NewDirective(number="215/UBND-KT", issuer="UBND tỉnh", signer="Chủ tịch UBND tỉnh", issued_on=date(2026, 2, 2),
                              received_on=date(2026, 2, 3), summary="Về việc bảo đảm cung ứng điện mùa khô năm 2026"),
        [
            T(title="Rà soát phương án cung ứng điện mùa khô", lead_division="QLNL", support_divisions=("QLTM",), leader_in_charge="pgd.hai", due_on=date(2026, 2, 20)),
            T(title="Báo cáo tình hình tiết kiệm điện quý I", lead_division="QLNL", leader_in_charge="pgd.hai", due_on=date(2026, 3, 5)),
            T(title="Kiểm tra an toàn hồ đập thủy điện", lead_division="QLNL", support_divisions=("KHTC",), leader_in_charge="giamdoc", due_on=date(2026, 4, 30)),
            T(title="Tổng hợp kiến nghị của doanh nghiệp về giá điện", lead_division="QLTM", leader_in_charge="giamdoc"),
            T(title="Lập kế hoạch kiểm tra thị trường dịp Tết", lead_division="QLTM", leader_in_charge="pgd.hai", due_on=date(2026, 3, 20)),
            T(title="Báo cáo kết quả bình ổn giá mặt hàng thiết yếu", lead_division="QLTM", leader_in_charge="giamdoc", due_on=date(2026, 3, 10)),
            T(title="Rà soát danh sách cửa hàng xăng dầu", lead_division="QLTM", leader_in_charge="pgd.hai", due_on=date(2026, 2, 27)),
        ],
    )
    ids = [t["id"] for t in d1["tasks"]]
    await lifecycle.report_progress(db, head, now, ids[0], 30, "Đã làm việc với Công ty Điện lực tỉnh")
    await lifecycle.report_progress(db, head, now, ids[2], 10, "Đã lập đoàn kiểm tra")
    await lifecycle.submit(db, head_tm, now, calendar, ids[4], "Kế hoạch đã ban hành", None)
    await lifecycle.submit(db, head_tm, now, calendar, ids[5], "Đã gửi báo cáo cho UBND tỉnh", None)
    await lifecycle.submit(db, head_tm, now, calendar, ids[6], "Đã rà soát 112 cửa hàng", None)
    await lifecycle.set_starred(db, leader, now, ids[0], True)
    await extensions.request_extension(db, head, now, calendar, ids[2], date(2026, 5, 29), "Chờ số liệu của EVN")
    return {"overdue": ids[0], "due_soon": ids[1], "on_track": ids[2], "no_deadline": ids[3], "submitted": ids[4], "submitted_too": ids[5]}
