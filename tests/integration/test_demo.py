"""`dondoc seed-demo`: a demo Sở Công Thương played through the real services, loaded only once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from tasks.calendar_days import load_calendar
from web.cli.demo import DEMO_PASSWORD, seed_demo
from tasks.accounts import authenticate
from tasks.tables import ALL_TABLES, AuditEvent, Directive, ExtensionRequest, Task, User
from tasks.timeliness import TaskDates, Timeliness, timeliness

# A Tuesday morning in Hà Nội (10:00 +07:00).
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
ZONE = "Asia/Ho_Chi_Minh"


async def _row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count().run() for table in ALL_TABLES}


async def test_demo_covers_every_timeliness_and_role_and_is_loaded_once(db):
    assert await seed_demo(db, NOW, ZONE) is True

    calendar = await load_calendar(ZONE)
    tasks = await Task.select().run()
    assert len(tasks) >= 200
    codes = Counter(timeliness(TaskDates(t["state"], t["due_on"], t["completed_on"]), NOW, calendar) for t in tasks)
    assert set(codes) - {None} == set(Timeliness), codes
    assert 0.05 <= codes[Timeliness.OVERDUE] / len(tasks) <= 0.2, codes
    states = Counter(t["state"] for t in tasks)
    assert {"open", "in_progress", "submitted", "done", "paused", "cancelled"} <= set(states), states
    assert any(t["parent"] for t in tasks) and any(t["due_on"] is None for t in tasks)
    assert {e["state"] for e in await ExtensionRequest.select(ExtensionRequest.state).run()} == {"pending", "approved", "refused"}
    assert 40 <= await Directive.count().run() <= 60

    users = await User.select(User.username, User.role).run()
    assert {u["role"] for u in users} == {"admin", "office", "head", "leader"}
    for username in ("vanphong", "truongphong.qlnl", "giamdoc", "quantri"):
        assert await authenticate(username, DEMO_PASSWORD) is not None, username

    # Every task has its history, and nothing is dated after `now`.
    audited = {e["task"] for e in await AuditEvent.select(AuditEvent.task).where(AuditEvent.task.is_not_null()).run()}
    assert {t["id"] for t in tasks} <= audited
    latest = await AuditEvent.select(AuditEvent.at).order_by(AuditEvent.at, ascending=False).first().run()
    assert latest["at"] <= NOW
    assert not await AuditEvent.exists().where(AuditEvent.action == "forbidden").run()

    before = await _row_counts()
    assert await seed_demo(db, NOW, ZONE) is False
    assert await _row_counts() == before
