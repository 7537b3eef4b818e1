"""API for escalation: the outbox (GET /notifications) and the ladder settings (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, put
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta


from notify import config, queries
from tasks.errors import Forbidden
from web.api import replies
from web.api.answers import UNREADABLE, answers
from web.api.schemas import MAX_ID, PLAIN
from web.deps import ActorDep, DbDep, NowDep



class RuleIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=32, pattern=PLAIN)]
    offset: Annotated[int, Meta(ge=-60, le=60)]
    to: Annotated[list[Annotated[str, Meta(max_length=32, pattern=PLAIN)]], Meta(min_length=1, max_length=5)]
    cc: Annotated[list[Annotated[str, Meta(max_length=32, pattern=PLAIN)]], Meta(max_length=5)] = []


class WorkingHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    start: Annotated[str, Meta(max_length=5, pattern=PLAIN)] = "07:30"
    end: Annotated[str, Meta(max_length=5, pattern=PLAIN)] = "17:00"


class EscalationIn(msgspec.Struct, forbid_unknown_fields=True):
    rules: Annotated[list[RuleIn], Meta(min_length=1, max_length=20)]
    working_hours: WorkingHoursIn = msgspec.field(default_factory=WorkingHoursIn)
    catch_up_days: Annotated[int, Meta(ge=0, le=60)] = 10
    director: Annotated[str, Meta(max_length=64, pattern=PLAIN)] | None = None


class NotificationController(Controller):
    path = "/notifications"

    @get("/", responses=answers(replies.NotificationPage, UNREADABLE))
    async def list_notifications(
        self, actor: ActorDep,
        task: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=16)] = None,
        recipient: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=queries.MAX_PAGE)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> dict[str, Any]:
        return await queries.list_notifications(actor, task=task, state=state_filter, recipient=recipient, limit=limit, offset=offset)


class EscalationSettingsController(Controller):
    path = "/settings/escalation"

    @get("/", responses=answers(replies.EscalationSettings, Forbidden))
    async def show(self, actor: ActorDep, now: NowDep) -> dict[str, Any]:
        return await config.escalation_settings(actor, now)

    @put("/", responses=answers(replies.EscalationSettings, UNREADABLE, Forbidden))
    async def update(self, data: JSONBody[EscalationIn], actor: ActorDep, now: NowDep, db: DbDep) -> dict[str, Any]:
        return await config.update_escalation_settings(db, actor, now, msgspec.to_builtins(data))


NOTIFY_CONTROLLERS = [NotificationController, EscalationSettingsController]
