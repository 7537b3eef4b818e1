"""Server-side sign-in sessions, in the database so that every app instance agrees. Times come
from the injected clock, never the wall clock. (Sign-in throttling is web.signin's.)

A session is a random token in an HttpOnly cookie; the database keeps its SHA-256 with the user,
the user's credential version at sign-in and when it was last used. It ends on sign-out, after
IDLE of inactivity, after ABSOLUTE in any case, and as soon as the user's credential version moves
(a password change or reset, a deactivation, a new role): the session that changed its own
password is carried over to the new version, the others end.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tasks import notices
from tasks.permissions import Actor, Role
from web.tables import WebSession

IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(days=7)
# last_seen_at is written at most this often, so reading pages does not mean writing rows.
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page request: the Actor the services want, plus what the header shows."""

    actor: Actor
    full_name: str
    division_name: str | None
    session_id: int
    unread: int = 0  # notices not yet read: the header shows the count

    @property
    def role(self) -> Role:
        return self.actor.role


async def start_session(actor: Actor, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await WebSession.insert(WebSession(token_hash=_hash(token), user=actor.id, credential_version=actor.credential_version,
                                       created_at=now, last_seen_at=now)).run()
    return token


async def session_viewer(token: str | None, now: datetime) -> Viewer | None:
    """The live session's user (one query, joined with the user), or None."""
    if not token or len(token) > 100:
        return None
    row = await WebSession.select(
        WebSession.id, WebSession.created_at, WebSession.last_seen_at, WebSession.credential_version,
        WebSession.user.credential_version.as_alias("user_credential_version"), WebSession.user.id.as_alias("user_id"),
        WebSession.user.username.as_alias("username"), WebSession.user.role.as_alias("role"),
        WebSession.user.division.as_alias("division_id"), WebSession.user.locale.as_alias("locale"),
        WebSession.user.full_name.as_alias("full_name"), WebSession.user.active.as_alias("active"),
        WebSession.user.division.name.as_alias("division_name"),
    ).where(WebSession.token_hash == _hash(token)).first().run()
    if row is None or not row["active"]:
        return None
    if (now - row["last_seen_at"] > IDLE or now - row["created_at"] > ABSOLUTE
            or row["credential_version"] != row["user_credential_version"]):
        await WebSession.delete().where(WebSession.id == row["id"]).run()
        return None
    if now - row["last_seen_at"] > TOUCH_EVERY:
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == row["id"]).run()
    actor = Actor(id=row["user_id"], username=row["username"], role=Role(row["role"]), division_id=row["division_id"], locale=row["locale"] or "vi",
                  credential_version=row["credential_version"])
    return Viewer(actor=actor, full_name=row["full_name"] or row["username"], division_name=row["division_name"], session_id=row["id"],
                  unread=await notices.unread_count(actor))


async def end_session(token: str | None) -> None:
    if token:
        await WebSession.delete().where(WebSession.token_hash == _hash(token)).run()


async def keep_only_session(user_id: int, keep_session_id: int, credential_version: int) -> None:
    """After the user changed their own password: the session they did it in lives on under the
    new credential version; their other sessions end."""
    await WebSession.delete().where((WebSession.user == user_id) & (WebSession.id != keep_session_id)).run()
    await WebSession.update({WebSession.credential_version: credential_version}).where(WebSession.id == keep_session_id).run()
