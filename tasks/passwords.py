"""Password hashes (argon2id): making one, checking one, and telling when one needs remaking."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane) rather than the library's 64 MiB:
# each sign-in holds that memory, and 64 MiB a check let a few anonymous requests swell the server.
# Hashes made at the old cost still verify (the cost is written in each hash).
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


def verify_nobody(password: str) -> None:
    """Spend on an unknown user the time a real check takes, so timing does not tell who exists."""
    verify_password(_dummy_hash(hasher), password)


@functools.cache
def _dummy_hash(used: PasswordHasher) -> str:
    # Made on first use, not at import (importing does no work), once per hasher in use.
    return used.hash("not-a-real-password")
