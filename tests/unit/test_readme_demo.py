"""The README lists the demo sign-ins `dondoc seed-demo` makes, every username and the password."""

from __future__ import annotations

from pathlib import Path

from web.cli.demo import ADMIN, DEMO_PASSWORD, DIVISIONS, USERS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_every_demo_sign_in_and_its_password():
    section = README.split("**Demo sign-ins**", 1)[1].split("\n\n", 2)[1]
    usernames = [ADMIN[0], *(u[0] for u in USERS), *(f"truongphong.{code.lower()}" for code, *_ in DIVISIONS)]
    assert [u for u in usernames if f"`{u}`" not in section] == []
    assert f"`{DEMO_PASSWORD}`" in README.split("**Demo sign-ins**", 1)[1].split("\n", 1)[0]
