"""The sign-in throttle's rule, pure: one key's counter and the time in, a verdict out.

Every sign-in attempt is counted *before* its password is checked, under two keys: the username
(USERNAME_LIMIT, 5 in 15 minutes) and the address it comes from (ADDRESS_LIMIT, 100 in 15 minutes,
so that one person's typos behind an office's single address never lock out their colleagues).
The attempt that reaches a limit is still checked but locks the key: later attempts are refused
without a password check until the lock ends. Each further lock-out of the same key, without a
day's quiet in between, lasts twice as long as the one before (15 min, 30 min, 1 h … at most 4 h).

A successful sign-in clears its username's counter (web.signin deletes it) and gives the address
its attempt back (`given_back`), so only failures count against an address.

Storing counters and applying this rule atomically across app instances is web.signin's job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(hours=4)
# After this long without an attempt a key starts afresh: its lock-outs stop growing the delay.
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: timedelta = WINDOW
    max_delay: timedelta = MAX_DELAY


USERNAME_LIMIT = Limit(attempts=5)
ADDRESS_LIMIT = Limit(attempts=100)


@dataclass(frozen=True)
class Counter:
    """What is stored for one key: the attempts counted in the window that started at
    `window_start`, the lock the last of them set (if any), how many lock-outs came before
    without a quiet day, and the time of the last counted attempt."""

    attempts: int = 0
    window_start: datetime | None = None
    locked_until: datetime | None = None
    lockouts: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    counter: Counter  # to store when allowed; the unchanged counter when refused
    retry_after: timedelta = timedelta(0)


def lock_delay(lockouts_before: int, limit: Limit) -> timedelta:
    return min(limit.window * 2 ** min(lockouts_before, 16), limit.max_delay)


def attempt(counter: Counter, limit: Limit, now: datetime) -> Verdict:
    """May one more attempt be checked now, and what does the counter become if it is."""
    if counter.locked_until is not None and now < counter.locked_until:
        return Verdict(False, counter, counter.locked_until - now)
    quiet = counter.last_at is None or now - counter.last_at >= FORGET_AFTER
    lockouts = 0 if quiet else counter.lockouts
    # A window that ran out, or a lock that ended, starts the count again.
    fresh = counter.window_start is None or now - counter.window_start >= limit.window or counter.locked_until is not None
    attempts = 1 if fresh else counter.attempts + 1
    window_start = now if fresh else counter.window_start
    locked_until = None
    if attempts >= limit.attempts:
        locked_until = now + lock_delay(lockouts, limit)
        lockouts += 1
    return Verdict(True, Counter(attempts, window_start, locked_until, lockouts, now))


def given_back(counter: Counter, now: datetime) -> Counter:
    """The counter after an attempt it counted turned out to succeed: one attempt fewer, and a lock
    that attempt set is lifted (a lock that has already ended changes nothing)."""
    if counter.attempts == 0:
        return counter
    if counter.locked_until is not None:
        if now >= counter.locked_until:
            return counter
        return replace(counter, attempts=counter.attempts - 1, locked_until=None, lockouts=max(0, counter.lockouts - 1))
    return replace(counter, attempts=counter.attempts - 1)
