"""The Excel import writes as the API writes: through `tasks.register`'s writers and
`tasks.audit`'s encoding, reading what is already there inside its own write transaction."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date

import asyncpg
import pytest

from tasks import importer, register
from tasks.errors import Conflict
from tasks.permissions import Actor, Role
from tasks.tables import AuditEvent, Directive, Division, Notice, Task, User
from tests.integration.test_import import CAL, CLEAN, NOW, office, workbook  # noqa: F401  (office is a fixture)
from tests.integration.test_pages import Browser


async def _identities() -> list[tuple]:
    rows = await Task.select(Task.directive.issuer, Task.directive.number, Task.title, Task.lead_division).run()
    return sorted((r["directive.issuer"], r["directive.number"], r["title"], r["lead_division"]) for r in rows)


def _set(row: dict) -> set[str]:
    return {k for k, v in row.items() if v is not None}


def _shape(event: dict) -> tuple:
    after = event["after"]
    after = json.loads(after) if isinstance(after, str) else after
    return (event["entity_type"], event["actor_username"], event["before"], event["task"] is not None, sorted(after))


async def test_an_imported_task_has_the_columns_audit_event_and_notices_of_a_task_recorded_through_the_api(db, office):
    for code in ("QLNL", "QLTM"):
        division = await Division.select(Division.id).where(Division.code == code).first().run()
        await User.insert(User(username=f"truong.{code.lower()}", role="head", division=division["id"])).run()
    same = dict(issued_on=date(2026, 1, 5), received_on=date(2026, 1, 5), kind="instruction", summary="Bảo đảm cung ứng điện mùa khô")
    await register.record_directive(db, office, NOW, CAL, register.NewDirective(number="PGV-000", issuer=importer.IMPORT_ISSUER, **same), [
        register.NewTask(title="Việc ghi qua API", lead_division="QLNL", support_divisions=("QLTM",), leader_in_charge="pgd.hai",
                         due_on=date(2026, 3, 20))])
    await importer.import_xlsx(db, office, NOW, CAL, workbook([CLEAN[0]]), source_name="giao-viec.xlsx")

    by_api, imported = await Task.select().order_by(Task.id).run()
    assert _set(by_api) == _set(imported)
    assert {k: imported[k] for k in ("state", "deadline_version", "percent", "original_due_on")} == {
        k: by_api[k] for k in ("state", "deadline_version", "percent", "original_due_on")}
    directives = await Directive.select().order_by(Directive.id).run()
    assert _set(directives[0]) == _set(directives[1])

    events = await AuditEvent.select().order_by(AuditEvent.id).run()
    assert [e["action"] for e in events] == ["record_directive", "create_task", "import_directive", "import_task"]
    assert [_shape(e) for e in events[:2]] == [_shape(e) for e in events[2:]]
    after = json.loads(events[3]["after"]) if isinstance(events[3]["after"], str) else events[3]["after"]
    assert (after["lead_division_code"], after["support_divisions"]) == ("QLNL", ["QLTM"])

    # Both tell the lead division's head and copy the supporting division's (tasks.notices).
    told = [sorted((n["kind"], n["role"], n["user.username"]) for n in await Notice.select(
        Notice.kind, Notice.role, Notice.user.username).where(Notice.task == t["id"]).run()) for t in (by_api, imported)]
    assert told[0] == told[1] == [("assigned", "cc", "truong.qltm"), ("assigned", "to", "truong.qlnl")]


async def test_two_imports_of_the_same_workbook_at_once_land_one_set_of_rows(db, office):
    content = workbook(CLEAN)
    results = await asyncio.gather(*(importer.import_xlsx(db, office, NOW, CAL, content) for _i in range(3)))
    assert sorted((r.imported, len(r.new_tasks), r.existing_tasks) for r in results) == [(False, 0, 3)] * 2 + [(True, 3, 0)]
    assert await Task.count().run() == 3 and await Directive.count().run() == 2
    assert await AuditEvent.count().run() == 5


async def test_imports_at_once_adding_tasks_to_directives_already_recorded_add_each_task_once(db, office):
    # The directives are there already, so no unique index stands between the imports: only reading
    # what exists inside the write transaction, one import at a time, keeps the tasks single.
    await importer.import_xlsx(db, office, NOW, CAL, workbook([CLEAN[0], CLEAN[2]]))
    content = workbook(CLEAN)
    results = await asyncio.gather(*(importer.import_xlsx(db, office, NOW, CAL, content) for _i in range(4)))
    assert sorted((r.imported, len(r.new_tasks), r.existing_tasks) for r in results) == [(False, 0, 3)] * 3 + [(True, 1, 2)]
    identities = await _identities()
    assert len(identities) == len(set(identities)) == 3


async def test_a_clerk_recording_a_directive_while_it_is_imported_gets_one_directive_and_a_clear_answer(db, office):
    directive = register.NewDirective(number="PGV-001", issuer=importer.IMPORT_ISSUER, kind="instruction")
    outcomes = await asyncio.gather(
        importer.import_xlsx(db, office, NOW, CAL, workbook(CLEAN)),
        register.record_directive(db, office, NOW, CAL, directive, [register.NewTask(title="Rà soát phương án cấp điện", lead_division="QLNL")]),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) for o in refused) and len(refused) <= 1, refused
    assert await Directive.count().where(Directive.number == "PGV-001").run() == 1
    identities = await _identities()
    assert len(identities) == len(set(identities))


async def test_a_directive_recorded_elsewhere_after_the_import_read_is_a_conflict_and_nothing_is_imported(db, office, database_url, monkeypatch):
    """The one window left on PostgreSQL: another instance commits the directive after this import
    read what exists (it does not take the import's lock). SQLite has no such window: the import's
    write transaction holds the database's write lock from before its read."""
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite's write transaction excludes every other writer from before the read")
    read = importer._existing

    async def read_then_another_instance_records(parsed):
        found = await read(parsed)
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("INSERT INTO directive (number, issuer, signer, kind, summary, state, created_at) "
                               "VALUES ('PGV-002', $1, '', 'instruction', '', 'active', now())", importer.IMPORT_ISSUER)
        finally:
            await conn.close()
        return found

    monkeypatch.setattr(importer, "_existing", read_then_another_instance_records)
    with pytest.raises(Conflict) as conflict:
        await importer.import_xlsx(db, office, NOW, CAL, workbook(CLEAN))
    assert conflict.value.fields == {"file": "Recorded meanwhile"}
    assert await Task.count().run() == 0 and await Directive.count().run() == 1 and await AuditEvent.count().run() == 0


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def test_an_imported_tasks_history_is_one_line_saying_so_in_vietnamese(db, world, browser):
    clerk = Actor(id=world.user_ids["vanphong"], username="vanphong", role=Role.OFFICE)
    await importer.import_xlsx(db, clerk, world.clock.now(), CAL, workbook([CLEAN[0]]), source_name="giao-viec.xlsx")
    task_id = (await Task.select(Task.id).first().run())["id"]
    await browser.sign_in("vanphong")
    page = (await browser.get(f"/tasks/{task_id}")).text
    history = page[page.index('<ol class="timeline">'):]
    history = history[:history.index("</ol>")]
    lines = re.findall(r'<li class="[^"]*">', history)
    assert len(lines) == 1
    assert "<strong>Nhiệm vụ được nhập từ Excel</strong>" in history
    assert not re.search(r"import_task|assigned_on|class=\"changes\"|giao-viec", history)
