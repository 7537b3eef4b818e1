"""The signed-in user's own notices (their inbox): GET /me/notifications, mark one or all read."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter

from tasks import notices
from tasks.errors import NotFound
from web.api import replies
from web.api.answers import UNREADABLE, answers
from tasks.i18n import gettext_for
from web.api.schemas import MAX_ID
from web.deps import ActorDep, NowDep


class InboxController(Controller):
    path = "/me/notifications"

    @get("/", description="The caller's notices, newest first, with the number still unread.", responses=answers(replies.Inbox, UNREADABLE))
    async def list_notices(
        self, actor: ActorDep,
        unread: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = notices.INBOX_PAGE,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> dict[str, Any]:
        found = await notices.inbox(actor, unread_only=unread, limit=limit, offset=offset)
        _ = gettext_for(actor.locale)
        return {**found, "items": [notices.presented(i, _) for i in found["items"]]}

    @post("/{notice_id:int}/read", status_code=200, responses=answers(replies.InboxRead, UNREADABLE, NotFound))
    async def read(self, notice_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)], actor: ActorDep, now: NowDep) -> dict[str, Any]:
        row = await notices.mark_read(actor, now, notice_id)
        return {"id": row["id"], "read_at": row["read_at"], "unread": await notices.unread_count(actor)}

    @post("/read-all", status_code=200, responses=answers(replies.InboxReadAll))
    async def read_all(self, actor: ActorDep, now: NowDep) -> dict[str, Any]:
        return {"marked": await notices.mark_all_read(actor, now), "unread": 0}


INBOX_CONTROLLERS = [InboxController]
