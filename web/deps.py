"""What a request handler may ask for by name (now, db, calendar, settings, due_soon_days), declared
once for the whole app: the API, the pages and the calendar feed get them the same way."""

from __future__ import annotations

from datetime import datetime

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from tasks.calendar import WorkingCalendar
from tasks.calendar_days import load_calendar
from tasks.db import Db
from tasks.permissions import Actor
from web.settings import Settings


def provide_now(state: State) -> datetime:
    return state.clock.now()


def provide_db(state: State) -> Db:
    return state.db


def provide_settings(state: State) -> Settings:
    return state.settings


async def provide_calendar(state: State) -> WorkingCalendar:
    # Kept per process and reloaded only when the calendar's version in the database moves.
    return await load_calendar(state.settings.timezone)


def provide_due_soon_days(state: State) -> int:
    return state.settings.due_soon_days


NowDep = NamedDependency[datetime]
DbDep = NamedDependency[Db]
SettingsDep = NamedDependency[Settings]
CalendarDep = NamedDependency[WorkingCalendar]
DueSoonDep = NamedDependency[int]
# Provided by the API router (bearer token) and, for the pages, as the viewer's actor.
ActorDep = NamedDependency[Actor]

DEPENDENCIES = {
    "now": Provide(provide_now, sync_to_thread=False),
    "db": Provide(provide_db, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "calendar": Provide(provide_calendar),
    "due_soon_days": Provide(provide_due_soon_days, sync_to_thread=False),
}
