"""The inbox page: the viewer's notices, newest first; opening one marks it read."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect

from tasks import notices
from tasks.i18n import gettext_for
from web.deps import NowDep
from web.pages.common import ViewerDep, locale_of, render

PER_PAGE = 50


@get("/notifications", include_in_schema=False)
async def inbox_page(request: Request, viewer: ViewerDep, page: int = Parameter(default=1, ge=1, le=10_000)) -> Response:
    found = await notices.inbox(viewer.actor, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    _ = gettext_for(locale_of(request))
    pages = max(1, -(-found["total"] // PER_PAGE))
    return render(request, "notifications.html", items=[notices.presented(i, _) for i in found["items"]], total=found["total"],
                  unread=found["unread"], page=page, pages=pages)


@get("/notifications/{notice_id:int}", include_in_schema=False)
async def open_notice(viewer: ViewerDep, now: NowDep, notice_id: FromPath[int]) -> Redirect:
    row = await notices.mark_read(viewer.actor, now, notice_id)
    return Redirect(f"/tasks/{row['task']}" if row["task"] else "/notifications")


@post("/notifications/read-all", include_in_schema=False)
async def read_all(viewer: ViewerDep, now: NowDep) -> Redirect:
    await notices.mark_all_read(viewer.actor, now)
    return Redirect("/notifications")


ROUTES = [inbox_page, open_notice, read_all]
