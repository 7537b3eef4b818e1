"""Bearer tokens for the API: signed (HS256) with the secret key, so any app instance accepts them."""

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
    claims = {"sub": str(actor.id), "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=ttl_hours)).timestamp())}
    return jwt.encode(claims, secret_key, algorithm="HS256")


def user_id_from_token(token: str, now: datetime, secret_key: str) -> int | None:
    claims = _verified_claims(token, secret_key)
    # Expiry is checked against the injected clock, not the wall clock, on every request.
    if claims is None or claims[1] <= now.timestamp():
        return None
    return claims[0]


@lru_cache(maxsize=1024)
def _verified_claims(token: str, secret_key: str) -> tuple[int, int] | None:
    """(user id, expiry) of a token whose signature holds. A client sends the same token on every
    request, so its signature is checked once per process, not per request."""
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
        return int(claims["sub"]), int(claims["exp"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None


async def provide_actor(request: Request, state: State) -> Actor:
    known = request.scope.get("dondoc_actor")
    if known is not None:
        return known
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user_id = None
    if scheme.lower() == "bearer" and token:
        user_id = user_id_from_token(token.strip(), state.clock.now(), state.settings.secret_key)
    actor = await active_actor(user_id) if user_id is not None else None
    if actor is None:
        raise Unauthenticated(N_("Sign in first: send a valid bearer token."))
    request.scope["dondoc_actor"] = actor
    return actor
