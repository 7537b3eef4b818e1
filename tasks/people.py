"""Divisions and users: creating them, and checking a user's password (argon2id)."""

from __future__ import annotations

import functools
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tasks.audit import refuse, write_event
from tasks.db import Db
from tasks.errors import N_, Conflict, Invalid
from tasks.i18n import LOCALES
from tasks.permissions import Actor, Role, is_admin
from tasks.tables import Division, User

# argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane) rather than the library's 64 MiB:
# each sign-in holds that memory, and 64 MiB a check let a few anonymous requests swell the server.
# Hashes made at the old cost still verify (the cost is written in each hash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_from_row(row: dict) -> Actor:
    return Actor(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        division_id=row["division"],
        locale=row.get("locale") or "vi",
    )


async def authenticate(username: str, password: str) -> Actor | None:
    row = await User.select().where((User.username == username) & (User.active == True)).first().run()  # noqa: E712
    # Verify against a dummy hash when the user is unknown, so timing does not tell who exists.
    if row is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(row["password_hash"], password):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        # A hash made at an older cost is replaced by one at today's, with the password just
        # checked; the password itself does not change, so there is nothing to audit.
        await User.update({User.password_hash: hash_password(password)}).where(User.id == row["id"]).run()
    return actor_from_row(row)


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: importing the module does no work.
    return _hasher.hash("not-a-real-password")


async def active_actor(user_id: int) -> Actor | None:
    row = await User.select().where((User.id == user_id) & (User.active == True)).first().run()  # noqa: E712
    return actor_from_row(row) if row else None


async def division_ids_by_code(codes: list[str], field: str) -> dict[str, int]:
    """Resolve division codes, refusing unknown or inactive ones with the field named."""
    if not codes:
        return {}
    rows = await Division.select(Division.id, Division.code).where(
        Division.code.is_in(list(set(codes))) & (Division.active == True)  # noqa: E712
    ).run()
    found = {r["code"]: r["id"] for r in rows}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise Invalid(
            N_("Unknown division: {codes}"), fields={field: N_("Unknown division")}, codes=", ".join(unknown)
        )
    return found


async def list_divisions() -> list[dict]:
    return await Division.select().order_by(Division.code).run()


async def create_division(
    db: Db, actor: Actor, now: datetime, *, code: str, name: str, email: str = ""
) -> dict:
    if not is_admin(actor):
        raise await refuse(actor, now, "create_division", "division", None, N_("Only an administrator may add divisions."))
    if not name.strip():
        raise Invalid(N_("A division needs a name."), fields={"name": N_("Required")})
    async with db.transaction():
        if await Division.exists().where(Division.code == code).run():
            raise Conflict(N_("Division code {value} is already in use."), fields={"code": N_("Already in use")}, value=code)
        row = (await Division.insert(Division(code=code, name=name.strip(), email=email, active=True)).returning(*Division.all_columns()).run())[0]
        await write_event(actor=actor, at=now, action="create_division", entity_type="division", entity_id=row["id"], before=None, after=row)
    return row


async def create_user(
    db: Db,
    actor: Actor | None,
    now: datetime,
    *,
    username: str,
    full_name: str,
    email: str,
    role: str,
    division_code: str | None,
    password: str,
    locale: str = "vi",
) -> dict:
    """`actor` is None only for the command line, run by whoever administers the server."""
    if actor is not None and not is_admin(actor):
        raise await refuse(actor, now, "create_user", "user", None, N_("Only an administrator may add users."))
    try:
        role_value = Role(role)
    except ValueError:
        raise Invalid(N_("Unknown role: {value}"), fields={"role": N_("Must be office, head, leader or admin")}, value=role) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(N_("The password must be at least {n} characters."), fields={"password": N_("Too short")}, n=MIN_PASSWORD_LENGTH)
    if locale not in LOCALES:
        raise Invalid(N_("Unknown language: {value}"), fields={"locale": N_("Must be vi or en")}, value=locale)
    if role_value == Role.HEAD and not division_code:
        raise Invalid(N_("A division head must belong to a division."), fields={"division": N_("Required for a head")})
    async with db.transaction():
        division_id = None
        if division_code:
            division_id = (await division_ids_by_code([division_code], "division"))[division_code]
        if await User.exists().where(User.username == username).run():
            raise Conflict(N_("Username {value} is already taken."), fields={"username": N_("Already in use")}, value=username)
        row = (
            await User.insert(
                User(
                    username=username,
                    full_name=full_name,
                    email=email,
                    role=role_value.value,
                    division=division_id,
                    password_hash=hash_password(password),
                    active=True,
                    locale=locale,
                )
            ).returning(*User.all_columns()).run()
        )[0]
        public = {k: v for k, v in row.items() if k != "password_hash"}
        await write_event(actor=actor, at=now, action="create_user", entity_type="user", entity_id=row["id"], before=None, after=public)
    return public

