"""Recording what is already recorded answers 409, never 500 (issue 10, defect 6): a directive number
with a trailing space after the same number without it (both engines), and two identical requests
at once — a directive, a user, a division, a calendar entry — on PostgreSQL, where both can pass the
service's "is it already there?" check before either inserts.

The race is made certain, not left to timing: a third connection holds a lock on the table that
lets the two requests read but not insert; once both are waiting at their INSERT, the lock is
released and they insert together, one after the other's commit."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tasks.tables import CalendarDay, Directive, Division, User
from tests.integration.conftest import PASSWORD, World

API = "/api/v1"
DIRECTIVE = {"number": "12/KH-UBND", "issuer": "UBND tỉnh", "issued_on": "2026-02-25", "kind": "document",
             "tasks": [{"title": "Rà soát nguồn điện", "lead_division": "QLNL"}]}


async def test_a_directive_number_with_a_trailing_space_is_the_same_directive(world):
    first = await world.post("vanphong", f"{API}/directives", DIRECTIVE)
    assert first.status_code == 201, first.text
    for number in ("12/KH-UBND ", " 12/KH-UBND", "12/KH-UBND\u000b"):
        again = await world.post("vanphong", f"{API}/directives", {**DIRECTIVE, "number": number, "issuer": "UBND tỉnh "})
        assert again.status_code == 409, again.text
        assert again.json()["fields"] == {"number": "Đã được ghi nhận"} and "12/KH-UBND" in again.json()["message"]
    assert await Directive.count() == 1


async def both_at_once(world: World, database_url: str, table: str, requests: list) -> list:
    """Send `requests` (coroutines) together while `table` is locked against inserts, and release the
    lock only when each of them waits at its INSERT: both have passed their check by then."""
    blocker = await asyncpg.connect(dsn=database_url)
    try:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")  # reads pass, inserts wait
        sent = [asyncio.ensure_future(r) for r in requests]
        waiting = 0
        for _ in range(600):  # up to a minute for two requests to arrive at their INSERT
            waiting = await blocker.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = $1 AND NOT l.granted", table)
            if waiting == len(requests) or any(s.done() for s in sent):
                break
            await asyncio.sleep(0.1)
        await transaction.rollback()
        replies = await asyncio.gather(*sent)
    finally:
        await blocker.close()
    assert waiting == len(requests), f"only {waiting} of {len(requests)} requests reached the insert: {[r.text for r in replies]}"
    return replies


def outcome(replies) -> list[int]:
    return sorted(r.status_code for r in replies)


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite takes its write lock before the check (BEGIN IMMEDIATE): two requests cannot both pass it")
    return database_url


async def test_two_identical_directives_at_once_record_one_and_answer_409_to_the_other(world, postgres_only):
    replies = await both_at_once(world, postgres_only, "directive", [world.post("vanphong", f"{API}/directives", DIRECTIVE) for _ in range(2)])
    assert outcome(replies) == [201, 409], [r.text for r in replies]
    assert [r.json()["fields"] for r in replies if r.status_code == 409] == [{"number": "Đã được ghi nhận"}]
    assert await Directive.count() == 1


async def test_two_identical_users_divisions_and_calendar_entries_at_once_make_one_each(world, postgres_only):
    user = {"username": "truong.khtc", "full_name": "Đỗ Thị Kế", "email": "khtc@sct.example.vn", "role": "head", "division": "KHTC",
            "password": PASSWORD}
    division = {"code": "ATMT", "name": "Phòng Kỹ thuật an toàn", "email": "atmt@sct.example.vn"}
    day = {"day": "2026-03-14", "kind": "working", "name": "Làm bù ngày 30/4"}
    for table, path, body, field in [("app_user", "/users", user, "username"), ("division", "/divisions", division, "code"),
                                     ("calendar_day", "/calendar", day, "day")]:
        replies = await both_at_once(world, postgres_only, table, [world.post("quantri", API + path, body) for _ in range(2)])
        assert outcome(replies) == [201, 409], (path, [r.text for r in replies])
        assert [list(r.json()["fields"]) for r in replies if r.status_code == 409] == [[field]], path
    assert await User.count().where(User.username == "truong.khtc") == 1
    assert await Division.count().where(Division.code == "ATMT") == 1
    assert await CalendarDay.count() == 1
