"""API tokens and page sessions carry the user's credential version, on both engines: a password
change, a password reset by the admin, a deactivation or a new role ends them at once, not when
their 12 hours (or 7 days) run out."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt

from tests.integration.conftest import PASSWORD
from tests.integration.test_pages import Browser

NEW_PASSWORD = "mat-khau-moi-2026"


async def api_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def admin_saves(app, username: str, **changes) -> None:
    """The admin opens the user's page and saves it with `changes`, as in a browser."""
    from tasks import accounts

    user = next(u for u in await accounts.list_users() if u["username"] == username)
    admin = Browser(app)
    await admin.sign_in("quantri")
    await admin.get(f"/admin/users/{user['id']}")
    form = {"full_name": user["full_name"], "email": user["email"], "role": user["role"], "division": user["division_code"] or "",
            "locale": user["locale"], "active": "1" if user["active"] else "", "password": "", **changes}
    r = await admin.post(f"/admin/users/{user['id']}", form)
    assert r.status_code == 303, r.text
    await admin.close()


async def test_a_token_issued_before_a_password_change_is_refused_after_it(world, app, client):
    headers = await api_token(client, "vanphong")
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 200
    browser = Browser(app)
    await browser.sign_in("vanphong")
    await browser.get("/account")
    r = await browser.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert r.status_code == 303
    r = await client.get("/api/v1/tasks", headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    # The browser that changed it stays signed in; a new token works.
    assert (await browser.get("/office")).status_code == 200
    assert (await client.get("/api/v1/tasks", headers=await api_token(client, "vanphong", NEW_PASSWORD))).status_code == 200
    await browser.close()


async def test_a_password_reset_by_the_admin_ends_the_users_tokens_and_sessions(world, app, client):
    headers = await api_token(client, "truong.qlnl")
    browser = Browser(app)
    await browser.sign_in("truong.qlnl")
    assert (await browser.get("/division")).status_code == 200
    await admin_saves(app, "truong.qlnl", password=NEW_PASSWORD)
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 401
    r = await browser.get("/division")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    assert (await browser.sign_in("truong.qlnl", password=NEW_PASSWORD)).status_code == 303
    await browser.close()


async def test_a_token_of_a_deactivated_user_stays_dead_when_the_user_is_reactivated(world, app, client):
    headers = await api_token(client, "pgd.hai")
    await admin_saves(app, "pgd.hai", active="")
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 401
    await admin_saves(app, "pgd.hai", active="1")
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 401
    assert (await client.get("/api/v1/tasks", headers=await api_token(client, "pgd.hai"))).status_code == 200


async def test_a_new_role_ends_the_users_tokens_and_sessions_but_a_new_name_does_not(world, app, client):
    headers = await api_token(client, "giamdoc")
    browser = Browser(app)
    await browser.sign_in("giamdoc")
    await admin_saves(app, "giamdoc", full_name="Hoàng Minh Đức (Giám đốc)")
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 200
    assert (await browser.get("/leader")).status_code == 200
    await admin_saves(app, "giamdoc", role="office")
    assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 401
    assert (await browser.get("/leader")).status_code == 303
    await browser.close()


async def test_a_token_without_a_credential_version_is_refused(world, client, settings, clock):
    now = clock.now()
    old_style = jwt.encode({"sub": str(world.user_ids["quantri"]), "iat": int(now.timestamp()),
                            "exp": int((now + timedelta(hours=12)).timestamp())}, settings.secret_key, algorithm="HS256")
    assert (await client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {old_style}"})).status_code == 401
