"""Rough edges found when trying dondoc as a new user would (issue 12), over HTTP on both engines:
an unknown URL is the site's 404 page for a browser (in the visitor's language) and the API's JSON
error under /api/; what a signed-in browser is shown is sent `Cache-Control: no-store` (Back after
sign-out shows nothing private), static files keep their caching."""

from __future__ import annotations

from tasks import accounts
from tests.integration.test_pages import Browser

HTML = {"accept": "text/html,application/xhtml+xml"}


async def test_an_unknown_url_is_the_sites_404_page_and_json_under_the_api(world, app, db):
    anonymous = Browser(app)
    r = await anonymous.http.get("/khong-co-trang-nay", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Trang này không tồn tại." in r.text and "<h1>" in r.text
    r = await anonymous.http.get("/tasks/1/khong-co", headers=HTML)
    assert r.status_code == 404 and "Trang này không tồn tại." in r.text
    for path in ("/api/v1/khong-co", "/api/khong-co", "/api/v1/tasks/1/khong-co"):
        r = await anonymous.http.get(path, headers=HTML)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json"), path
        assert r.json()["error"] == "not_found" and r.json()["message"] == "Không tìm thấy.", path
    # A user who chose English gets it in English: signing in keeps their language for such pages.
    head = await accounts.authenticate("truong.qlnl", "mat-khau-thu-nghiem")
    await accounts.set_locale(db, head, world.clock.now(), "en")
    b = Browser(app)
    await b.sign_in("truong.qlnl")
    r = await b.http.get("/khong-co-trang-nay", headers=HTML)
    assert r.status_code == 404 and "This page does not exist." in r.text
    await anonymous.close()
    await b.close()


async def test_signed_in_pages_are_not_stored_and_static_files_are(world, app):
    b = Browser(app)
    r = await b.get("/signin")
    assert r.status_code == 200
    await b.sign_in("truong.qlnl")
    for path in ("/division", "/tasks", "/reports", "/notifications", "/khong-co-trang-nay"):
        r = await b.http.get(path, headers=HTML)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code, r.headers.get("cache-control"))
    r = await b.http.get("/static/app.css")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"
    await b.post("/signout")
    r = await b.http.get("/division")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    await b.close()
