"""Piccolo app for the task register; its migrations live in the top-level migrations/tasks/."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tasks.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="tasks",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations" / "tasks"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
