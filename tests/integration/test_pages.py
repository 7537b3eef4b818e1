"""The pages over HTTP on both engines: sign-in, sessions, throttling, CSRF, authorization,
and a bounded number of database queries however long a list is."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import unquote

import httpx
import pytest

from tasks.tables import AuditEvent, Task, User
from tests.integration.conftest import PASSWORD

TASK = {"title": "Rà soát phương án cung ứng điện mùa khô", "lead_division": "QLNL", "support_divisions": ["QLTM"],
        "leader_in_charge": "pgd.hai", "due_on": "2026-03-20"}
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Browser:
    """A cookie-keeping client that reads the CSRF token from the last page, like a browser."""

    def __init__(self, app, address: str = "127.0.0.1", base_url: str = "http://dondoc.test"):
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)), base_url=base_url)
        self.token = ""

    async def get(self, path: str) -> httpx.Response:
        r = await self.http.get(path)
        m = CSRF.search(r.text)
        if m:
            self.token = m[1]
        return r

    async def post(self, path: str, data: dict | None = None, csrf: bool = True) -> httpx.Response:
        body = dict(data or {})
        if csrf:
            body["_csrf_token"] = self.token
        return await self.http.post(path, data=body)

    async def sign_in(self, username: str, password: str = PASSWORD, next_path: str | None = None) -> httpx.Response:
        await self.get("/signin")
        return await self.post("/signin", {"username": username, "password": password, **({"next": next_path} if next_path else {})})

    async def close(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def browser(app):
    b = Browser(app)
    yield b
    await b.close()


async def one_task(world, **overrides) -> int:
    d = await world.directive_with_tasks(overrides.pop("number", "2150/UBND-KT"), [{**TASK, **overrides}])
    return d["tasks"][0]["id"]


async def test_an_anonymous_visitor_goes_to_sign_in_and_the_deep_link_survives_it(world, browser):
    task_id = await one_task(world)
    r = await browser.get(f"/tasks/{task_id}")
    assert r.status_code == 303
    assert unquote(r.headers["location"]) == f"/signin?next=/tasks/{task_id}"
    r = await browser.sign_in("truong.qlnl", next_path=f"/tasks/{task_id}")
    assert (r.status_code, r.headers["location"]) == (303, f"/tasks/{task_id}")
    page = await browser.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and "Rà soát phương án cung ứng điện mùa khô" in page.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
async def test_sign_in_never_sends_anyone_to_another_site(world, browser, target):
    r = await browser.sign_in("vanphong", next_path=target)
    assert r.status_code == 303 and r.headers["location"] == "/office"


async def test_the_session_cookie_is_httponly_and_samesite_lax_and_each_role_lands_on_its_home(world, app):
    for username, home in [("vanphong", "/office"), ("truong.qlnl", "/division"), ("giamdoc", "/leader"), ("quantri", "/admin/users")]:
        b = Browser(app)
        r = await b.sign_in(username)
        assert r.headers["location"] == home
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("dondoc_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        assert (await b.get("/")).headers["location"] == home
        await b.close()


async def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(db, clock, world):
    from web.app import create_app
    from web.settings import Settings

    app = create_app(Settings(database_url="sqlite:///unused.sqlite3", base_url="https://dondoc.example"), clock=clock, db=db)
    async with app.lifespan():
        b = Browser(app, base_url="https://dondoc.example")
        r = await b.sign_in("vanphong")
        assert r.status_code == 303
        assert any(h.startswith("dondoc_session=") and "Secure" in h for h in r.headers.get_list("set-cookie"))
        await b.close()


async def test_five_failed_sign_ins_lock_the_username_for_fifteen_minutes_even_with_the_right_password(world, app, clock):
    for i in range(5):
        b = Browser(app, address=f"10.0.0.{i + 1}")  # a different address each time: the username count alone locks
        r = await b.sign_in("truong.qlnl", password="sai-mat-khau")
        assert r.status_code == 401
        await b.close()
    b = Browser(app, address="10.0.0.99")
    r = await b.sign_in("truong.qlnl")
    assert r.status_code == 429 and "15" in r.text
    clock.advance(timedelta(minutes=15, seconds=1))
    r = await b.sign_in("truong.qlnl")
    assert (r.status_code, r.headers["location"]) == (303, "/division")
    await b.close()


async def test_a_session_expires_after_eight_idle_hours_and_lives_on_while_used(world, browser, clock):
    await browser.sign_in("truong.qlnl")
    clock.advance(timedelta(hours=7))
    assert (await browser.get("/division")).status_code == 200
    clock.advance(timedelta(hours=7))  # 14 h after sign-in, 7 h after the last page
    assert (await browser.get("/division")).status_code == 200
    clock.advance(timedelta(hours=8, minutes=1))
    r = await browser.get("/division")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


async def test_sign_out_ends_the_session_for_every_copy_of_its_cookie(world, app, browser):
    await browser.sign_in("vanphong")
    stolen = browser.http.cookies.get("dondoc_session")
    await browser.get("/office")
    r = await browser.post("/signout")
    assert (r.status_code, r.headers["location"]) == (303, "/signin")
    thief = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test", cookies={"dondoc_session": stolen})
    r = await thief.get("/office")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    await thief.aclose()


async def test_a_password_change_signs_out_the_other_sessions(world, app, browser):
    other = Browser(app)
    await other.sign_in("vanphong")
    await browser.sign_in("vanphong")
    await browser.get("/account")
    r = await browser.post("/account/password", {"current_password": PASSWORD, "new_password": "mat-khau-moi-2026", "repeat_password": "mat-khau-moi-2026"})
    assert r.status_code == 303
    assert (await browser.get("/office")).status_code == 200
    assert (await other.get("/office")).status_code == 303
    assert (await Browser(app).sign_in("vanphong", password="mat-khau-moi-2026")).status_code == 303
    await other.close()


async def test_a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(world, browser):
    task_id = await one_task(world)
    await browser.sign_in("truong.qlnl")
    await browser.get(f"/tasks/{task_id}")
    r = await browser.post(f"/tasks/{task_id}/progress", {"percent": "50", "note": "Không có mã"}, csrf=False)
    assert r.status_code == 403 and "mã bảo mật" in r.text
    r = await browser.http.post(f"/tasks/{task_id}/progress", data={"percent": "50", "note": "Mã giả", "_csrf_token": "0" * 128})
    assert r.status_code == 403
    assert (await Task.select(Task.percent).where(Task.id == task_id).first().run())["percent"] == 0
    r = await browser.post(f"/tasks/{task_id}/progress", {"percent": "50", "note": "Có mã hợp lệ"})
    assert r.status_code == 303
    assert (await Task.select(Task.percent).where(Task.id == task_id).first().run())["percent"] == 50


async def test_a_head_neither_sees_nor_performs_another_divisions_task_actions(world, browser):
    task_id = await one_task(world, support_divisions=[])
    await browser.sign_in("truong.qltm")
    assert (await browser.get(f"/tasks/{task_id}")).status_code == 404
    await browser.get("/division")
    for action, data in [("progress", {"percent": "90", "note": "Thử"}), ("submit", {"note": "Xong"}),
                         ("extensions", {"requested_due_on": "30/04/2026", "reason": "Thử"}), ("confirm", {})]:
        r = await browser.post(f"/tasks/{task_id}/{action}", data)
        assert r.status_code == 403, action
    refused = await AuditEvent.select(AuditEvent.after).where((AuditEvent.task == task_id) & (AuditEvent.action == "forbidden")).run()
    assert len(refused) == 4
    task = await Task.select(Task.state, Task.percent).where(Task.id == task_id).first().run()
    assert (task["state"], task["percent"]) == ("open", 0)


async def test_a_supporting_head_may_report_progress_but_is_not_offered_submit_or_extension(world, browser):
    task_id = await one_task(world)
    await browser.sign_in("truong.qltm")
    page = await browser.get(f"/tasks/{task_id}")
    assert f'action="/tasks/{task_id}/progress"' in page.text
    assert f'action="/tasks/{task_id}/submit"' not in page.text and f'action="/tasks/{task_id}/extensions"' not in page.text
    r = await browser.post(f"/tasks/{task_id}/submit", {"note": "Xong"})
    assert r.status_code == 403
    lead = Browser(browser.http._transport.app)
    await lead.sign_in("truong.qlnl")
    page = await lead.get(f"/tasks/{task_id}")
    assert f'action="/tasks/{task_id}/submit"' in page.text and f'action="/tasks/{task_id}/extensions"' in page.text
    await lead.close()


async def test_a_leader_cannot_edit_users_through_the_pages_or_the_api(world, browser):
    await browser.sign_in("giamdoc")
    assert (await browser.get("/admin/users")).status_code == 403
    head_id = world.user_ids["truong.qlnl"]
    r = await browser.post(f"/admin/users/{head_id}", {"full_name": "Đổi tên", "email": "x@sct.example.vn", "role": "admin", "locale": "vi", "active": "1"})
    assert r.status_code == 403
    assert (await User.select(User.role).where(User.id == head_id).first().run())["role"] == "head"
    assert await AuditEvent.count().where((AuditEvent.action == "forbidden") & (AuditEvent.entity_type == "user")).run() == 1
    r = await world.post("giamdoc", "/api/v1/users", {"username": "moi", "full_name": "Mới", "email": "moi@sct.example.vn", "role": "admin",
                                                        "division": None, "password": PASSWORD})
    assert r.status_code == 403


async def test_a_leader_approves_an_extension_in_place_and_the_deadline_moves(world, browser):
    task_id = await one_task(world)
    r = await world.post("truong.qlnl", f"/api/v1/tasks/{task_id}/extensions", {"requested_due_on": "2026-04-10", "reason": "Chờ số liệu"})
    ext_id = r.json()["id"]
    await browser.sign_in("giamdoc")
    page = await browser.get("/leader")
    assert f'id="ext-{ext_id}"' in page.text
    r = await browser.http.post(f"/extensions/{ext_id}/decision", data={"approve": "1", "note": "", "_csrf_token": browser.token},
                                headers={"HX-Request": "true"})
    assert r.status_code == 200 and "10/04/2026" in r.text and "<html" not in r.text
    assert str((await Task.select(Task.due_on).where(Task.id == task_id).first().run())["due_on"]) == "2026-04-10"


async def test_english_is_a_per_user_choice_and_dates_stay_dd_mm_yyyy(world, browser):
    task_id = await one_task(world)
    await browser.sign_in("vanphong")
    assert "Nhiệm vụ" in (await browser.get(f"/tasks/{task_id}")).text
    await browser.post("/language", {"locale": "en", "next": f"/tasks/{task_id}"})
    page = await browser.get(f"/tasks/{task_id}")
    assert "Progress reports" in page.text and "20/03/2026" in page.text and 'lang="en"' in page.text
    assert (await User.select(User.locale).where(User.username == "vanphong").first().run())["locale"] == "en"


class QueryCounter:
    """Counts every statement the engine runs (engines have slots, so the class method is wrapped)."""

    def __init__(self, engine):
        self.engine, self.count, self.cls = engine, 0, type(engine)
        self.original = self.cls.run_querystring

    def __enter__(self):
        counter, original = self, self.original

        async def counting(engine, *args, **kwargs):
            if engine is counter.engine:
                counter.count += 1
            return await original(engine, *args, **kwargs)

        self.cls.run_querystring = counting
        return self

    def __exit__(self, *exc):
        self.cls.run_querystring = self.original


async def _queries_for(db, browser, path: str) -> int:
    with QueryCounter(db.engine) as counter:
        r = await browser.get(path)
    assert r.status_code == 200, r.text[:500]
    return counter.count


async def test_list_pages_make_the_same_few_queries_for_200_tasks_as_for_2(world, db, app):
    tasks = [{**TASK, "title": f"Nhiệm vụ số {i}", "due_on": f"2026-03-{1 + i % 28:02d}"} for i in range(200)]
    await world.directive_with_tasks("1/UBND-KT", tasks[:2])  # the first is already overdue
    await Task.update({Task.starred: True}).where(Task.id > 0).run()
    office, head, leader = Browser(app), Browser(app), Browser(app)
    await office.sign_in("vanphong"), await head.sign_in("truong.qlnl"), await leader.sign_in("giamdoc")
    pages = [(office, "/tasks?per_page=200"), (head, "/division"), (leader, "/leader"), (office, "/directives")]
    few = [await _queries_for(db, b, path) for b, path in pages]
    await world.directive_with_tasks("2/UBND-KT", tasks[2:])
    await Task.update({Task.starred: True}).where(Task.id > 0).run()
    many = [await _queries_for(db, b, path) for b, path in pages]
    print(f"\nqueries per page with 2 and with 200 tasks: {dict(zip([p for _, p in pages], zip(few, many)))}")
    assert many == few
    assert max(many) <= 24  # the leader's overview (figures and three lists) is the busiest
    body = (await office.get("/tasks?per_page=200")).text
    assert body.count('<tr class="row-') == 200
    for b in (office, head, leader):
        await b.close()


async def test_no_page_and_not_the_api_documentation_loads_anything_from_another_site(world, browser):
    await browser.sign_in("quantri")
    for path in ["/admin/users", "/tasks", "/schema", "/signin"]:
        html = (await browser.get(path)).text
        external = re.findall(r'(?:src|href)\s*[=:]\s*["\'](https?:)?//', html) + re.findall(r'url:\s*["\']https?://', html)
        assert external == [], path
    for asset in ["/static/htmx.min.js", "/static/app.css", "/static/swagger/swagger-ui-bundle.js"]:
        assert (await browser.http.get(asset)).status_code == 200, asset


async def test_the_admin_adds_a_swapped_working_day_and_takes_it_back_and_no_one_else_may(world, app, browser):
    await browser.sign_in("quantri")
    await browser.get("/admin/calendar?year=2026")
    r = await browser.post("/admin/calendar", {"day": "09/05/2026", "kind": "working", "name": "Làm bù ngày 01/05"})
    assert (r.status_code, r.headers["location"]) == (303, "/admin/calendar?year=2026&msg=day_added")
    page = await browser.get("/admin/calendar?year=2026")
    assert "09/05/2026" in page.text and "Làm bù ngày 01/05" in page.text
    r = await browser.post("/admin/calendar", {"day": "12/05/2026", "kind": "working", "name": "Thứ Ba"})
    assert r.status_code == 422 and "Ngày làm việc nhập ở đây phải là thứ Bảy, Chủ nhật hoặc một ngày lễ." in r.text
    office = Browser(app)
    await office.sign_in("vanphong")
    await office.get("/office")
    assert (await office.post("/admin/calendar/remove", {"day": "09/05/2026"})).status_code == 403
    await office.close()
    r = await browser.post("/admin/calendar/remove", {"day": "09/05/2026"})
    assert r.status_code == 303
    assert "Làm bù ngày 01/05" not in (await browser.get("/admin/calendar?year=2026")).text
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_type == "calendar_day").order_by(AuditEvent.id).run()]
    assert actions == ["add_calendar_day", "forbidden", "remove_calendar_day"]


async def test_the_admin_marks_a_public_holiday_as_worked_this_year_and_deadlines_count_it(world, app, browser):
    await browser.sign_in("quantri")
    page = await browser.get("/admin/calendar?year=2026")
    assert "Mùng hai Tết Nguyên đán" in page.text and "Nguyên Đán" not in page.text
    mark = re.search(r'<form method="post" action="/admin/calendar" class="inline no-print">.*?value="18/02/2026".*?name="name" value="([^"]+)"',
                     page.text)
    assert mark is not None, "no 'mark as a working day' button on Mùng hai Tết"
    r = await browser.post("/admin/calendar", {"day": "18/02/2026", "kind": "working", "name": html.unescape(mark[1])})
    assert (r.status_code, r.headers["location"]) == (303, "/admin/calendar?year=2026&msg=day_added")
    page = await browser.get("/admin/calendar?year=2026")
    row = re.search(r"<tr class=\"cal-(\w+)\"><td class=\"date\">18/02/2026</td>.*?</tr>", page.text, re.S)
    assert row is not None and row[1] == "working" and "ngày lễ: Mùng hai Tết Nguyên đán" in row[0]
    # One working day after Friday 13/02 is now Wednesday 18/02, not Monday 23/02 after Tết.
    d = await world.directive_with_tasks("77/UBND-KT", [{"title": "Trực Tết", "lead_division": "QLNL", "due_in_working_days": 1}],
                                         issued_on="2026-02-12", received_on="2026-02-13")
    assert d["tasks"][0]["due_on"] == "2026-02-18"
    event = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_username).where(AuditEvent.entity_type == "calendar_day").first().run()
    assert event == {"action": "add_calendar_day", "actor_username": "quantri"}


async def test_the_task_page_lists_the_reminders_sent_about_the_task(world, app, browser, clock):
    from datetime import datetime, timezone

    task_id = await one_task(world, due_on="2026-03-05")  # two working days away: the 3-day reminder is due
    clock.at = datetime(2026, 3, 3, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội, within working hours
    await app.state.notifier.run_pass(clock.now())
    await browser.sign_in("vanphong")
    page = await browser.get(f"/tasks/{task_id}")
    assert page.status_code == 200, page.text[:3000]
    section = page.text.split("Thông báo đã gửi", 1)[1].split("</section>", 1)[0]
    assert "Trước hạn 3 ngày làm việc" in section and "Trần Văn Năng" in section


async def test_a_session_and_a_form_token_from_one_instance_work_on_another(world, db, clock, settings, browser):
    from web.app import create_app

    await browser.sign_in("truong.qlnl")
    task_id = await one_task(world)
    await browser.get(f"/tasks/{task_id}")
    other = create_app(settings, clock=clock, db=db)  # a second instance behind the load balancer
    async with other.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://dondoc.test",
                                     cookies=dict(browser.http.cookies)) as c:
            assert (await c.get("/division")).status_code == 200
            r = await c.post(f"/tasks/{task_id}/progress", data={"percent": "20", "note": "Từ máy chủ thứ hai", "_csrf_token": browser.token})
            assert r.status_code == 303
    assert (await Task.select(Task.percent).where(Task.id == task_id).first().run())["percent"] == 20


@pytest.mark.parametrize("back", ["//evil.example/x", "/\\evil.example", "https://evil.example/"])
async def test_a_form_never_sends_anyone_to_another_site_afterwards(world, browser, back):
    task_id = await one_task(world)
    await browser.sign_in("truong.qlnl")
    await browser.get(f"/tasks/{task_id}")
    r = await browser.post(f"/tasks/{task_id}/progress", {"percent": "10", "note": "Bắt đầu", "back": back})
    assert r.status_code == 303 and r.headers["location"] == "/?msg=progress_saved"


async def test_what_users_type_is_shown_as_text_never_as_markup(world, browser):
    task_id = await one_task(world, title="Kiểm tra <script>alert(1)</script> giá")
    await browser.sign_in("vanphong")
    for path in (f"/tasks/{task_id}", "/tasks"):
        html = (await browser.get(path)).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_a_form_field_that_is_not_utf8_text_is_refused_not_a_server_error(world, browser):
    # The API's fuzzing found Litestar's multipart parser raising on such a field; the pages read
    # their forms through the same door (web.inputs.read_form).
    await browser.sign_in("vanphong")
    await browser.get("/import")
    r = await browser.http.post("/import", data={"_csrf_token": browser.token}, files={"note": (None, b"\xff\xfe\x89PNG")})
    assert r.status_code == 422, r.text
    assert "UTF-8" in r.text
