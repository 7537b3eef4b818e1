"""What the operator runs the service with: security headers on every response, /healthz and
/readyz, /metrics for the allowed addresses only."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from app_lifespan import running
from tests.conftest import run_migrate
from notify.mailer import MailError, MemoryMailer
from scratch import drop_scratch_database, scratch_database_url
from web.app import create_app
from web.health import readiness_problems
from web.settings import Settings

CSP = "Content-Security-Policy"


def assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers.get(CSP, "")
    assert "frame-ancestors 'none'" in csp, response.request.url
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


async def test_every_kind_of_response_carries_the_security_headers(world):
    c = world.client
    responses = {
        "page": await c.get("/signin"),
        "signed-in page": await c.get("/tasks", headers={}),  # a redirect to sign in
        "api": await world.get("vanphong", "/api/v1/tasks"),
        "api error": await c.get("/api/v1/tasks"),
        "static file": await c.get("/static/app.css"),
        "404": await c.get("/no-such-page"),
        "405": await c.delete("/signin"),
        "health": await c.get("/healthz"),
        "api docs": await c.get("/schema"),
    }
    assert [r.status_code for r in responses.values()] == [200, 303, 200, 401, 200, 404, 405, 200, 200]
    for response in responses.values():
        assert_security_headers(response)
    # Only the API documentation's Swagger UI may set styles inline; no page may.
    assert "'unsafe-inline'" not in responses["page"].headers[CSP]
    assert "style-src 'self' 'unsafe-inline'" in responses["api docs"].headers[CSP]
    # Over plain http no HSTS: a browser would ignore it, and a laptop must not be pinned to https.
    assert "Strict-Transport-Security" not in responses["page"].headers


async def test_hsts_is_sent_when_the_site_is_served_over_https(db, database_url, clock):
    app = create_app(Settings(database_url=database_url, base_url="https://dondoc.example"), clock=clock, db=db)
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://dondoc.example") as c:
            for url in ("/signin", "/static/app.css", "/nowhere"):
                r = await c.get(url)
                assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


async def test_the_pages_have_no_inline_script_or_style_and_the_schema_page_starts_from_a_file(world):
    page = (await world.client.get("/signin")).text
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert re.search(r"\son[a-z]+=", page) is None and 'style="' not in page
    schema = (await world.client.get("/schema")).text
    assert re.search(r"<script(?![^>]*\bsrc=)", schema) is None
    assert '<script src="/static/swagger-init.js"' in schema
    assert (await world.client.get("/static/swagger-init.js")).status_code == 200
    assert (await world.client.get("/schema/openapi.json")).json()["info"]["title"] == "dondoc"


async def test_healthz_answers_without_sign_in(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"ok": True}


@pytest.fixture
async def fresh_url(database_url, tmp_path):
    url = await scratch_database_url(database_url, "ops_fresh", tmp_path)
    yield url
    await drop_scratch_database(database_url, url)


async def test_readyz_is_503_with_the_reason_before_migrate_and_200_after(fresh_url):
    app = create_app(Settings(database_url=fresh_url))
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            r = await c.get("/readyz")
            assert r.status_code == 503
            assert r.json()["ready"] is False
            assert "migrations not applied" in r.json()["problems"][0]
            assert "tasks 2026-11-27T14:35:20:705048" in r.json()["problems"][0]
            await asyncio.to_thread(run_migrate, fresh_url)
            r = await c.get("/readyz")
            assert r.status_code == 200, r.text
            assert r.json() == {"ready": True}


@pytest.mark.filterwarnings("ignore:.*Unable to connect")
async def test_readyz_names_an_unreachable_database():
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
        # Without the lifespan the pool was never opened: each query tries to connect, and fails.
        r = await c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["problems"][0].startswith("database unreachable")


async def test_readyz_wants_the_scheduler_running_when_it_is_on(db, database_url, clock):
    assert await readiness_problems(db, scheduler_wanted=True, scheduler=None) == ["escalation scheduler not running"]
    assert await readiness_problems(db, scheduler_wanted=False, scheduler=None) == []
    app = create_app(Settings(database_url=database_url, scheduler=True), clock=clock, db=db, mailer=MemoryMailer())
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            assert (await c.get("/readyz")).json() == {"ready": True}


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` with exactly these labels, read from Prometheus' text format."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or "")) == labels:
            return float(match.group(3))
    return None


async def test_metrics_show_requests_sign_in_refusals_the_outbox_overdue_tasks_and_the_last_pass(world, db, database_url, clock):
    # Two tasks whose deadline has passed, one still ahead of it.
    await world.directive_with_tasks("77/UBND-KT", [
        {"title": "Báo cáo tình hình cung ứng điện", "lead_division": "QLNL", "leader_in_charge": "pgd.hai", "due_on": "2026-02-20"},
        {"title": "Kiểm tra thị trường xăng dầu", "lead_division": "QLTM", "leader_in_charge": "pgd.hai", "due_on": "2026-02-25"},
        {"title": "Rà soát quy hoạch điện", "lead_division": "QLNL", "leader_in_charge": "pgd.hai", "due_on": "2026-04-30"},
    ], issued_on="2026-02-02", received_on="2026-02-03")
    overdue_in_the_list = (await world.get("vanphong", "/api/v1/tasks?timeliness=overdue")).json()["total"]
    assert overdue_in_the_list == 2

    # The app as `dondoc serve` runs it: scheduler on; the mail server refuses for now (4xx).
    mailer = MemoryMailer(fail_with=MailError("451 try again later"))
    app = create_app(Settings(database_url=database_url, scheduler=True), clock=clock, db=db, mailer=mailer)
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
            form = (await c.get("/signin")).text
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
            r = await c.post("/signin", data={"username": "vanphong", "password": "not-the-password", "_csrf_token": token})
            assert r.status_code == 401
            await c.post("/api/v1/auth/token", json={"username": "vanphong", "password": "not-the-password"})
            await c.get("/no-such-page")
            # The minute's pass, now rather than in a minute; it runs as of the app's clock.
            app.state.scheduler.get_job("escalation").modify(next_run_time=datetime.now(timezone.utc))
            for _ in range(200):
                text = (await c.get("/metrics")).text
                if metric(text, "dondoc_escalation_passes_total", outcome="ran"):
                    break
                await asyncio.sleep(0.05)
            clock.advance(timedelta(minutes=10))
            r = await c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert metric(text, "dondoc_escalation_passes_total", outcome="ran") == 1
    assert metric(text, "dondoc_escalation_last_pass_timestamp_seconds") == world.clock.now().timestamp() - 600
    assert metric(text, "dondoc_escalation_last_pass_duration_seconds") > 0
    # The pass planned reminders and escalations; the mail server said "later", so they wait.
    assert metric(text, "dondoc_outbox_notifications", state="pending") >= 2
    assert metric(text, "dondoc_outbox_notifications", state="failed") == 0
    assert metric(text, "dondoc_outbox_oldest_pending_age_seconds") == 600
    assert metric(text, "dondoc_tasks_overdue") == overdue_in_the_list
    assert metric(text, "dondoc_database_figures_up") == 1
    assert metric(text, "dondoc_signin_refusals_total", route="/signin", reason="bad_credentials") == 1
    assert metric(text, "dondoc_signin_refusals_total", route="/api/v1/auth/token", reason="bad_credentials") == 1
    assert metric(text, "dondoc_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert metric(text, "dondoc_http_requests_total", method="POST", route="/signin", status="401") == 1
    assert metric(text, "dondoc_http_request_duration_seconds_count", method="POST", route="/api/v1/auth/token") == 1
    assert metric(text, "dondoc_http_request_duration_seconds_bucket", method="POST", route="/api/v1/auth/token", le="+Inf") == 1


async def test_metrics_are_refused_to_an_address_not_in_the_allow_list(db, database_url, clock):
    app = create_app(Settings(database_url=database_url), clock=clock, db=db)
    async with running(app):
        outside = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=outside, base_url="http://dondoc.test") as c:
            r = await c.get("/metrics")
            assert r.status_code == 403 and "dondoc_" not in r.text
        inside = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=inside, base_url="http://dondoc.test") as c:
            assert (await c.get("/metrics")).status_code == 200
    allowed = create_app(Settings(database_url=database_url, metrics_allow="203.0.113.0/24"), clock=clock, db=db)
    async with running(allowed):
        outside = httpx.ASGITransport(app=allowed, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=outside, base_url="http://dondoc.test") as c:
            assert (await c.get("/metrics")).status_code == 200


async def test_every_response_names_its_request_id_and_keeps_a_plain_one_from_the_client(client):
    r = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])
    assert (await client.get("/healthz", headers={"X-Request-ID": "lb-42.abc"})).headers["X-Request-ID"] == "lb-42.abc"
    assert (await client.get("/healthz", headers={"X-Request-ID": "bad id"})).headers["X-Request-ID"] != "bad id"


@pytest.mark.filterwarnings("ignore:.*Unable to connect")
async def test_a_database_that_does_not_answer_is_503_to_try_again_on_the_api_and_the_pages():
    """While PostgreSQL restarts, requests fail to reach it: that is the server's trouble and
    passes, so the answer is 503 with Retry-After, in the user's language; not a 500."""
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test") as c:
        api = await c.post("/api/v1/auth/token", json={"username": "vanphong", "password": "mat-khau-thu"})
        page = await c.get("/tasks", cookies={"dondoc_session": "a-session-token"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.json()["error"] == "unavailable" and "thử lại" in api.json()["message"]
    assert page.status_code == 503 and page.headers["Retry-After"] == "5" and "thử lại" in page.text
