"""API for the webhooks (admin only): list, attach to a division or a user, deactivate."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, PathParameter
from msgspec import Meta

from notify import webhooks
from tasks.errors import Forbidden, NotFound
from web.api import replies
from web.api.answers import UNREADABLE, answers
from web.api.schemas import MAX_ID, PLAIN, Body, Code, Username
from web.deps import ActorDep, DbDep, NowDep


class WebhookIn(Body):
    # Bounds above the domain's (notify.webhooks), so its message, which says what is wrong, is the one given.
    VERBATIM: ClassVar[tuple[str, ...]] = ("secret",)

    url: Annotated[str, Meta(max_length=2000, pattern=PLAIN)]
    secret: Annotated[str, Meta(max_length=1000)]
    division: Code | None = None
    user: Username | None = None


class WebhookController(Controller):
    path = "/webhooks"

    @get("/", description="Every webhook, active or not (never its secret).", responses=answers(list[replies.Webhook], Forbidden))
    async def list_webhooks(self, actor: ActorDep, now: NowDep) -> list[dict[str, Any]]:
        return await webhooks.list_webhooks(actor, now)

    @post("/", description="Attach a signed JSON webhook to a division (`division`: its code) or to a user (`user`: a username). "
                           "Each notice and reminder its recipients get by email is also POSTed there, signed in "
                           "`X-Dondoc-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>`.",
          responses=answers(replies.Webhook, UNREADABLE, Forbidden, status=201))
    async def create_webhook(self, data: JSONBody[WebhookIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict[str, Any]:
        return await webhooks.create_webhook(db, actor, now, division=data.division, user=data.user, url=data.url, secret=data.secret)

    @delete("/{webhook_id:int}", status_code=200, description="Deactivate the webhook: it gets nothing more, and what waits for it is skipped.",
            responses=answers(replies.Webhook, UNREADABLE, Forbidden, NotFound))
    async def deactivate_webhook(self, webhook_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)], actor: ActorDep, now: NowDep,
                                 db: DbDep) -> dict[str, Any]:
        return await webhooks.deactivate_webhook(db, actor, now, webhook_id)


WEBHOOK_CONTROLLERS = [WebhookController]
