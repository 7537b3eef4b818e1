"""The composition root: create_app(settings, clock, mailer) wires the database, API and pages."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from piccolo.engine.base import Engine

from tasks.clock import Clock
from tasks.db import bind_tables, close_engine, engine_from_url, open_engine
from notify.mailer import mailer_from_url
from notify.passes import Notifier
from notify.scheduler import build_scheduler
from notify.tables import bind_notify_tables
from web.api.routes import CONTROLLERS, DEPENDENCIES
from web.api.strict import before_api_request
from web.clock import SystemClock
from web.errors import EXCEPTION_HANDLERS
from web.feeds import calendar_feed
from web.pages import csrf_config, pages_router, static_router, template_config
from web.sessions import bind_web_tables
from web.settings import Settings


def create_app(
    settings: Settings, clock: Clock | None = None, mailer: object | None = None, engine: Engine | None = None
) -> Litestar:
    """`engine` is for callers that already hold an open pool (tests); otherwise the app opens
    and closes its own in the lifespan."""
    clock = clock or SystemClock()
    owns_engine = engine is None
    engine = engine or engine_from_url(settings.database_url)
    mailer = mailer or mailer_from_url(settings.smtp_url)
    notifier = Notifier(engine, mailer, timezone=settings.timezone, base_url=settings.base_url, mail_from=settings.mail_from)

    @contextlib.asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        bind_tables(engine)
        bind_web_tables(engine)
        if owns_engine:
            await open_engine(engine)
        try:
            yield
        finally:
            if owns_engine:
                await close_engine(engine)

    @contextlib.asynccontextmanager
    async def escalation(app: Litestar) -> AsyncIterator[None]:
        """The scheduler only calls the passes; the outbox keeps them exactly-once across instances."""
        bind_notify_tables(engine)
        if not settings.scheduler:
            yield
            return
        scheduler = build_scheduler(notifier, clock, settings.timezone)
        scheduler.start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)

    @get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    api = Router(path="/api/v1", route_handlers=CONTROLLERS, dependencies=DEPENDENCIES, before_request=before_api_request)
    return Litestar(
        route_handlers=[api, healthz, calendar_feed, pages_router(), static_router()],
        template_config=template_config(),
        csrf_config=csrf_config(settings),
        lifespan=[database, escalation],
        state=State({"settings": settings, "clock": clock, "engine": engine, "mailer": mailer, "notifier": notifier}),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(title="dondoc", version="1", path="/schema", render_plugins=[SwaggerRenderPlugin(
            # Served from web/static (vendored swagger-ui-dist 5.35.0): no CDN.
            js_url="/static/swagger/swagger-ui-bundle.js", css_url="/static/swagger/swagger-ui.css",
            standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js", favicon="")]),
        debug=False,
    )


def app_from_env() -> Litestar:
    """The app of one `dondoc serve --workers N` process, configured from the environment."""
    return create_app(Settings.from_env())
