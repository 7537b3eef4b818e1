"""Passwords are kept as argon2id hashes at the current cost; an older hash is upgraded at sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher

from tasks import accounts, passwords
from tasks.tables import User


async def test_a_hash_made_at_an_older_cost_is_replaced_at_the_next_sign_in(db, clock):
    user = await accounts.create_user(db, None, clock.now(), username="cu.vanthu", full_name="Văn thư cũ", email="",
                                    role="office", division_code=None, password="mat-khau-cu-123")
    older = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1).hash("mat-khau-cu-123")
    await User.update({User.password_hash: older}).where(User.id == user["id"]).run()

    assert await accounts.authenticate("cu.vanthu", "sai-mat-khau") is None
    assert (await User.select(User.password_hash).where(User.id == user["id"]).first().run())["password_hash"] == older

    assert (await accounts.authenticate("cu.vanthu", "mat-khau-cu-123")).username == "cu.vanthu"
    upgraded = (await User.select(User.password_hash).where(User.id == user["id"]).first().run())["password_hash"]
    assert upgraded != older and not passwords.needs_rehash(upgraded)
    assert (await accounts.authenticate("cu.vanthu", "mat-khau-cu-123")) is not None
