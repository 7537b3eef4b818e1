"""The composition root: create_app(settings, clock, mailer) wires the database, API and pages."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from litestar import Litestar, Router, get
from litestar.response import Redirect
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from piccolo.engine.base import Engine

from tasks.clock import Clock
from tasks.db import bind_tables, close_engine, engine_from_url, open_engine
from web.api.routes import CONTROLLERS, DEPENDENCIES
from web.clock import SystemClock
from web.errors import EXCEPTION_HANDLERS
from web.settings import Settings


def create_app(
    settings: Settings, clock: Clock | None = None, mailer: object | None = None, engine: Engine | None = None
) -> Litestar:
    """`engine` is for callers that already hold an open pool (tests); otherwise the app opens
    and closes its own in the lifespan."""
    clock = clock or SystemClock()
    owns_engine = engine is None
    engine = engine or engine_from_url(settings.database_url)

    @contextlib.asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        bind_tables(engine)
        if owns_engine:
            await open_engine(engine)
        try:
            yield
        finally:
            if owns_engine:
                await close_engine(engine)

    @get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    @get("/", include_in_schema=False)
    async def home() -> Redirect:
        # Until the pages land, the front door is the API's own documentation.
        return Redirect(path="/schema")

    api = Router(path="/api/v1", route_handlers=CONTROLLERS, dependencies=DEPENDENCIES)
    return Litestar(
        route_handlers=[api, healthz, home],
        lifespan=[database],
        state=State({"settings": settings, "clock": clock, "engine": engine, "mailer": mailer}),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(title="dondoc", version="1", path="/schema", render_plugins=[SwaggerRenderPlugin()]),
        debug=False,
    )
