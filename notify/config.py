"""The ladder settings the admin edits (rules, working hours, catch-up horizon) and the director,
kept in the Setting table under the keys "escalation" and "director"."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any


from notify.ladder import DEFAULT_LADDER, MAX_OFFSET, RECIPIENT_KINDS, Ladder, Rule, WorkingHours
from tasks.audit import refuse, write_event
from tasks.authority import DIRECTOR_KEY, director
from tasks.db import Db
from tasks.errors import N_, Invalid
from tasks.permissions import Actor, may_admin
from tasks.tables import Setting, User

LADDER_KEY = "escalation"
MAX_RULES = 20
RULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def ladder_to_dict(ladder: Ladder) -> dict[str, Any]:
    return {
        "rules": [{"name": r.name, "offset": r.offset, "to": list(r.to), "cc": list(r.cc)} for r in ladder.rules],
        "working_hours": {"start": ladder.hours.start.strftime("%H:%M"), "end": ladder.hours.end.strftime("%H:%M")},
        "catch_up_days": ladder.catch_up_days,
    }


def ladder_from_dict(data: dict[str, Any]) -> Ladder:
    """Validate an edited ladder; every problem is an Invalid naming its field."""
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not 1 <= len(rules_data) <= MAX_RULES:
        raise Invalid(N_("The ladder needs between 1 and {n} rules."), fields={"rules": N_("Out of range")}, n=MAX_RULES)
    rules, names, offsets = [], set(), set()
    for i, r in enumerate(rules_data):
        where = f"rules[{i}]"
        name, offset = r.get("name", ""), r.get("offset")
        to, cc = tuple(r.get("to") or ()), tuple(r.get("cc") or ())
        if not isinstance(name, str) or not RULE_NAME.match(name):
            raise Invalid(N_("A rule name is lower-case letters, digits and _ (at most 32): {value}"), fields={f"{where}.name": N_("Invalid name")}, value=name)
        if name in names or name == "weekly_digest":
            raise Invalid(N_("Two rules cannot have the same name: {value}"), fields={f"{where}.name": N_("Already in use")}, value=name)
        if not isinstance(offset, int) or isinstance(offset, bool) or not -MAX_OFFSET <= offset <= MAX_OFFSET:
            raise Invalid(N_("A rule's offset is a whole number of working days from -{n} to {n}."), fields={f"{where}.offset": N_("Out of range")}, n=MAX_OFFSET)
        if offset in offsets:
            raise Invalid(N_("Two rules cannot fall on the same working day ({value})."), fields={f"{where}.offset": N_("Already in use")}, value=offset)
        if not to:
            raise Invalid(N_("Every rule needs at least one recipient in 'to'."), fields={f"{where}.to": N_("Required")})
        unknown = [k for k in to + cc if k not in RECIPIENT_KINDS]
        if unknown:
            raise Invalid(N_("Unknown recipient: {value}. Use lead_head, assignee, leader_in_charge, director or office."),
                          fields={f"{where}.to": N_("Unknown recipient")}, value=", ".join(map(str, unknown)))
        if set(to) & set(cc) or len(set(to)) != len(to) or len(set(cc)) != len(cc):
            raise Invalid(N_("A recipient appears twice in rule {value}."), fields={f"{where}.cc": N_("Appears twice")}, value=name)
        names.add(name)
        offsets.add(offset)
        rules.append(Rule(name=name, offset=offset, to=to, cc=cc))
    hours = data.get("working_hours") or {}
    start, end = str(hours.get("start", "07:30")), str(hours.get("end", "17:00"))
    for field_name, value in (("start", start), ("end", end)):
        if not HHMM.match(value):
            raise Invalid(N_("Write a time as HH:MM, for example 07:30: {value}"), fields={f"working_hours.{field_name}": N_("Invalid time")}, value=value)
    start_t, end_t = time.fromisoformat(start), time.fromisoformat(end)
    if start_t >= end_t:
        raise Invalid(N_("Working hours must start before they end."), fields={"working_hours.end": N_("Not after the start")})
    catch_up = data.get("catch_up_days", DEFAULT_LADDER.catch_up_days)
    if not isinstance(catch_up, int) or isinstance(catch_up, bool) or not 0 <= catch_up <= MAX_OFFSET:
        raise Invalid(N_("The catch-up horizon is a whole number of working days from 0 to {n}."), fields={"catch_up_days": N_("Out of range")}, n=MAX_OFFSET)
    return Ladder(rules=tuple(rules), hours=WorkingHours(start_t, end_t), catch_up_days=catch_up)


async def _setting(key: str) -> Any:
    row = await Setting.select(Setting.value).where(Setting.key == key).first().run()
    if row is None:
        return None
    value = row["value"]
    return json.loads(value) if isinstance(value, str) else value


async def load_ladder() -> Ladder:
    data = await _setting(LADDER_KEY)
    return DEFAULT_LADDER if data is None else ladder_from_dict(data)


@dataclass(frozen=True)
class Director:
    user_id: int | None
    username: str | None
    chosen: bool  # False: nobody chosen, the first active leader stands in


async def load_director() -> Director:
    """The director as tasks.authority decides it (the admin's choice, else the first leader)."""
    user_id, chosen = await director()
    if user_id is None:
        return Director(None, None, False)
    row = await User.select(User.username).where(User.id == user_id).first().run()
    return Director(user_id, row["username"], chosen)


async def escalation_settings(actor: Actor, now: datetime) -> dict[str, Any]:
    """The ladder, the chosen director and the one standing in; admin only, a refusal is audited."""
    if not may_admin(actor):
        raise await refuse(actor, now, "show_escalation_settings", "setting", None, N_("Only an administrator may see the escalation settings."))
    return await _current_settings()


async def _current_settings() -> dict[str, Any]:
    director = await load_director()
    return {
        **ladder_to_dict(await load_ladder()),
        "director": director.username if director.chosen else None,
        "effective_director": director.username,
    }


async def _store(key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    if await Setting.exists().where(Setting.key == key).run():
        await Setting.update({Setting.value: text}).where(Setting.key == key).run()
    else:
        await Setting.insert(Setting(key=key, value=text)).run()


async def update_escalation_settings(db: Db, actor: Actor, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the ladder (and the director, when `data` names one or null); admin only, audited."""
    if not may_admin(actor):
        raise await refuse(actor, now, "update_escalation_settings", "setting", None, N_("Only an administrator may change the escalation settings."))
    ladder = ladder_from_dict(data)
    director_id: int | None = None
    username = data.get("director")
    if username is not None:
        row = await User.select(User.id).where(
            (User.username == username) & (User.role == "leader") & (User.active == True)  # noqa: E712
        ).first().run()
        if row is None:
            raise Invalid(N_("The director must be an active leader: {value}"), fields={"director": N_("Unknown user or wrong role")}, value=username)
        director_id = row["id"]
    async with db.transaction():
        before = {"ladder": await _setting(LADDER_KEY), "director": await _setting(DIRECTOR_KEY)}
        after = {"ladder": ladder_to_dict(ladder), "director": director_id}
        await _store(LADDER_KEY, after["ladder"])
        await _store(DIRECTOR_KEY, director_id)
        await write_event(actor=actor, at=now, action="update_escalation_settings", entity_type="setting", entity_id=None, before=before, after=after)
    return await _current_settings()
