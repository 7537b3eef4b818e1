"""DONDOC_LOG_FORMAT=json: every log line one JSON object (time, level, logger, message, the request
id of the request it was written in, and the fields the record carries, e.g. the request log's
route, status, duration and user id). Nothing here reads a request's body, headers or query: a
password or token never reaches a log line."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse, urlunparse

# The id of the request being handled (web.observe sets it), so every line written while handling
# it — an error's traceback too — names it.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("dondoc_request_id", default=None)

# The extra fields a record may carry into the JSON object (logging.Logger.info(…, extra={…})).
FIELDS = ("method", "route", "status", "duration_ms", "user_id", "client")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        for name in FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's `log_config` for `dondoc serve`; None keeps uvicorn's own (text) configuration."""
    if log_format != "json":
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "web.logs.JsonFormatter"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["stdout"], "level": "INFO"},
        "loggers": {
            # uvicorn's lines go to the root's JSON handler; its access log gives way to dondoc.request.
            "uvicorn": {"handlers": [], "propagate": True, "level": "INFO"},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": "INFO"},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # APScheduler logs every run of the minute's job at INFO.
            "apscheduler": {"level": "WARNING"},
        },
    }


def startup_line(settings_log_format: str, message: str) -> str:
    """A line `dondoc serve` prints before logging is set up: plain text, or one JSON object."""
    if settings_log_format != "json":
        return message
    record = logging.LogRecord("dondoc", logging.INFO, __file__, 0, message, None, None)
    return JsonFormatter().format(record)


def redacted_url(url: str) -> str:
    """A database URL fit to print: its password, if any, replaced by ***."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return urlunparse(parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)))
