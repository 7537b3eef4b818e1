"""Users and divisions: signing in, users managing themselves (password, language), and the admin
adding and changing users and divisions. Each change is one transaction with its audit event;
passwords never enter the audit."""

from __future__ import annotations

from datetime import datetime

from tasks.audit import changed_only, refuse, write_event
from tasks.db import Db
from tasks.errors import N_, Conflict, Invalid, NotFound
from tasks.i18n import LOCALES
from tasks.passwords import MIN_PASSWORD_LENGTH, check_nobody, check_password, hash_password, needs_rehash
from tasks.permissions import Actor, Role, may_admin
from tasks.tables import Division, User
from tasks.unique import unique_conflict

PUBLIC_USER_COLUMNS = (User.id, User.username, User.full_name, User.email, User.role, User.division, User.active, User.locale)


async def change_password(db: Db, actor: Actor, now: datetime, current: str, new: str) -> int:
    """Returns the user's new credential version: every token and session issued before is void."""
    _check_password(new, "new_password")
    row = await User.select(User.password_hash).where(User.id == actor.id).first().run()
    # Checked and hashed before the transaction: each takes a tenth of a second, the write lock must not wait.
    if row is None or not await check_password(row["password_hash"], current):
        raise Invalid(N_("The current password is wrong."), fields={"current_password": N_("Wrong password")})
    new_hash = hash_password(new)
    async with db.transaction():
        changed = await User.update({User.password_hash: new_hash, User.credential_version: User.credential_version + 1}).where(
            (User.id == actor.id) & (User.password_hash == row["password_hash"])
        ).returning(User.credential_version).run()
        if not changed:
            raise Conflict(N_("The password was changed meanwhile; sign in again."))
        await write_event(actor=actor, at=now, action="change_password", entity_type="user", entity_id=actor.id, before=None, after=None)
    return changed[0]["credential_version"]


async def set_locale(db: Db, actor: Actor, now: datetime, locale: str) -> None:
    _check_locale(locale)
    async with db.transaction():
        row = await User.select(User.locale).where(User.id == actor.id).first().run()
        if row is None or row["locale"] == locale:
            return
        await User.update({User.locale: locale}).where(User.id == actor.id).run()
        await write_event(actor=actor, at=now, action="set_locale", entity_type="user", entity_id=actor.id,
                          before={"locale": row["locale"]}, after={"locale": locale})


async def list_users() -> list[dict]:
    return await User.select(*PUBLIC_USER_COLUMNS, User.division.code.as_alias("division_code")).order_by(User.role).order_by(User.username).run()


async def users_with_role(role: Role) -> list[dict]:
    return await User.select(User.id, User.username, User.full_name, User.division.code.as_alias("division")).where(
        (User.role == role.value) & (User.active == True)  # noqa: E712
    ).order_by(User.full_name).run()


async def update_user(
    db: Db, actor: Actor, now: datetime, user_id: int, *, full_name: str, email: str, role: str,
    division_code: str | None, active: bool, locale: str, new_password: str = "",
) -> dict:
    if not may_admin(actor):
        raise await refuse(actor, now, "update_user", "user", user_id, N_("Only an administrator may change users."))
    role_value = _check_user(role, division_code, locale)
    if new_password:
        _check_password(new_password, "password")
    if user_id == actor.id and (not active or role_value != Role.ADMIN):
        raise Invalid(N_("You cannot take away your own administrator rights."), fields={"role": N_("Your own account")})
    async with db.transaction():
        row = await User.select(*PUBLIC_USER_COLUMNS).where(User.id == user_id).first().run()
        if row is None:
            raise NotFound(N_("No user {value}."), value=user_id)
        division_id = (await division_ids_by_code([division_code], "division"))[division_code] if division_code else None
        values = {"full_name": full_name.strip(), "email": email.strip(), "role": role_value.value, "division": division_id,
                  "active": active, "locale": locale}
        before, after = changed_only(row, values)
        update = {getattr(User, k): v for k, v in after.items()}
        if new_password:
            update[User.password_hash] = hash_password(new_password)
            before, after = {**before, "password": "…"}, {**after, "password": "changed"}
        if new_password or "active" in after or "role" in after:
            # A reset password, a deactivation or a new role ends the user's tokens and sessions.
            update[User.credential_version] = User.credential_version + 1
        if update:
            await User.update(update).where(User.id == user_id).run()
            await write_event(actor=actor, at=now, action="update_user", entity_type="user", entity_id=user_id, before=before, after=after)
    return {**row, **values}


async def update_division(db: Db, actor: Actor, now: datetime, division_id: int, *, name: str, email: str, active: bool) -> dict:
    if not may_admin(actor):
        raise await refuse(actor, now, "update_division", "division", division_id, N_("Only an administrator may change divisions."))
    _check_division_name(name)
    async with db.transaction():
        row = await Division.select().where(Division.id == division_id).first().run()
        if row is None:
            raise NotFound(N_("No division {value}."), value=division_id)
        values = {"name": name.strip(), "email": email.strip(), "active": active}
        before, after = changed_only(row, values)
        if after:
            await Division.update({getattr(Division, k): v for k, v in after.items()}).where(Division.id == division_id).run()
            await write_event(actor=actor, at=now, action="update_division", entity_type="division", entity_id=division_id, before=before, after=after)
    return {**row, **values}


async def rotate_feed(db: Db, actor: Actor, now: datetime, code: str) -> dict:
    """A new calendar feed URL for one division (its feed_version moved, web.feeds): the old URL
    stops working; other divisions' feeds and the secret key are left alone. Audited."""
    if not may_admin(actor):
        raise await refuse(actor, now, "rotate_feed", "division", None, N_("Only an administrator may change divisions."))
    async with db.transaction():
        row = await Division.select().where(Division.code == code).first().run()
        if row is None:
            raise NotFound(N_("No division {value}."), value=code)
        version = row["feed_version"] + 1
        await Division.update({Division.feed_version: version}).where(Division.id == row["id"]).run()
        await write_event(actor=actor, at=now, action="rotate_feed", entity_type="division", entity_id=row["id"],
                          before={"feed_version": row["feed_version"]}, after={"feed_version": version})
    return {**row, "feed_version": version}


def actor_from_row(row: dict) -> Actor:
    return Actor(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        division_id=row["division"],
        locale=row.get("locale") or "vi",
        credential_version=row.get("credential_version", 1),
    )


async def authenticate(username: str, password: str) -> Actor | None:
    row = await User.select().where((User.username == username) & (User.active == True)).first().run()  # noqa: E712
    if row is None:
        await check_nobody(password)
        return None
    if not await check_password(row["password_hash"], password):
        return None
    if needs_rehash(row["password_hash"]):
        # A hash made at an older cost is replaced by one at today's, with the password just
        # checked; the password itself does not change, so there is nothing to audit.
        await User.update({User.password_hash: hash_password(password)}).where(User.id == row["id"]).run()
    return actor_from_row(row)


async def active_actor(user_id: int, credential_version: int) -> Actor | None:
    """The user a token names, while active and still at the credential version it was issued under."""
    row = await User.select().where(
        (User.id == user_id) & (User.active == True) & (User.credential_version == credential_version)  # noqa: E712
    ).first().run()
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
    if not may_admin(actor):
        raise await refuse(actor, now, "create_division", "division", None, N_("Only an administrator may add divisions."))
    _check_division_name(name)
    taken = Conflict(N_("Division code {value} is already in use."), fields={"code": N_("Already in use")}, value=code)
    async with unique_conflict(taken, "division", ("code",)), db.transaction():
        if await Division.exists().where(Division.code == code).run():
            raise taken
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
    if actor is not None and not may_admin(actor):
        raise await refuse(actor, now, "create_user", "user", None, N_("Only an administrator may add users."))
    role_value = _check_user(role, division_code, locale)
    _check_password(password, "password")
    taken = Conflict(N_("Username {value} is already taken."), fields={"username": N_("Already in use")}, value=username)
    async with unique_conflict(taken, "app_user", ("username",)), db.transaction():
        division_id = None
        if division_code:
            division_id = (await division_ids_by_code([division_code], "division"))[division_code]
        if await User.exists().where(User.username == username).run():
            raise taken
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


def _check_user(role: str, division_code: str | None, locale: str) -> Role:
    """The rules a user's fields keep, for adding a user and for changing one."""
    try:
        role_value = Role(role)
    except ValueError:
        raise Invalid(N_("Unknown role: {value}"), fields={"role": N_("Must be office, head, leader or admin")}, value=role) from None
    if role_value == Role.HEAD and not division_code:
        raise Invalid(N_("A division head must belong to a division."), fields={"division": N_("Required for a head")})
    _check_locale(locale)
    return role_value


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise Invalid(N_("Unknown language: {value}"), fields={"locale": N_("Must be vi or en")}, value=locale)


def _check_password(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(N_("The password must be at least {n} characters."), fields={field: N_("Too short")}, n=MIN_PASSWORD_LENGTH)


def _check_division_name(name: str) -> None:
    if not name.strip():
        raise Invalid(N_("A division needs a name."), fields={"name": N_("Required")})
