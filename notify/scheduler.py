"""APScheduler wiring: an in-memory AsyncIOScheduler per app instance that only calls the passes
with the injected clock's time. It guarantees nothing about exactly-once; the outbox does."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notify.passes import Notifier
from tasks.clock import Clock

log = logging.getLogger("dondoc.notify")


def build_scheduler(notifier: Notifier, clock: Clock, timezone: str, update_request: tuple[str, int, int] | None = None) -> AsyncIOScheduler:
    """Every minute the planning and sending pass; Mondays 07:00 province time the digest; the
    update request to the heads at `update_request` (weekday, hour, minute), if given.
    Start it inside a running event loop (the app's lifespan)."""
    zone = ZoneInfo(timezone)

    async def escalation() -> None:
        try:
            result = await notifier.run_pass(clock.now())
            if result.planned or result.send.emails_sent or result.send.retried or result.send.failed:
                log.info("escalation pass: %s", result.summary())
        except Exception:
            log.exception("escalation pass failed")

    async def weekly_digest() -> None:
        try:
            log.info("weekly digest: %s", (await notifier.run_digest(clock.now())).summary())
        except Exception:
            log.exception("weekly digest failed")

    async def update_requests() -> None:
        try:
            log.info("update request: %s", (await notifier.run_update_request(clock.now())).summary())
        except Exception:
            log.exception("update request failed")

    scheduler = AsyncIOScheduler(timezone=zone, job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 300})
    scheduler.add_job(escalation, IntervalTrigger(minutes=1, timezone=zone), id="escalation", name="planning and sending pass")
    scheduler.add_job(weekly_digest, CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=zone), id="weekly_digest", name="weekly digest")
    if update_request is not None:
        day, hour, minute = update_request
        scheduler.add_job(update_requests, CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=zone), id="update_request",
                          name="update request to the heads")
    return scheduler
