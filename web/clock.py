"""The one place that reads the wall clock; everything else is handed a Clock."""

from datetime import datetime, timezone


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)
