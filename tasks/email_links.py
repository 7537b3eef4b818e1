"""The one-tap link of an email (`/u/{token}`): it names one user and one task, is signed with the
secret key, lasts 14 days, and carries the user's credential version, so a password change or a
deactivation ends it at once. Its audience is its own: it is never an API token, nor the reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

AUDIENCE = "email_link"
LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class Link:
    user_id: int
    credential_version: int
    task_id: int


def sign(user_id: int, credential_version: int, task_id: int, now: datetime, secret_key: str) -> str:
    claims = {"sub": str(user_id), "ver": credential_version, "task": task_id, "aud": AUDIENCE,
              "exp": int((now + LIFETIME).timestamp())}
    return jwt.encode(claims, secret_key, algorithm="HS256")


def read(token: str, now: datetime, secret_key: str) -> Link | None:
    """The link a token stands for, if its signature holds and it has not expired at `now` (the
    injected clock, not the wall clock); None for anything else."""
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], audience=AUDIENCE, options={"verify_exp": False})
        expires, version, task = int(claims["exp"]), claims["ver"], claims["task"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (version, task)) or expires <= now.timestamp():
            return None
        return Link(int(claims["sub"]), version, task)
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None
