"""Time is injected: a Clock gives "now" (timezone-aware UTC); domain code never reads the wall clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class FixedClock:
    """A clock that stands still until moved: for tests and for `--as-of` runs."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.at.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta
