"""Piccolo app for the web's own tables; migrations in the top-level migrations/web/."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from web.tables import WEB_TABLES

APP_CONFIG = AppConfig(
    app_name="web",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations" / "web"),
    table_classes=WEB_TABLES,
    migration_dependencies=["tasks.piccolo_app"],
    commands=[],
)
