"""The admin's calendar decisions (extra days off, swapped working days), and building the
WorkingCalendar from them."""

from __future__ import annotations

from datetime import date, datetime

from piccolo.engine.base import Engine

from tasks.audit import refuse, write_event
from tasks.calendar import WorkingCalendar, build_calendar
from tasks.dates import check_date
from tasks.db import transaction
from tasks.errors import N_, Conflict, Invalid
from tasks.permissions import Actor, is_admin
from tasks.tables import CalendarDay

KINDS = ("holiday", "working")


async def load_calendar(timezone_name: str) -> WorkingCalendar:
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name).run()
    return build_calendar(timezone_name, [(r["day"], r["kind"], r["name"]) for r in rows])


async def list_days(year: int | None = None) -> list[dict]:
    query = CalendarDay.select(CalendarDay.id, CalendarDay.day, CalendarDay.kind, CalendarDay.name).order_by(CalendarDay.day)
    if year is not None:
        query = query.where((CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31)))
    return await query.run()


async def add_day(engine: Engine, actor: Actor, now: datetime, day: date, kind: str, name: str) -> dict:
    if not is_admin(actor):
        raise await refuse(actor, now, "add_calendar_day", "calendar_day", None, N_("Only an administrator may change the calendar."))
    check_date(day, "day")
    if kind not in KINDS:
        raise Invalid(N_("Unknown calendar day kind: {value}"), fields={"kind": N_("Must be holiday or working")}, value=kind)
    if kind == "working" and day.weekday() < 5:
        raise Invalid(N_("A swapped working day must be a Saturday or a Sunday."), fields={"day": N_("Not a weekend day")})
    if not name.strip():
        raise Invalid(N_("Name the day (for example the decision that set it)."), fields={"name": N_("Required")})
    async with transaction(engine):
        if await CalendarDay.exists().where(CalendarDay.day == day).run():
            raise Conflict(N_("The calendar already has an entry for {value}."), fields={"day": N_("Already entered")}, value=day.strftime("%d/%m/%Y"))
        row = (await CalendarDay.insert(CalendarDay(day=day, kind=kind, name=name.strip())).returning(*CalendarDay.all_columns()).run())[0]
        await write_event(actor=actor, at=now, action="add_calendar_day", entity_type="calendar_day", entity_id=row["id"], before=None, after=row)
    return row


async def remove_day(engine: Engine, actor: Actor, now: datetime, day: date) -> None:
    """Take back an admin calendar entry (entered by mistake); public holidays stay."""
    if not is_admin(actor):
        raise await refuse(actor, now, "remove_calendar_day", "calendar_day", None, N_("Only an administrator may change the calendar."))
    async with transaction(engine):
        row = await CalendarDay.select().where(CalendarDay.day == day).first().run()
        if row is None:
            raise Invalid(N_("The calendar has no entry of yours for {value}."), fields={"day": N_("Not entered")}, value=day.strftime("%d/%m/%Y"))
        await CalendarDay.delete().where(CalendarDay.id == row["id"]).run()
        await write_event(actor=actor, at=now, action="remove_calendar_day", entity_type="calendar_day", entity_id=row["id"], before=row, after=None)
