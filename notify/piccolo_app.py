"""Piccolo app for the outbox; its migrations live in the top-level migrations/notify/."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from notify.tables import NOTIFY_TABLES

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations" / "notify"),
    table_classes=NOTIFY_TABLES,
    migration_dependencies=["tasks.piccolo_app"],
    commands=[],
)
