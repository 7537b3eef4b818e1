"""The composition root: create_app(settings, clock, mailer) wires the database, API and pages."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.exceptions import NotFoundException

from tasks.clock import Clock
from tasks.db import Db
from notify.mailer import mailer_from_url
from notify.passes import Notifier
from notify.scheduler import build_scheduler
from notify.tables import NOTIFY_TABLES
from web.api.routes import CONTROLLERS, DEPENDENCIES
from web.api.strict import before_api_request
from web.apidocs import StrictBodies, openapi_config
from web.clock import SystemClock
from web.deps import DEPENDENCIES as APP_DEPENDENCIES
from web.errors import EXCEPTION_HANDLERS
from web.feeds import calendar_feed
from web.health import HEALTH_ROUTES
from web.metrics import Metrics, metrics_endpoint
from web.observe import RequestObserver
from web.pages import csrf_config, pages_router, static_router, template_config
from web.pages.common import not_found_anywhere
from web.tables import WEB_TABLES
from web.security import security_headers
from web.settings import Settings, parse_weekly


def app_db(database_url: str) -> Db:
    """The database of one app instance, bound to every table of every part."""
    return Db.from_url(database_url, [*NOTIFY_TABLES, *WEB_TABLES])


def create_app(
    settings: Settings, clock: Clock | None = None, mailer: object | None = None, db: Db | None = None
) -> Litestar:
    """`db` is for callers that already hold an open pool (tests); otherwise the app makes its
    own and opens and closes it in the lifespan."""
    clock = clock or SystemClock()
    owns_db = db is None
    db = db or app_db(settings.database_url)
    mailer = mailer or mailer_from_url(settings.smtp_url)
    notifier = Notifier(db, mailer, timezone=settings.timezone, base_url=settings.base_url, mail_from=settings.mail_from,
                        lease=settings.outbox_lease, link_key=settings.secret_key, clock=clock)
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        db.bind()
        if owns_db:
            await db.open()
        try:
            yield
        finally:
            if owns_db:
                await db.close()

    @contextlib.asynccontextmanager
    async def escalation(app: Litestar) -> AsyncIterator[None]:
        """The scheduler only calls the passes; the outbox keeps them exactly-once across instances."""
        if not settings.scheduler:
            yield
            return
        scheduler = build_scheduler(metrics.watch_passes(notifier), clock, settings.timezone, parse_weekly(settings.update_request))
        scheduler.start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)

    api = Router(path="/api/v1", route_handlers=CONTROLLERS, dependencies=DEPENDENCIES, before_request=before_api_request)
    app = Litestar(
        route_handlers=[api, *HEALTH_ROUTES, metrics_endpoint, calendar_feed, pages_router(), static_router()],
        template_config=template_config(),
        csrf_config=csrf_config(settings),
        lifespan=[database, escalation],
        state=State({"settings": settings, "clock": clock, "db": db, "mailer": mailer, "notifier": notifier, "metrics": metrics}),
        dependencies=APP_DEPENDENCIES,
        exception_handlers={**EXCEPTION_HANDLERS, NotFoundException: not_found_anywhere},
        openapi_config=openapi_config(),
        before_send=[security_headers(settings)],
        plugins=[StrictBodies()],
        debug=False,
    )
    # Outside Litestar's routing, so 404s and 405s are timed, counted and logged too.
    app.asgi_handler = RequestObserver(app.asgi_handler, metrics, log_requests=settings.log_format == "json")
    return app


def app_from_env() -> Litestar:
    """The app of one `dondoc serve --workers N` process, configured from the environment."""
    return create_app(Settings.from_env())
