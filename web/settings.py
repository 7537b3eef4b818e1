"""One frozen settings object, parsed strictly from the environment (and `.env`) at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///var/dondoc.sqlite3"
DEV_SECRET_KEY = "dondoc-development-secret-do-not-use-in-production"


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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
        )
