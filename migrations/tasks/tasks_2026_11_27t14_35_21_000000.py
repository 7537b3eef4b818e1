"""Unique and composite indexes, as raw SQL: Piccolo's Unique constraint emits ALTER TABLE …
ADD CONSTRAINT, which SQLite rejects, and ON CONFLICT needs a unique index on both engines.
(Raw steps run before a migration's table steps, hence a migration of their own.)"""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS division_code_uq ON division (code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS app_user_username_uq ON app_user (username)",
    "CREATE UNIQUE INDEX IF NOT EXISTS directive_issuer_number_uq ON directive (issuer, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS task_support_task_division_uq ON task_support (task, division)",
    "CREATE UNIQUE INDEX IF NOT EXISTS calendar_day_day_uq ON calendar_day (day)",
    "CREATE UNIQUE INDEX IF NOT EXISTS setting_key_uq ON setting (key)",
    "CREATE INDEX IF NOT EXISTS task_state_due_on_ix ON task (state, due_on)",
    "CREATE INDEX IF NOT EXISTS audit_event_task_id_ix ON audit_event (task, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_entity_ix ON audit_event (entity_type, entity_id)",
    "CREATE INDEX IF NOT EXISTS progress_report_task_ix ON progress_report (task, reported_at)",
]

ID = "2026-11-27T14:35:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

forwards = index_migration(ID, "tasks", DESCRIPTION, INDEXES)
