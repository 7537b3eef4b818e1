"""One frozen settings object, parsed strictly from the environment (and `.env`) at start-up."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///var/dondoc.sqlite3"
DEFAULT_METRICS_ALLOW = "127.0.0.0/8, ::1"
DEV_SECRET_KEY = "dondoc-development-secret-do-not-use-in-production"


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow_list(value: str) -> tuple[Network, ...]:
    """`127.0.0.1, 10.0.0.0/8, ::1` → networks; ValueError naming the bad entry."""
    networks = []
    for part in value.split(","):
        part = part.strip()
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"not an IP address or network: {part!r}") from None
    return tuple(networks)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekly(value: str) -> tuple[str, int, int] | None:
    """"fri 14:00" → ("fri", 14, 0); anything else → None."""
    parts = value.split()
    if len(parts) != 2 or parts[0] not in WEEKDAYS:
        return None
    hour, _, minute = parts[1].partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        return None
    return parts[0], int(hour), int(minute)


class SettingsError(ValueError):
    """A bad configuration value; its message is the one line shown at start-up."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    smtp_url: str | None = None
    mail_from: str = "dondoc <dondoc@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Ho_Chi_Minh"
    secret_key: str = DEV_SECRET_KEY
    due_soon_days: int = 3
    # An extension must be asked for at least this many working days before the deadline (0: up to
    # the deadline day itself).
    extension_notice_days: int = 0
    token_ttl_hours: int = 12
    # The in-process escalation scheduler. Off when the dataclass is built directly (tests, tools);
    # from the environment it is on unless DONDOC_SCHEDULER=off.
    scheduler: bool = False
    # "text" (uvicorn's lines) or "json" (one JSON object a line, web.logs).
    log_format: str = "text"
    # Who may read GET /metrics: IP addresses or networks, comma separated.
    metrics_allow: str = DEFAULT_METRICS_ALLOW
    # How long emails claimed by an instance that died wait before another instance sends them.
    outbox_lease_minutes: int = 10
    # When the heads are asked to report on the tasks nobody updated for a week: "fri 14:00"
    # (a weekday and a time, province time), or "off".
    update_request: str = "fri 14:00"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def metrics_networks(self) -> tuple[Network, ...]:
        return parse_allow_list(self.metrics_allow)

    @property
    def outbox_lease(self) -> timedelta:
        return timedelta(minutes=self.outbox_lease_minutes)

    @property
    def uses_development_key(self) -> bool:
        """The key in this file is public: anyone can forge sessions and API tokens with it."""
        return self.secret_key == DEV_SECRET_KEY

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> "Settings":
        values: dict[str, str] = {}
        if env is None:
            if dotenv is not None and dotenv.is_file():
                from dotenv import dotenv_values

                values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
            values.update(os.environ)
        else:
            values.update(env)

        def get(name: str, default: str | None = None) -> str | None:
            file_path = values.get(f"DONDOC_{name}_FILE")
            if file_path:
                try:
                    return Path(file_path).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise SettingsError(f"DONDOC_{name}_FILE: cannot read {file_path}: {exc.strerror}") from exc
            value = values.get(f"DONDOC_{name}")
            return value if value not in (None, "") else default

        database_url = get("DATABASE_URL", DEFAULT_DATABASE_URL)
        if urlparse(database_url).scheme not in ("sqlite", "postgresql", "postgres"):
            raise SettingsError(
                f"DONDOC_DATABASE_URL: expected sqlite:///path or postgresql://…, got {database_url!r}"
            )
        smtp_url = get("SMTP_URL")
        if smtp_url and urlparse(smtp_url).scheme not in ("smtp", "smtps"):
            raise SettingsError(f"DONDOC_SMTP_URL: expected smtp://host:port or smtps://…, got {smtp_url!r}")
        base_url = get("BASE_URL", cls.base_url).rstrip("/")
        if urlparse(base_url).scheme not in ("http", "https"):
            raise SettingsError(f"DONDOC_BASE_URL: expected http(s)://…, got {base_url!r}")
        tz = get("TIMEZONE", cls.timezone)
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"DONDOC_TIMEZONE: unknown time zone {tz!r}") from exc
        due_soon = get("DUE_SOON_DAYS", str(cls.due_soon_days))
        if not due_soon.isdigit() or not 0 <= int(due_soon) <= 60:
            raise SettingsError(f"DONDOC_DUE_SOON_DAYS: expected a whole number 0–60, got {due_soon!r}")
        notice = get("EXTENSION_NOTICE_DAYS", str(cls.extension_notice_days))
        if not notice.isdigit() or not 0 <= int(notice) <= 60:
            raise SettingsError(f"DONDOC_EXTENSION_NOTICE_DAYS: expected a whole number 0–60, got {notice!r}")
        scheduler = (get("SCHEDULER", "on") or "on").lower()
        if scheduler not in ("on", "off"):
            raise SettingsError(f"DONDOC_SCHEDULER: expected on or off, got {scheduler!r}")
        secret_key = get("SECRET_KEY", DEV_SECRET_KEY)
        if len(secret_key) < 16:
            raise SettingsError("DONDOC_SECRET_KEY: must be at least 16 characters")
        log_format = (get("LOG_FORMAT", cls.log_format) or cls.log_format).lower()
        if log_format not in ("text", "json"):
            raise SettingsError(f"DONDOC_LOG_FORMAT: expected text or json, got {log_format!r}")
        metrics_allow = get("METRICS_ALLOW", DEFAULT_METRICS_ALLOW)
        try:
            parse_allow_list(metrics_allow)
        except ValueError as exc:
            raise SettingsError(f"DONDOC_METRICS_ALLOW: {exc}") from None
        lease = get("OUTBOX_LEASE_MINUTES", str(cls.outbox_lease_minutes))
        if not lease.isdigit() or not 1 <= int(lease) <= 60:
            raise SettingsError(f"DONDOC_OUTBOX_LEASE_MINUTES: expected a whole number 1–60, got {lease!r}")
        update_request = (get("UPDATE_REQUEST", cls.update_request) or cls.update_request).strip().lower()
        if update_request != "off" and parse_weekly(update_request) is None:
            raise SettingsError(f"DONDOC_UPDATE_REQUEST: expected a weekday and a time such as \"fri 14:00\", or off; got {update_request!r}")
        return cls(
            database_url=database_url,
            smtp_url=smtp_url,
            mail_from=get("MAIL_FROM", cls.mail_from),
            base_url=base_url,
            timezone=tz,
            secret_key=secret_key,
            due_soon_days=int(due_soon),
            extension_notice_days=int(notice),
            scheduler=scheduler == "on",
            log_format=log_format,
            metrics_allow=metrics_allow,
            outbox_lease_minutes=int(lease),
            update_request=update_request,
        )
