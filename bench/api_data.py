"""The register `bench/api.py` times: N tasks shaped like a large Sở's, as `bulk` batches.

20 divisions with a head and a deputy each, six leaders, two office users and an admin; one
directive per eight tasks, issued over the 300 days before the as-of day. Each task's deadline
falls between 120 days before and 60 days after the as-of day (7 % have none; about 2/7 fall on a
weekend, a few on Tết or 30/4–1/5), so about 2/3 of the deadlines have passed. Of those, 84 % are
done (most on time, 15 % late), 3 % submitted and 13 % still running, i.e. overdue; of the
deadlines still ahead 18 % are done early. 3 % of all tasks are paused or cancelled; about 60 % are
done. 30 % have one or two supporting divisions; running and finished tasks carry 1–3 progress
reports (the percent is the lead division's latest); 1 % of the late ones had their deadline
corrected by the office after it passed, so `missed_due_on` keeps them late.

Each directive and task carries its search text (tasks.search), as the services write it. With
`descriptions` (bench/search.py) 60 % of the tasks also get a description naming a place of the
province, a company or body and what is asked of it, so the search has varied words to find.

Rows come a chunk of tasks at a time (with their supports and reports), so a million tasks never
sit in memory at once. The same seed gives the same rows.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from bulk import Batch
from tasks.passwords import hash_password
from tasks.search import directive_text, task_text
from tasks.state import RUNNING, TaskState

AS_OF = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)  # Tuesday 03/03/2026, 09:00 in Hà Nội
TODAY = date(2026, 3, 3)
DIVISIONS = 20
LEADERS = 6
TASKS_PER_DIRECTIVE = 8
DIRECTIVE_SPAN_DAYS = 300
CHUNK = 20_000
USERNAME, PASSWORD = "bench.office", "bench-password-2026"
MARKER_KEY = "bench.api"  # a `setting` row saying what was seeded, for --keep
DATA_VERSION = 2  # bump when the shape of the rows changes, so --keep reseeds

DIVISION_NAMES = [
    "Văn phòng Sở", "Phòng Kế hoạch - Tài chính", "Phòng Quản lý năng lượng", "Phòng Quản lý thương mại",
    "Phòng Quản lý công nghiệp", "Phòng Kỹ thuật an toàn - Môi trường", "Thanh tra Sở", "Phòng Tổ chức cán bộ",
    "Phòng Xuất nhập khẩu", "Phòng Pháp chế", "Phòng Quản lý điện", "Phòng Khoa học công nghệ",
    "Trung tâm Khuyến công", "Trung tâm Xúc tiến thương mại", "Phòng Hóa chất", "Phòng Vật liệu nổ công nghiệp",
    "Phòng Thị trường trong nước", "Phòng Thương mại điện tử", "Phòng Cụm công nghiệp", "Phòng Dầu khí",
]
WORK = ["Rà soát, báo cáo tình hình thực hiện", "Tham mưu xây dựng kế hoạch", "Kiểm tra, đôn đốc tiến độ",
        "Tổng hợp số liệu và đề xuất giải pháp", "Phối hợp hướng dẫn doanh nghiệp", "Xây dựng dự thảo quyết định"]
SUBJECT = ["phát triển điện mặt trời mái nhà", "quản lý chợ và siêu thị", "an toàn hóa chất", "cụm công nghiệp",
           "xúc tiến thương mại năm 2026", "tiết kiệm năng lượng", "thương mại điện tử", "xuất khẩu nông sản"]
PLACES = ["thành phố Đông Hà", "thị xã Quảng Trị", "huyện Gio Linh", "huyện Vĩnh Linh", "huyện Hải Lăng", "huyện Triệu Phong",
          "huyện Cam Lộ", "huyện Đakrông", "huyện Hướng Hóa", "huyện đảo Cồn Cỏ", "Khu kinh tế Đông Nam", "cửa khẩu Lao Bảo"]
BODIES = ["Công ty Điện lực Quảng Trị", "Ban quản lý chợ Đông Hà", "các cửa hàng xăng dầu", "doanh nghiệp chế biến gỗ",
          "hợp tác xã nông nghiệp", "nhà máy thủy điện", "Đội quản lý thị trường số 2", "các siêu thị và trung tâm thương mại",
          "cơ sở kinh doanh hóa chất", "UBND các huyện, thị xã, thành phố"]
ASKS = ["báo cáo kết quả trước ngày 25 hằng tháng", "đề xuất UBND tỉnh tháo gỡ vướng mắc", "kiểm tra việc chấp hành quy định",
        "bảo đảm cung ứng hàng hóa dịp Tết Nguyên đán", "tổng hợp số liệu gửi Văn phòng Sở", "phối hợp xử lý kiến nghị của cử tri",
        "rà soát quy hoạch và hồ sơ pháp lý"]
NOTES = ["Đã làm việc với các đơn vị liên quan", "Đang tổng hợp số liệu", "Đã trình dự thảo lãnh đạo Sở",
         "Đã hoàn thành, gửi báo cáo", "Chờ ý kiến của UBND tỉnh"]

TASK_COLUMNS = ("id", "directive", "parent", "title", "description", "lead_division", "leader_in_charge", "assignee", "due_on",
                "original_due_on", "missed_due_on", "deadline_version", "state", "state_reason", "percent", "completed_on", "priority",
                "starred", "created_by", "created_at", "updated_at", "search")
DIRECTIVE_COLUMNS = ("id", "number", "issuer", "signer", "issued_on", "received_on", "kind", "summary", "state", "created_by",
                     "created_at", "search")
SUPPORT_COLUMNS = ("id", "task", "division")
REPORT_COLUMNS = ("id", "task", "division", "author", "percent", "note", "reported_at")


def division_code(d: int) -> str:
    return f"P{d:02d}"


def _at(day: date, rnd: random.Random) -> datetime:
    """An instant in working hours of `day` (province time = UTC+7), never after AS_OF."""
    instant = datetime.combine(day, time(0, 30), timezone.utc) + timedelta(minutes=rnd.randrange(0, 540))
    return min(instant, AS_OF - timedelta(minutes=1))


def people() -> list[Batch]:
    password_hash = hash_password(PASSWORD)  # one hash for everyone: argon2 is slow on purpose
    divisions = [(d, division_code(d), DIVISION_NAMES[d - 1], f"{division_code(d).lower()}@bench.example.vn", True)
                 for d in range(1, DIVISIONS + 1)]
    users = []
    for d in range(1, DIVISIONS + 1):
        for h, title in enumerate(("Trưởng phòng", "Phó Trưởng phòng")):
            users.append((len(users) + 1, f"head{d:02d}.{h}", f"{title} {division_code(d)}", f"head{d:02d}.{h}@bench.example.vn",
                          "head", d, password_hash, True, "vi"))
    for i in range(LEADERS):
        users.append((len(users) + 1, f"leader{i}", "Giám đốc Sở" if i == 0 else f"Phó Giám đốc {i}", f"leader{i}@bench.example.vn",
                      "leader", None, password_hash, True, "vi"))
    users.append((len(users) + 1, USERNAME, "Văn phòng (benchmark)", "office@bench.example.vn", "office", 1, password_hash, True, "vi"))
    users.append((len(users) + 1, "office2", "Văn phòng 2", "office2@bench.example.vn", "office", 1, password_hash, True, "vi"))
    users.append((len(users) + 1, "admin", "Quản trị", "admin@bench.example.vn", "admin", None, password_hash, True, "vi"))
    days = [(1, date(2026, 4, 27), "holiday", "Nghỉ bù (benchmark)"), (2, date(2026, 4, 25), "working", "Làm bù (benchmark)")]
    return [("division", ("id", "code", "name", "email", "active"), divisions),
            ("app_user", ("id", "username", "full_name", "email", "role", "division", "password_hash", "active", "locale"), users),
            ("calendar_day", ("id", "day", "kind", "name"), days)]


def head_of(d: int, deputy: int) -> int:
    return (d - 1) * 2 + 1 + deputy


def leader_ids() -> list[int]:
    return [DIVISIONS * 2 + 1 + i for i in range(LEADERS)]


def office_id() -> int:
    return DIVISIONS * 2 + LEADERS + 1


def directives(n_tasks: int) -> tuple[int, Batch]:
    count = max(1, n_tasks // TASKS_PER_DIRECTIVE)
    first = TODAY - timedelta(days=DIRECTIVE_SPAN_DAYS)
    rows = []
    for j in range(count):
        issued = first + timedelta(days=DIRECTIVE_SPAN_DAYS * j // count)
        issuer = ("UBND tỉnh", "Tỉnh ủy", "Bộ Công Thương", "Chủ tịch UBND tỉnh")[j % 4]
        kind = "meeting" if j % 5 == 0 else "document"
        number, summary = f"{j + 1}/{'TB' if kind == 'meeting' else 'UBND-KT'}", f"Văn bản chỉ đạo số {j + 1} về {SUBJECT[j % len(SUBJECT)]}"
        rows.append((j + 1, number, issuer, "", issued, issued, kind, summary, "active", office_id(),
                     datetime.combine(issued, time(0, 0), timezone.utc), directive_text(number, issuer, summary)))
    return count, ("directive", DIRECTIVE_COLUMNS, rows)


def marker(n_tasks: int) -> Batch:
    # calendar.version: the calendar rows above are written directly, so they need a version for
    # the app to keep the calendar it builds (tasks.calendar_days), as add_day would have written.
    return ("setting", ("id", "key", "value"), [(1, MARKER_KEY, json.dumps({"tasks": n_tasks, "version": DATA_VERSION})),
                                                (2, "calendar.version", json.dumps(f"bench-{n_tasks}-{DATA_VERSION}-{uuid.uuid4().hex}"))])


def _state(rnd: random.Random, due: date | None) -> TaskState:
    r = rnd.random()
    if r < 0.03:
        return TaskState.PAUSED if r < 0.015 else TaskState.CANCELLED
    if due is None:
        done, submitted = 0.50, 0.03
    elif due < TODAY:
        done, submitted = 0.84, 0.03
    else:
        done, submitted = 0.18, 0.05
    r = rnd.random()
    if r < done:
        return TaskState.DONE
    if r < done + submitted:
        return TaskState.SUBMITTED
    return TaskState.IN_PROGRESS if rnd.random() < 0.65 else TaskState.OPEN


def _completed_on(rnd: random.Random, state: TaskState, due: date | None, created: date) -> date:
    if state == TaskState.SUBMITTED:  # submitted lately, awaiting the office
        day = TODAY - timedelta(days=rnd.randrange(0, 10))
    elif due is None:
        day = created + timedelta(days=rnd.randrange(3, 60))
    elif due < TODAY and rnd.random() < 0.15:  # late
        day = due + timedelta(days=rnd.randrange(1, 30))
    elif due < TODAY:
        day = due - timedelta(days=rnd.randrange(0, 15))
    else:  # done before a deadline still ahead
        day = created + timedelta(days=rnd.randrange(0, max(1, (TODAY - created).days + 1)))
    return max(created, min(TODAY, day))


def tasks(n_tasks: int, n_directives: int, directive_search: dict[int, str], seed: int = 2026, descriptions: bool = False) -> Iterator[Batch]:
    rnd = random.Random(seed)
    described = random.Random(seed + 1)  # its own stream, so the other columns are the same with or without descriptions
    leaders = leader_ids()
    office = office_id()
    first_day = TODAY - timedelta(days=DIRECTIVE_SPAN_DAYS)
    task_rows: list[tuple] = []
    supports: list[tuple] = []
    reports: list[tuple] = []
    support_id = report_id = 0
    for task_id in range(1, n_tasks + 1):
        lead = rnd.randrange(DIVISIONS) + 1
        due = None if rnd.random() < 0.07 else TODAY + timedelta(days=rnd.randrange(-120, 61))
        if due is None:
            created = first_day + timedelta(days=rnd.randrange(DIRECTIVE_SPAN_DAYS + 1))
        else:
            created = max(first_day, min(TODAY - timedelta(days=rnd.randrange(0, 5)), due - timedelta(days=rnd.randrange(5, 91))))
        directive = min(n_directives, (created - first_day).days * n_directives // DIRECTIVE_SPAN_DAYS + 1)
        created_at = _at(created, rnd)
        state = _state(rnd, due)
        completed = _completed_on(rnd, state, due, created) if state in (TaskState.DONE, TaskState.SUBMITTED) else None
        missed, version, original = None, 1, due
        if due is not None and due < TODAY - timedelta(days=5) and state != TaskState.SUBMITTED and rnd.random() < 0.01:
            # The office moved a deadline already missed: counted late against the old one, urged towards the new.
            missed, due, version = due, due + timedelta(days=rnd.randrange(10, 60)), 2
        # Progress: none on a new task; 1-3 lead-division reports on running and finished ones.
        percent, updated_at = 0, created_at
        if state != TaskState.OPEN and (state == TaskState.IN_PROGRESS or rnd.random() < 0.7):
            until = completed or TODAY
            span = max(0, (until - created).days)
            count = rnd.randrange(1, 4)
            steps = sorted(rnd.randrange(10, 95) for _ in range(count))
            if completed is not None:
                steps[-1] = 100
            days = sorted(rnd.randrange(span + 1) for _ in range(count))
            if state == TaskState.IN_PROGRESS and rnd.random() < 0.5:
                days[-1] = span  # reported lately: the update rate counts it
            for step, offset in zip(steps, days):
                report_id += 1
                at = max(created_at, _at(created + timedelta(days=offset), rnd))
                reports.append((report_id, task_id, lead, head_of(lead, rnd.randrange(2)), step, rnd.choice(NOTES), at))
                updated_at = max(updated_at, at)
            percent = steps[-1]
        if completed is not None:
            percent = 100
        if rnd.random() < 0.3:
            others = rnd.sample([d for d in range(1, DIVISIONS + 1) if d != lead], 1 if rnd.random() < 0.7 else 2)
            for d in others:
                support_id += 1
                supports.append((support_id, task_id, d))
            if state in RUNNING and rnd.random() < 0.2:  # a supporting division's report: shown, moves nothing
                report_id += 1
                reports.append((report_id, task_id, others[0], head_of(others[0], 0), rnd.randrange(10, 90), "Đơn vị phối hợp đã góp ý",
                                _at(created + timedelta(days=rnd.randrange(max(1, (TODAY - created).days))), rnd)))
        reason = "Theo chỉ đạo của lãnh đạo Sở" if state in (TaskState.PAUSED, TaskState.CANCELLED) else ""
        assignee = head_of(lead, rnd.randrange(2)) if rnd.random() < 0.4 else None
        title = f"{WORK[task_id % len(WORK)]} về {SUBJECT[(task_id // 7) % len(SUBJECT)]} (nhiệm vụ {task_id})"
        description = ""
        if descriptions and described.random() < 0.6:
            description = f"{described.choice(ASKS).capitalize()} tại {described.choice(PLACES)}; {described.choice(BODIES)}."
        task_rows.append((task_id, directive, None, title, description, lead, rnd.choice(leaders), assignee, due, original, missed, version,
                          state, reason, percent, completed, 1 if rnd.random() < 0.1 else 0, rnd.random() < 0.02, office, created_at,
                          updated_at, task_text(title, description, directive_search[directive])))
        if len(task_rows) == CHUNK or task_id == n_tasks:
            yield ("task", TASK_COLUMNS, task_rows)
            yield ("task_support", SUPPORT_COLUMNS, supports)
            yield ("progress_report", REPORT_COLUMNS, reports)
            task_rows, supports, reports = [], [], []


def batches(n_tasks: int, descriptions: bool = False) -> Iterator[Batch]:
    """Everything for a register of `n_tasks`, in an order the foreign keys accept."""
    yield from people()
    n_directives, directive_batch = directives(n_tasks)
    yield directive_batch
    searches = {row[0]: row[-1] for row in directive_batch[2]}
    yield from tasks(n_tasks, n_directives, searches, descriptions=descriptions)
    yield marker(n_tasks)
