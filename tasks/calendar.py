"""The province's working calendar: which days count, and deadline arithmetic in working days.
A value built once (public holidays from the `holidays` package + the admin's CalendarDay rows) and passed around."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# A real calendar never has more than a few weeks without a working day; ten years without one
# means the admin data is wrong, and we would rather fail loudly than spin.
MAX_SCAN_DAYS = 3660
UNNAMED_DAY_OFF = "Ngày nghỉ"
ONE_DAY = timedelta(days=1)


class CalendarError(RuntimeError):
    """The calendar has no working day within MAX_SCAN_DAYS of a date: misconfigured data."""


def _spelled(name: str) -> str:
    """A holiday's name as Vietnamese writes it: "Tết Nguyên đán" (the package capitalises Đán)."""
    return name.replace("Nguyên Đán", "Nguyên đán")


def public_holiday(day: date) -> str | None:
    """The name of the public holiday (from the `holidays` package) on `day`, whatever the admin entered."""
    return _public_holidays(day.year)[0].get(day)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """Vietnamese public holidays and the government's swapped working weekend days for one year.

    The language is pinned because the package otherwise follows the process locale, which would
    make names differ between a laptop and the server. The result is copied into immutable values
    because the package's object grows itself with other years on lookup and this one is shared.
    """
    vn = holidays.country_holidays("VN", years=year, language="vi")
    days_off = MappingProxyType({day: _spelled(name) for day, name in vn.items() if day.year == year})
    # The package keeps some weekend workdays of other years on the class; keep only this year's.
    workdays = frozenset(day for day in vn.weekend_workdays if day.year == year)
    return days_off, workdays


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days: Mon–Fri, minus public holidays and admin days off, plus swapped working days.

    Precedence, highest first: `swapped_working_days` (working: a weekend day worked, or a public
    holiday the admin marked as worked that year), `extra_days_off` (not working), the package's own
    weekend workdays (working), weekends and public holidays (not working).
    """

    timezone: ZoneInfo
    extra_days_off: frozenset[date] = frozenset()
    swapped_working_days: frozenset[date] = frozenset()
    # Excluded from the hash because a mapping is unhashable; equality still compares it.
    names: Mapping[date, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        # Callers pass sets and dicts; freeze them so a shared calendar cannot change under anyone.
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        object.__setattr__(self, "swapped_working_days", frozenset(self.swapped_working_days))
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def is_working(self, day: date) -> bool:
        if day in self.swapped_working_days:
            return True
        if day in self.extra_days_off:
            return False
        days_off, weekend_workdays = _public_holidays(day.year)
        if day in weekend_workdays:
            return True
        return day.weekday() < 5 and day not in days_off

    def holiday_name(self, day: date) -> str | None:
        """The name of the holiday on `day`, or None if it is a working day or an ordinary weekend."""
        if self.is_working(day):
            return None
        package_name = _public_holidays(day.year)[0].get(day)
        if day in self.extra_days_off:
            return self.names.get(day) or package_name or UNNAMED_DAY_OFF
        return package_name

    def today(self, now: datetime) -> date:
        """The province-local date at the instant `now` (which must be timezone-aware)."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime")
        return now.astimezone(self.timezone).date()

    def effective_due(self, day: date) -> date:
        """`day` if it is a working day, else the next working day (Civil Code 2015, art. 148)."""
        return day if self.is_working(day) else self.next_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._scan(day, ONE_DAY)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        return self._scan(day, -ONE_DAY)

    def add_working_days(self, day: date, n: int) -> date:
        """"n working days from day": the n-th working day strictly after `day`.

        n == 0 gives effective_due(day); a negative n counts backwards, the |n|-th working day
        strictly before `day`. For a working `day`, working_days_between(day, result) == n.
        """
        if n == 0:
            return self.effective_due(day)
        step = ONE_DAY if n > 0 else -ONE_DAY
        for _ in range(abs(n)):
            day = self._scan(day, step)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days d with start < d <= end; negative (symmetric) if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working(day)
            day += ONE_DAY
        return count

    def _scan(self, day: date, step: timedelta) -> date:
        for _ in range(MAX_SCAN_DAYS):
            day += step
            if self.is_working(day):
                return day
        raise CalendarError(f"no working day within {MAX_SCAN_DAYS} days of {day.isoformat()}")


def build_calendar(timezone_name: str, days: Iterable[tuple[date, str, str]]) -> WorkingCalendar:
    """A calendar from the province time zone and the admin's (day, kind, name) CalendarDay rows.

    kind is "holiday" (an extra day off) or "working" (a swapped working day). If the same day is
    entered as both, "working" wins, as it does in WorkingCalendar.is_working.
    """
    try:
        zone = ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {timezone_name!r}") from exc
    days_off: set[date] = set()
    working: set[date] = set()
    names: dict[date, str] = {}
    for day, kind, name in days:
        if kind == "holiday":
            days_off.add(day)
        elif kind == "working":
            working.add(day)
        else:
            raise ValueError(f"calendar day {day.isoformat()}: kind must be 'holiday' or 'working', not {kind!r}")
        if name:
            names[day] = name
    return WorkingCalendar(
        timezone=zone,
        extra_days_off=frozenset(days_off),
        swapped_working_days=frozenset(working),
        names=MappingProxyType(names),
    )
