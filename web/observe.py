"""Every HTTP request, matched to a route or not (a 404 or 405 never reaches Litestar's middleware),
timed and counted for /metrics, given a request id (`X-Request-ID`, kept from the client when it
is a plain token, else new), and — with DONDOC_LOG_FORMAT=json — logged as one line."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from litestar.datastructures import MutableScopeHeaders

from web import logs
from web.metrics import Metrics

log = logging.getLogger("dondoc.request")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _incoming_id(scope: dict) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _PLAIN_ID.match(text) else None
    return None


class RequestObserver:
    """Wraps the app's ASGI handler (Litestar's own exception handling included, so the status seen
    is the one sent)."""

    def __init__(self, app: Any, metrics: Metrics, log_requests: bool) -> None:
        self.app, self.metrics, self.log_requests = app, metrics, log_requests

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = logs.request_id.set(rid)
        status = 500  # if nothing is sent at all, the server answers 500
        duration = None

        async def observed_send(message: dict) -> None:
            nonlocal status, duration
            if message["type"] == "http.response.start":
                status, duration = message["status"], time.perf_counter() - started
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            logs.request_id.reset(token)
            duration = duration if duration is not None else time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "")
            self.metrics.observe_request(method, route, status, duration)
            if self.log_requests:
                actor = scope.get("dondoc_actor")
                client = scope.get("client")
                log.info("request", extra={
                    "request_id": rid, "method": method, "route": route, "status": status,
                    "duration_ms": round(duration * 1000, 1), "user_id": getattr(actor, "id", None),
                    "client": client[0] if client else None,
                })
