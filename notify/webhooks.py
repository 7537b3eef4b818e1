"""Webhooks: the admin attaches a signed JSON endpoint to a division or to a user, and the outbox
gives it its own rows beside the email rows (the same states, claims, retries and failures).

Who hears what (`webhook_rows`, applied wherever outbox rows are written):
- a user's webhook gets a row for every row addressed to that user;
- a division's webhook gets one row per (task, rule, deadline_version) of the rows addressed to
  that division's heads (of the lead division for reminders, of a supporting division for the
  notices that copy it), its recipient the lowest-id such head: a channel a whole division reads
  hears each thing once, not once per head.
The secret signs each body (notify.webhook_transport) and is never shown again, nor audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from notify.tables import Webhook
from tasks.audit import refuse, write_event
from tasks.db import Db
from tasks.errors import N_, Invalid, NotFound
from tasks.permissions import Actor, Role, may_admin
from tasks.tables import Division, User
from tasks.text import line_control_character

MAX_URL = 500
MIN_SECRET, MAX_SECRET = 16, 200
PUBLIC_COLUMNS = (Webhook.id, Webhook.division.code.as_alias("division"), Webhook.user.username.as_alias("user"), Webhook.url,
                  Webhook.active, Webhook.created_at)


def check_url(url: str) -> str:
    """An absolute http(s) address with a host, on one line, at most 500 characters; credentials
    belong in the secret, not in an address every admin can read."""
    if len(url) > MAX_URL:
        raise Invalid(N_("The webhook address may be at most {n} characters."), fields={"url": N_("Too long")}, n=MAX_URL)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or " " in url
            or line_control_character(url) is not None):
        raise Invalid(N_("The webhook address must begin with http:// or https:// and name a host, on one line without spaces."),
                      fields={"url": N_("Not an http(s) address")})
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise Invalid(N_("The webhook address may hold no user name, password or #fragment: the secret authenticates dondoc."),
                      fields={"url": N_("No credentials or #fragment")})
    return url


def check_secret(secret: str) -> str:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or line_control_character(secret) is not None:
        raise Invalid(N_("The secret must be {low}–{high} characters on one line."), fields={"secret": N_("Too short, too long or not one line")},
                      low=MIN_SECRET, high=MAX_SECRET)
    return secret


def _present(row: dict) -> dict:
    return {"id": row["id"], "division": row["division"], "user": row["user"], "url": row["url"], "active": row["active"],
            "created_at": row["created_at"]}


async def _one(webhook_id: int) -> dict | None:
    return await Webhook.select(*PUBLIC_COLUMNS).where(Webhook.id == webhook_id).first().run()


async def list_webhooks(actor: Actor, now: datetime) -> list[dict]:
    if not may_admin(actor):
        raise await refuse(actor, now, "list_webhooks", "webhook", None, N_("Only an administrator may see the webhooks."))
    return [_present(r) for r in await Webhook.select(*PUBLIC_COLUMNS).order_by(Webhook.id).run()]


async def create_webhook(db: Db, actor: Actor, now: datetime, *, division: str | None, user: str | None, url: str, secret: str) -> dict:
    if not may_admin(actor):
        raise await refuse(actor, now, "create_webhook", "webhook", None, N_("Only an administrator may add webhooks."))
    if (division is None) == (user is None):
        raise Invalid(N_("A webhook belongs to one division or to one user: give exactly one."),
                      fields={"division": N_("Give a division or a user"), "user": N_("Give a division or a user")})
    check_url(url)
    check_secret(secret)
    async with db.transaction():
        values: dict[str, Any] = {"division": None, "user": None}
        if division is not None:
            row = await Division.select(Division.id).where((Division.code == division) & (Division.active == True)).first().run()  # noqa: E712
            if row is None:
                raise Invalid(N_("Unknown division: {codes}"), fields={"division": N_("Unknown division")}, codes=division)
            values["division"] = row["id"]
        else:
            row = await User.select(User.id).where((User.username == user) & (User.active == True)).first().run()  # noqa: E712
            if row is None:
                raise Invalid(N_("No such user: {value}"), fields={"user": N_("Unknown user")}, value=user)
            values["user"] = row["id"]
        created = await Webhook.insert(Webhook(**values, url=url, secret=secret, active=True, created_at=now)).returning(Webhook.id).run()
        found = _present(await _one(created[0]["id"]))
        await write_event(actor=actor, at=now, action="create_webhook", entity_type="webhook", entity_id=found["id"], before=None,
                          after={k: found[k] for k in ("division", "user", "url", "active")})
    return found


async def deactivate_webhook(db: Db, actor: Actor, now: datetime, webhook_id: int) -> dict:
    """From now on the webhook gets no new rows, and its pending rows are skipped. Deactivating an
    inactive webhook changes nothing."""
    if not may_admin(actor):
        raise await refuse(actor, now, "deactivate_webhook", "webhook", webhook_id, N_("Only an administrator may remove webhooks."))
    async with db.transaction():
        changed = await Webhook.update({Webhook.active: False}).where((Webhook.id == webhook_id) & (Webhook.active == True)).returning(  # noqa: E712
            Webhook.id).run()
        found = await _one(webhook_id)
        if found is None:
            raise NotFound(N_("No webhook {value}."), value=webhook_id)
        if changed:
            await write_event(actor=actor, at=now, action="deactivate_webhook", entity_type="webhook", entity_id=webhook_id,
                              before={"active": True}, after={"active": False})
    return _present(found)


# --- which outbox rows go to webhooks ---------------------------------------------------------


@dataclass(frozen=True)
class Hooks:
    """The active webhooks as the outbox needs them: by user, by division, and each division
    head's division (a division's webhook hears what its heads hear)."""

    by_user: dict[int, list[int]] = field(default_factory=dict)
    by_division: dict[int, list[int]] = field(default_factory=dict)
    head_division: dict[int, int] = field(default_factory=dict)


async def load_hooks() -> Hooks:
    rows = await Webhook.select(Webhook.id, Webhook.division, Webhook.user).where(Webhook.active == True).order_by(Webhook.id).run()  # noqa: E712
    if not rows:
        return Hooks()
    hooks = Hooks()
    for r in rows:
        if r["user"] is not None:
            hooks.by_user.setdefault(r["user"], []).append(r["id"])
        else:
            hooks.by_division.setdefault(r["division"], []).append(r["id"])
    if hooks.by_division:
        for h in await User.select(User.id, User.division).where(
            (User.role == Role.HEAD.value) & User.division.is_in(list(hooks.by_division))
        ).run():
            hooks.head_division[h["id"]] = h["division"]
    return hooks


def webhook_rows(rows: list[dict], hooks: Hooks) -> list[dict]:
    """The webhook rows that go with email rows (dicts with at least task, rule, deadline_version,
    recipient and role; every other key is copied): see the module's docstring. Pure."""
    added: list[dict] = []
    first_head: dict[tuple, dict] = {}  # (task, rule, deadline_version, division) -> the row of its lowest-id head
    for row in rows:
        for webhook in hooks.by_user.get(row["recipient"], ()):
            added.append({**row, "channel": "webhook", "webhook": webhook})
        division = hooks.head_division.get(row["recipient"])
        if division is not None and division in hooks.by_division:
            key = (row["task"], row["rule"], row["deadline_version"], division)
            if key not in first_head or row["recipient"] < first_head[key]["recipient"]:
                first_head[key] = row
    for (_, _, _, division), row in first_head.items():
        added += [{**row, "channel": "webhook", "webhook": webhook} for webhook in hooks.by_division[division]]
    return added


def with_webhooks(rows: list[dict], hooks: Hooks) -> list[dict]:
    """Email rows (channel "email", no webhook) followed by the webhook rows that go with them."""
    email = [{**r, "channel": "email", "webhook": None} for r in rows]
    return email + webhook_rows(rows, hooks)
