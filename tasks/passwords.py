"""Password hashes (argon2id): making one, checking one, and telling when one needs remaking.

A check holds 19 MiB and a core for a tenth of a second, so a process runs at most
MAX_CONCURRENT_CHECKS of them at once (a semaphore around the verify), and `check_password` runs
them in threads of their own: the event loop goes on serving other requests meanwhile (argon2
releases the GIL), and a burst of sign-ins waits its turn instead of swelling the server.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane) rather than the library's 64 MiB:
# each sign-in holds that memory, and 64 MiB a check let a few anonymous requests swell the server.
# Hashes made at the old cost still verify (the cost is written in each hash).
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8
MAX_CONCURRENT_CHECKS = 4
_checks = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)
_check_threads = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CHECKS, thread_name_prefix="dondoc-password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _checks:
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


async def check_password(password_hash: str, password: str) -> bool:
    """verify_password off the event loop, at most MAX_CONCURRENT_CHECKS at once in this process."""
    return await asyncio.get_running_loop().run_in_executor(_check_threads, verify_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


async def check_nobody(password: str) -> None:
    """Spend on an unknown user the time a real check takes, so timing does not tell who exists."""
    dummy = await asyncio.get_running_loop().run_in_executor(_check_threads, _dummy_hash, hasher)
    await check_password(dummy, password)


@functools.cache
def _dummy_hash(used: PasswordHasher) -> str:
    # Made on first use, not at import (importing does no work), once per hasher in use.
    return used.hash("not-a-real-password")
