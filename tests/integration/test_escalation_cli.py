"""`dondoc escalate` and `dondoc digest` from the command line, the weekly digest, and the
scheduler the app runs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from notify.mailer import MemoryMailer
from notify.tables import Notification
from tasks import lifecycle
from tasks.calendar_days import load_calendar
from web.cli.demo import seed_demo
from tasks.tables import ALL_TABLES
from web.app import create_app
from web.settings import Settings

from app_lifespan import running
from escalation_support import BASE_URL, ZONE, Department, local

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY = date(2026, 11, 25)


def dondoc(database_url: str, smtp_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DONDOC_DATABASE_URL": database_url, "DONDOC_SMTP_URL": smtp_url, "DONDOC_BASE_URL": BASE_URL}
    result = subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count().run() for t in [*ALL_TABLES, Notification]}


async def test_a_dry_run_on_the_demo_data_prints_a_readable_plan_and_writes_nothing(db, database_url, sink):
    if not database_url.startswith("sqlite"):
        pytest.skip("the demo takes a while to seed; the plan is engine-independent and the passes are tested on both")
    await seed_demo(db, local(WEDNESDAY, 8), ZONE)
    before = await counts()

    out = dondoc(database_url, sink.url, "escalate", "--as-of", "2026-11-25T10:00", "--dry-run").stdout
    assert "dry run as of 25/11/2026 10:00 (Asia/Ho_Chi_Minh); nothing is written or sent" in out
    header = next(line for line in out.splitlines() if "new notifications in" in line)
    planned, emails = int(header.split()[0]), int(header.split(" in ")[1].split()[0])
    assert planned > 0 and emails > 1
    assert "(truongphong." in out and "overdue_" in out and " due " in out
    assert await counts() == before and sink.received == []

    out = dondoc(database_url, sink.url, "escalate", "--as-of", "2026-11-25T10:00").stdout
    assert f"{planned} new notifications planned; {emails} emails sent ({planned} notifications)" in out
    assert len(sink.received) == emails

    out = dondoc(database_url, sink.url, "escalate", "--as-of", "2026-11-25T20:00", "--dry-run").stdout
    assert "outside working hours" in out


async def test_the_digest_command_sends_each_leader_one_digest_a_week(db, database_url, sink, clock):
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    late = await dept.task(calendar, date(2026, 2, 27), title="Báo cáo tình hình cung ứng điện")
    await lifecycle.report_progress(db, dept.actors["truong.qlnl"], local(date(2026, 3, 2), 10), late, 40, "Đã họp với Điện lực tỉnh")
    await dept.task(calendar, date(2026, 3, 4), title="Kiểm tra chợ", lead="QLTM")

    out = dondoc(database_url, sink.url, "digest", "--as-of", "2026-03-09T07:00", "--dry-run").stdout
    assert "week of 2026-03-09: 2 overdue tasks" in out and "Phòng Quản lý năng lượng (1)" in out
    assert "would be sent to: giamdoc, pgd.hai" in out
    assert sink.received == [] and await Notification.count().run() == 0

    out = dondoc(database_url, sink.url, "digest", "--as-of", "2026-03-09T07:00").stdout
    assert "2 digests planned; 2 emails sent" in out
    [message] = sink.to(dept.address("giamdoc"))
    assert message["Subject"] == "[Đôn đốc] Danh sách nhiệm vụ quá hạn tuần 09/03/2026: 2 nhiệm vụ quá hạn"
    text = message.get_body(("plain",)).get_content()
    assert "== Phòng Quản lý năng lượng (1) ==" in text
    assert "Quá hạn 6 ngày làm việc" in text  # due Fri 27/02: 2, 3, 4, 5, 6, 9 March
    assert "Tiến độ gần nhất: Đã họp với Điện lực tỉnh" in text
    assert f"{BASE_URL}/tasks/{late}" in text
    assert "Báo cáo tình hình cung ứng điện" in message.get_body(("html",)).get_content()
    assert sink.to(dept.address("truong.qlnl")) == []

    out = dondoc(database_url, sink.url, "digest", "--as-of", "2026-03-09T11:00").stdout
    assert "0 digests planned; 0 emails sent" in out and len(sink.received) == 2


async def test_the_app_runs_the_passes_on_its_scheduler_with_its_clock(db, clock, database_url):
    dept = await Department(db, clock).build()
    await dept.task(await load_calendar(ZONE), date(2026, 3, 6))
    mailer = MemoryMailer()
    settings = Settings(database_url=database_url, base_url=BASE_URL, scheduler=True)
    app = create_app(settings, clock=clock, mailer=mailer, db=db)
    async with running(app):
        scheduler = app.state.scheduler
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"escalation", "weekly_digest", "update_request"}  # the last at DONDOC_UPDATE_REQUEST, Fridays 14:00
        monday = jobs["weekly_digest"].next_run_time
        assert (monday.weekday(), monday.hour, monday.minute, str(monday.tzinfo)) == (0, 7, 0, ZONE)
        await jobs["escalation"].func()  # what the scheduler does every minute
    assert len(mailer.sent) == 2 and not scheduler.running

    quiet = create_app(Settings(database_url=database_url, base_url=BASE_URL), clock=clock, mailer=MemoryMailer(), db=db)
    async with running(quiet):
        assert getattr(quiet.state, "scheduler", None) is None


def test_the_scheduler_is_on_unless_the_environment_turns_it_off():
    assert Settings.from_env({}).scheduler is True
    assert Settings.from_env({"DONDOC_SCHEDULER": "off"}).scheduler is False
    with pytest.raises(Exception, match="DONDOC_SCHEDULER"):
        Settings.from_env({"DONDOC_SCHEDULER": "sometimes"})
