"""Bearer tokens for the API: signed (HS256) with the secret key, so any app instance accepts them.
Each carries its user's credential version (`ver`): a password change or reset, a deactivation or a
new role raises the user's version, and every token issued before stops working at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from litestar import Request
from litestar.datastructures import State

from tasks.errors import N_, Unauthenticated
from tasks.accounts import active_actor
from tasks.permissions import Actor


def issue_token(actor: Actor, now: datetime, secret_key: str, ttl_hours: int) -> str:
    claims = {"sub": str(actor.id), "ver": actor.credential_version, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(hours=ttl_hours)).timestamp())}
    return jwt.encode(claims, secret_key, algorithm="HS256")


def token_subject(token: str, now: datetime, secret_key: str) -> tuple[int, int] | None:
    """(user id, credential version) of a live token; the caller checks the version is still the user's."""
    claims = _verified_claims(token, secret_key)
    # Expiry is checked against the injected clock, not the wall clock, on every request.
    if claims is None or claims[1] <= now.timestamp():
        return None
    return claims[0], claims[2]


async def token_actor(token: str, now: datetime, secret_key: str) -> Actor | None:
    subject = token_subject(token, now, secret_key)
    return await active_actor(*subject) if subject is not None else None


@lru_cache(maxsize=1024)
def _verified_claims(token: str, secret_key: str) -> tuple[int, int, int] | None:
    """(user id, expiry, credential version) of a token whose signature holds. A client sends the
    same token on every request, so its signature is checked once per process, not per request."""
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
        version = claims["ver"]
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        return int(claims["sub"]), int(claims["exp"]), version
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None


async def provide_actor(request: Request, state: State) -> Actor:
    known = request.scope.get("dondoc_actor")
    if known is not None:
        return known
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    actor = None
    if scheme.lower() == "bearer" and token:
        actor = await token_actor(token.strip(), state.clock.now(), state.settings.secret_key)
    if actor is None:
        raise Unauthenticated(N_("Sign in first: send a valid bearer token."))
    request.scope["dondoc_actor"] = actor
    return actor
