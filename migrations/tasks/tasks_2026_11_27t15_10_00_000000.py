"""Index for the reports' update rate: the progress reports of the last 7 days are found by time."""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE INDEX IF NOT EXISTS progress_report_reported_at_ix ON progress_report (reported_at)",
]

ID = "2026-11-27T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "progress_report reported_at index"

forwards = index_migration(ID, "tasks", DESCRIPTION, INDEXES)
