"""Users managing themselves (password, language) and the admin managing users and divisions.
Each change is one transaction with its audit event; passwords never enter the audit."""

from __future__ import annotations

from datetime import datetime


from tasks.audit import changed_only, refuse, write_event
from tasks.db import Db
from tasks.errors import N_, Invalid, NotFound
from tasks.i18n import LOCALES
from tasks.people import MIN_PASSWORD_LENGTH, division_ids_by_code, hash_password, verify_password
from tasks.permissions import Actor, Role, is_admin
from tasks.tables import Division, User

PUBLIC_USER_COLUMNS = (User.id, User.username, User.full_name, User.email, User.role, User.division, User.active, User.locale)


async def change_password(db: Db, actor: Actor, now: datetime, current: str, new: str) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise Invalid(N_("The password must be at least {n} characters."), fields={"new_password": N_("Too short")}, n=MIN_PASSWORD_LENGTH)
    async with db.transaction():
        row = await User.select(User.password_hash).where(User.id == actor.id).first().run()
        if row is None or not verify_password(row["password_hash"], current):
            raise Invalid(N_("The current password is wrong."), fields={"current_password": N_("Wrong password")})
        await User.update({User.password_hash: hash_password(new)}).where(User.id == actor.id).run()
        await write_event(actor=actor, at=now, action="change_password", entity_type="user", entity_id=actor.id, before=None, after=None)


async def set_locale(db: Db, actor: Actor, now: datetime, locale: str) -> None:
    if locale not in LOCALES:
        raise Invalid(N_("Unknown language: {value}"), fields={"locale": N_("Must be vi or en")}, value=locale)
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
    return await User.select(User.id, User.username, User.full_name).where(
        (User.role == role.value) & (User.active == True)  # noqa: E712
    ).order_by(User.full_name).run()


async def update_user(
    db: Db, actor: Actor, now: datetime, user_id: int, *, full_name: str, email: str, role: str,
    division_code: str | None, active: bool, locale: str, new_password: str = "",
) -> dict:
    if not is_admin(actor):
        raise await refuse(actor, now, "update_user", "user", user_id, N_("Only an administrator may change users."))
    try:
        role_value = Role(role)
    except ValueError:
        raise Invalid(N_("Unknown role: {value}"), fields={"role": N_("Must be office, head, leader or admin")}, value=role) from None
    if role_value == Role.HEAD and not division_code:
        raise Invalid(N_("A division head must belong to a division."), fields={"division": N_("Required for a head")})
    if locale not in LOCALES:
        raise Invalid(N_("Unknown language: {value}"), fields={"locale": N_("Must be vi or en")}, value=locale)
    if new_password and len(new_password) < MIN_PASSWORD_LENGTH:
        raise Invalid(N_("The password must be at least {n} characters."), fields={"password": N_("Too short")}, n=MIN_PASSWORD_LENGTH)
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
        if update:
            await User.update(update).where(User.id == user_id).run()
            await write_event(actor=actor, at=now, action="update_user", entity_type="user", entity_id=user_id, before=before, after=after)
    return {**row, **values}


async def update_division(db: Db, actor: Actor, now: datetime, division_id: int, *, name: str, email: str, active: bool) -> dict:
    if not is_admin(actor):
        raise await refuse(actor, now, "update_division", "division", division_id, N_("Only an administrator may change divisions."))
    if not name.strip():
        raise Invalid(N_("A division needs a name."), fields={"name": N_("Required")})
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
