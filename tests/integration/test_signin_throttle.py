"""One sign-in throttle for the page and the API's token endpoint, on both engines: counted per
username (5 in 15 minutes, then longer locks) and per address (100), atomically, so parallel
attempts get no more password checks than the limit; and at most four checks run at once while
the server goes on answering."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import httpx
import pytest

from tasks import passwords
from tests.integration.conftest import PASSWORD, USERS
from tests.integration.test_pages import Browser

WRONG = "sai-mat-khau-roi"


def api(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)), base_url="http://dondoc.test")


async def token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/token", json={"username": username, "password": password})


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every password hash verification, however it is reached."""
    seen: list[str] = []
    real = passwords.verify_password

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return seen


async def test_the_token_endpoint_refuses_the_right_password_after_thirty_wrong_ones_as_the_page_does(world, app, clock, checks):
    async with api(app, "198.51.100.20") as client:
        answers = [await token(client, "truong.qlnl", WRONG) for _ in range(30)]
        assert [r.status_code for r in answers] == [401] * 5 + [429] * 25
        r = await token(client, "truong.qlnl")
        assert r.status_code == 429 and r.headers["retry-after"] == str(15 * 60)
        assert r.json()["error"] == "throttled"
        assert r.json()["message"] == "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."
        assert len(checks) == 5

        page = Browser(app, address="198.51.100.21")
        r = await page.sign_in("truong.qlnl")
        assert r.status_code == 429 and r.headers["retry-after"] == str(15 * 60) and "15 phút" in r.text
        await page.close()

        clock.advance(timedelta(minutes=15, seconds=1))
        r = await token(client, "truong.qlnl")
        assert r.status_code == 200 and r.json()["username"] == "truong.qlnl"


async def test_failures_on_the_page_and_on_the_api_add_up_to_one_count(world, app):
    page = Browser(app)
    for _ in range(3):
        assert (await page.sign_in("vanphong", password=WRONG)).status_code == 401
    async with api(app) as client:
        assert [(await token(client, "VanPhong", WRONG)).status_code for _ in range(2)] == [401, 401]
        assert (await token(client, "vanphong")).status_code == 429
    assert (await page.sign_in("vanphong")).status_code == 429
    await page.close()


async def test_forty_parallel_wrong_attempts_get_at_most_five_password_checks(world, app, checks):
    browsers = [Browser(app, address=f"10.1.0.{i}") for i in range(20)]
    for b in browsers:
        await b.get("/signin")
    async with api(app, "10.2.0.1") as client:
        answers = await asyncio.gather(
            *[b.post("/signin", {"username": "giamdoc", "password": WRONG}) for b in browsers],
            *[token(client, "giamdoc", WRONG) for _ in range(20)],
        )
        statuses = sorted(r.status_code for r in answers)
        assert len(checks) <= 5
        assert statuses == [401] * len(checks) + [429] * (40 - len(checks))
        assert (await token(client, "giamdoc")).status_code == 429
    for b in browsers:
        await b.close()


async def test_a_colleague_behind_the_same_office_address_still_signs_in_after_one_user_is_locked_out(world, app):
    office = "203.0.113.10"
    typist, colleague = Browser(app, address=office), Browser(app, address=office)
    assert [(await typist.sign_in("truong.qlnl", password=WRONG)).status_code for _ in range(6)] == [401] * 5 + [429]
    assert (await typist.sign_in("truong.qlnl")).status_code == 429
    r = await colleague.sign_in("truong.qltm")
    assert (r.status_code, r.headers["location"]) == (303, "/division")
    async with api(app, office) as client:
        assert (await token(client, "pgd.hai")).status_code == 200
    await typist.close()
    await colleague.close()


async def test_a_hundred_failures_from_one_address_lock_that_address_for_every_username(world, app):
    async with api(app, "192.0.2.7") as client:
        for i in range(100):
            assert (await token(client, f"khach{i}", WRONG)).status_code == 401
        r = await token(client, "vanphong")
        assert r.status_code == 429 and int(r.headers["retry-after"]) == 15 * 60
    b = Browser(app, address="192.0.2.7")
    assert (await b.sign_in("vanphong")).status_code == 429
    other = Browser(app, address="192.0.2.8")
    assert (await other.sign_in("vanphong")).status_code == 303
    await b.close()
    await other.close()


async def test_successful_sign_ins_do_not_use_up_an_address(world, app):
    async with api(app, "192.0.2.50") as client:
        for _ in range(110):
            assert (await token(client, "vanphong")).status_code == 200
        assert (await token(client, "truong.qlnl", WRONG)).status_code == 401


async def test_each_lock_out_of_a_username_lasts_longer_than_the_one_before(world, app, clock):
    async with api(app) as client:
        assert [(await token(client, "pgd.hai", WRONG)).status_code for _ in range(6)] == [401] * 5 + [429]
        clock.advance(timedelta(minutes=15))
        assert [(await token(client, "pgd.hai", WRONG)).status_code for _ in range(6)] == [401] * 5 + [429]
        clock.advance(timedelta(minutes=29))
        r = await token(client, "pgd.hai")
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        clock.advance(timedelta(minutes=1))
        assert (await token(client, "pgd.hai")).status_code == 200
        # The success cleared the username: five more tries before a lock, of fifteen minutes again.
        assert [(await token(client, "pgd.hai", WRONG)).status_code for _ in range(6)] == [401] * 5 + [429]
        assert (await token(client, "pgd.hai")).headers["retry-after"] == str(15 * 60)


async def test_at_most_four_password_checks_run_at_once_and_the_server_answers_meanwhile(world, app, monkeypatch):
    real = passwords.verify_password
    lock, release = threading.Lock(), threading.Event()
    inside = {"now": 0, "most": 0}

    def held(password_hash: str, password: str) -> bool:
        with lock:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        release.wait(timeout=30)
        try:
            return real(password_hash, password)
        finally:
            with lock:
                inside["now"] -= 1

    monkeypatch.setattr(passwords, "verify_password", held)
    usernames = [u[0] for u in USERS]
    async with api(app) as client:
        sign_ins = [asyncio.create_task(token(client, username)) for username in usernames]
        for _ in range(3000):
            if inside["now"] == 4:
                break
            await asyncio.sleep(0.01)
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert inside["now"] == 4  # the other two wait for a turn
        release.set()
        answers = await asyncio.gather(*sign_ins)
    assert [r.status_code for r in answers] == [200] * len(usernames)
    assert inside["most"] == 4
