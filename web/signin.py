"""The one sign-in door, throttled, for the sign-in page and the API's token endpoint alike.

An attempt is first counted, under its username and under its address (the rule is
tasks.throttle's), and only an attempt both counters admit has its password checked. Counting is
atomic on every engine and across app instances: each counter changes by a conditional insert
(`ON CONFLICT DO NOTHING`) or a conditional update (`WHERE version = the one read`), so of two
attempts racing for the last slot one wins and the other reads again and is refused; both
counters change in one transaction, so an attempt the address refuses takes no slot from the
username. Forty parallel wrong passwords for one username get five checks, not more.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict
from datetime import datetime, timedelta

from litestar import Request

from tasks import accounts
from tasks.db import Db
from tasks.errors import N_, Throttled, Unauthenticated
from tasks.permissions import Actor
from tasks.throttle import ADDRESS_LIMIT, FORGET_AFTER, USERNAME_LIMIT, Counter, Limit, Verdict, attempt, given_back
from web.tables import SigninCounter

# Losing this many conditional updates in a row on one key means a flood on it: refuse for a minute.
MAX_RACES = 100
FLOODED = timedelta(minutes=1)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def username_key(username: str) -> str:
    return _key("u", username.strip().lower())


def address_key(address: str) -> str:
    return _key("a", address)


async def sign_in(db: Db, username: str, password: str, address: str, now: datetime) -> Actor:
    """The actor whose password this is; Throttled (429) without a check when the username or the
    address has used up its attempts, Unauthenticated (401) for a wrong username or password."""
    user_key, addr_key = username_key(username), address_key(address)
    async with db.transaction():
        for key, limit in ((user_key, USERNAME_LIMIT), (addr_key, ADDRESS_LIMIT)):
            verdict = await _count_attempt(key, limit, now)
            if not verdict.allowed:
                # Leaving the transaction by the exception gives back what the username counted.
                raise Throttled(math.ceil(verdict.retry_after.total_seconds()))
    # No account can have a name with control characters (nor the database take NUL): no check.
    plausible = username and password and username.isprintable()
    actor = await accounts.authenticate(username, password) if plausible else None
    if actor is None:
        raise Unauthenticated(N_("Wrong username or password."))
    async with db.transaction():
        await SigninCounter.delete().where(
            (SigninCounter.key == user_key) | (SigninCounter.last_at < now - FORGET_AFTER)
        ).run()
        await _give_back(addr_key, now)
    return actor


def _counter(row: dict) -> Counter:
    return Counter(attempts=row["attempts"], window_start=row["window_start"], locked_until=row["locked_until"],
                   lockouts=row["lockouts"], last_at=row["last_at"])


def _values(counter: Counter, version: int) -> dict:
    return {getattr(SigninCounter, name): value for name, value in asdict(counter).items()} | {SigninCounter.version: version}


async def _count_attempt(key: str, limit: Limit, now: datetime) -> Verdict:
    for _ in range(MAX_RACES):
        row = await SigninCounter.select().where(SigninCounter.key == key).first().run()
        if row is None:
            verdict = attempt(Counter(), limit, now)
            inserted = await SigninCounter.insert(SigninCounter(key=key, **asdict(verdict.counter), version=1)).on_conflict(
                action="DO NOTHING").returning(SigninCounter.key).run()
            if inserted:
                return verdict
            continue  # another attempt made it first: read it
        verdict = attempt(_counter(row), limit, now)
        if not verdict.allowed or await _replace(key, row["version"], verdict.counter):
            return verdict
    return Verdict(False, Counter(), retry_after=FLOODED)


async def _replace(key: str, version: int, counter: Counter) -> bool:
    """Write `counter` if the row is still at `version`; False when another attempt changed it first."""
    changed = await SigninCounter.update(_values(counter, version + 1)).where(
        (SigninCounter.key == key) & (SigninCounter.version == version)
    ).returning(SigninCounter.key).run()
    return bool(changed)


async def _give_back(key: str, now: datetime) -> None:
    for _ in range(MAX_RACES):
        row = await SigninCounter.select().where(SigninCounter.key == key).first().run()
        if row is None or await _replace(key, row["version"], given_back(_counter(row), now)):
            return
