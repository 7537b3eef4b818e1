"""The outbox in figures, for the operator's metrics: how many notifications wait or failed, and how
long the oldest waiting one has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notify.tables import Notification


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    failed: int
    oldest_pending_age_s: float  # 0 when nothing is pending


async def outbox_figures(now: datetime) -> OutboxFigures:
    """Counts by state from the queue index (state, next_attempt_at); a pending row's age runs from
    when it was written, retries included."""
    rows = await Notification.raw(
        "SELECT state, COUNT(*) AS n FROM notification WHERE state IN ('pending', 'failed') GROUP BY state"
    ).run()
    counts = {r["state"]: int(r["n"]) for r in rows}
    oldest = await Notification.select(Notification.created_at).where(
        Notification.state == "pending").order_by(Notification.created_at).first().run()
    age = max(0.0, (now - oldest["created_at"]).total_seconds()) if oldest else 0.0
    return OutboxFigures(pending=counts.get("pending", 0), failed=counts.get("failed", 0), oldest_pending_age_s=age)
