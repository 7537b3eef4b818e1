"""The admin's calendar decisions (extra days off, swapped working days), and building the
WorkingCalendar from them.

Every request needs the calendar, and it changes a few times a year: each process keeps the one it
built, under the version the database held (the Setting row `calendar.version`, a fresh token
written in the same transaction as every change of a CalendarDay row). Reading that row is one
cheap query, so an entry made through any instance is seen by every other on its next request.
The first entry writes the first version; until then nothing is kept (a read never writes).
Write calendar_day rows only through add_day / remove_day, or write a new version with them."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime


from tasks.audit import refuse, write_event
from tasks.calendar import WorkingCalendar, build_calendar, public_holiday
from tasks.dates import check_date, format_date
from tasks.db import Db
from tasks.errors import N_, Conflict, Invalid
from tasks.permissions import Actor, may_admin
from tasks.tables import CalendarDay, Setting
from tasks.unique import unique_conflict

KINDS = ("holiday", "working")
VERSION_KEY = "calendar.version"
# (time zone, version token) → the calendar built from the rows that version stands for. Tokens
# are unique across databases, so one process serving several (the tests) cannot mix them up.
_built: dict[tuple[str, str], WorkingCalendar] = {}
_KEEP = 8
_READ_VERSION = f"SELECT value FROM setting WHERE key = '{VERSION_KEY}'"


async def load_calendar(timezone_name: str) -> WorkingCalendar:
    """The working calendar as the database holds it now; rebuilt only when its version changed."""
    found = await Setting.raw(_READ_VERSION).run()  # raw: Piccolo's select builder costs more than the query
    version = _token(found[0]["value"]) if found else None
    calendar = _built.get((timezone_name, version)) if version else None
    if calendar is None:
        # Read after the version: the rows are at least as new as it, never older. Without a
        # version (no entry made through add_day yet) nothing is kept.
        rows = await CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name).run()
        calendar = build_calendar(timezone_name, [(r["day"], r["kind"], r["name"]) for r in rows])
        if version:
            if len(_built) >= _KEEP:
                _built.clear()
            _built[(timezone_name, version)] = calendar
    return calendar


def _new_token() -> str:
    return json.dumps(uuid.uuid4().hex)  # Piccolo stores a str in a JSON column as JSON text


def _token(value: object) -> str:
    # The JSON column reads back decoded on one engine and as JSON text on the other.
    return value.strip('"') if isinstance(value, str) else str(value)


async def bump_calendar_version() -> None:
    """Call inside the transaction that changes calendar_day rows, so that both commit together."""
    await Setting.insert(Setting(key=VERSION_KEY, value=_new_token())).on_conflict(
        target=Setting.key, action="DO UPDATE", values=[Setting.value]).run()


async def list_days(year: int | None = None) -> list[dict]:
    query = CalendarDay.select(CalendarDay.id, CalendarDay.day, CalendarDay.kind, CalendarDay.name).order_by(CalendarDay.day)
    if year is not None:
        query = query.where((CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31)))
    return await query.run()


async def add_day(db: Db, actor: Actor, now: datetime, day: date, kind: str, name: str) -> dict:
    if not may_admin(actor):
        raise await refuse(actor, now, "add_calendar_day", "calendar_day", None, N_("Only an administrator may change the calendar."))
    check_date(day, "day")
    if kind not in KINDS:
        raise Invalid(N_("Unknown calendar day kind: {value}"), fields={"kind": N_("Must be holiday or working")}, value=kind)
    # A weekday is a working day already, unless it is a public holiday the office works that year.
    if kind == "working" and day.weekday() < 5 and public_holiday(day) is None:
        raise Invalid(N_("A working day entered here must be a Saturday, a Sunday or a public holiday."),
                      fields={"day": N_("Already a working day")})
    if not name.strip():
        raise Invalid(N_("Name the day (for example the decision that set it)."), fields={"name": N_("Required")})
    entered = Conflict(N_("The calendar already has an entry for {value}."), fields={"day": N_("Already entered")}, value=format_date(day))
    async with unique_conflict(entered, "calendar_day", ("day",)), db.transaction():
        if await CalendarDay.exists().where(CalendarDay.day == day).run():
            raise entered
        row = (await CalendarDay.insert(CalendarDay(day=day, kind=kind, name=name.strip())).returning(*CalendarDay.all_columns()).run())[0]
        await bump_calendar_version()
        await write_event(actor=actor, at=now, action="add_calendar_day", entity_type="calendar_day", entity_id=row["id"], before=None, after=row)
    return row


async def remove_day(db: Db, actor: Actor, now: datetime, day: date) -> None:
    """Take back an admin calendar entry (entered by mistake); public holidays stay."""
    if not may_admin(actor):
        raise await refuse(actor, now, "remove_calendar_day", "calendar_day", None, N_("Only an administrator may change the calendar."))
    async with db.transaction():
        row = await CalendarDay.select().where(CalendarDay.day == day).first().run()
        if row is None:
            raise Invalid(N_("The calendar has no entry of yours for {value}."), fields={"day": N_("Not entered")}, value=format_date(day))
        await CalendarDay.delete().where(CalendarDay.id == row["id"]).run()
        await bump_calendar_version()
        await write_event(actor=actor, at=now, action="remove_calendar_day", entity_type="calendar_day", entity_id=row["id"], before=row, after=None)
