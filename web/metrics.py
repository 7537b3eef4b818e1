"""`GET /metrics` in Prometheus' text format, for the addresses in DONDOC_METRICS_ALLOW only.

Per process (each `dondoc serve` worker keeps its own, as Prometheus scrapes instances): requests by
route and status with latency histograms (web.observe counts them), sign-in refusals, the last
escalation pass this process ran. Read from the database at each scrape, the same on every
instance: the outbox (pending, failed, the oldest pending one's age) and the overdue tasks."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from datetime import datetime
from typing import Any, Iterable

from litestar import Request, Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from notify.figures import outbox_figures
from tasks.calendar_days import load_calendar
from tasks.figures import overdue_count
from web.health import DB_TIMEOUT_S
from web.settings import Network

log = logging.getLogger("dondoc.web")

# Seconds; the pages' targets are a few hundred milliseconds, reports and exports may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The sign-in forms: a 401 there is a wrong username or password, a 429 the throttle.
SIGNIN_ROUTES = {("POST", "/signin"), ("POST", "/api/v1/auth/token")}
REFUSAL_REASONS = {401: "bad_credentials", 429: "throttled"}


class Metrics:
    """One app instance's registry (not prometheus_client's global one: a process may hold several
    apps, as the tests do)."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.requests = Counter("dondoc_http_requests", "HTTP requests answered, by route template and status.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("dondoc_http_request_duration_seconds", "Time to the response's first byte.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=r)
        self.signin_refusals = Counter("dondoc_signin_refusals", "Sign-ins refused (pages and API).",
                                       ["route", "reason"], registry=r)
        self.outbox = Gauge("dondoc_outbox_notifications", "Notifications in the outbox, by state.", ["state"], registry=r)
        self.outbox_oldest = Gauge("dondoc_outbox_oldest_pending_age_seconds",
                                   "Age of the oldest pending notification (0: none pending).", registry=r)
        self.overdue = Gauge("dondoc_tasks_overdue", "Tasks overdue now.", registry=r)
        self.last_pass_at = Gauge("dondoc_escalation_last_pass_timestamp_seconds",
                                  "When this process last ran an escalation pass (its as-of time; 0: never).", registry=r)
        self.last_pass_duration = Gauge("dondoc_escalation_last_pass_duration_seconds",
                                        "How long this process's last escalation pass took.", registry=r)
        self.database_up = Gauge("dondoc_database_figures_up",
                                 "1 when the figures below were read from the database at this scrape, else 0.", registry=r)
        self.passes = Counter("dondoc_escalation_passes", "Escalation passes this process ran, by outcome.",
                              ["outcome"], registry=r)

    def observe_request(self, method: str, route: str, status: int, duration_s: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(duration_s)
        reason = REFUSAL_REASONS.get(status)
        if reason and (method, route) in SIGNIN_ROUTES:
            self.signin_refusals.labels(route, reason).inc()

    def watch_passes(self, notifier: Any) -> "WatchedNotifier":
        return WatchedNotifier(notifier, self)

    async def refresh(self, now: datetime, timezone: str, due_soon_days: int) -> None:
        """The figures read from the database, as of `now`. A database that does not answer leaves
        them as they were and says so (dondoc_database_figures_up 0): the process's own figures are
        still served, and /readyz tells why."""
        try:
            outbox = await asyncio.wait_for(outbox_figures(now), DB_TIMEOUT_S)
            overdue = await asyncio.wait_for(overdue_count(now, await load_calendar(timezone), due_soon_days), DB_TIMEOUT_S)
        except Exception:
            log.warning("metrics: the database figures could not be read", exc_info=True)
            self.database_up.set(0)
            return
        self.outbox.labels("pending").set(outbox.pending)
        self.outbox.labels("failed").set(outbox.failed)
        self.outbox_oldest.set(outbox.oldest_pending_age_s)
        self.overdue.set(overdue)
        self.database_up.set(1)


class WatchedNotifier:
    """The notifier as the scheduler sees it: the same passes, timed and counted on their way back.
    What a pass does is notify's alone; this only looks at it."""

    def __init__(self, notifier: Any, metrics: Metrics) -> None:
        self._notifier, self._metrics = notifier, metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self._notifier, name)

    async def run_pass(self, now: datetime) -> Any:
        started = time.perf_counter()
        try:
            result = await self._notifier.run_pass(now)
        except BaseException:
            self._metrics.passes.labels("failed").inc()
            raise
        self._metrics.last_pass_at.set(result.at.timestamp())
        self._metrics.last_pass_duration.set(time.perf_counter() - started)
        self._metrics.passes.labels("quiet" if result.quiet else "ran").inc()
        return result


def metrics_allowed(client_host: str | None, allow: Iterable[Network]) -> bool:
    """Whether a client at `client_host` may read the metrics (an IPv4 address seen through IPv6 as
    ::ffff:a.b.c.d counts as itself; no address, or not an IP, never may)."""
    if not client_host:
        return False
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in allow)


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request, state: State) -> Response:
    settings = state.settings
    client = request.client.host if request.client else None
    if not metrics_allowed(client, settings.metrics_networks):
        return Response("metrics are not served to this address\n", status_code=403, media_type="text/plain")
    metrics: Metrics = state.metrics
    await metrics.refresh(state.clock.now(), settings.timezone, settings.due_soon_days)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
