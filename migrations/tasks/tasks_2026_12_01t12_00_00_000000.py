"""Indexes for the completion report's update rate (tasks.reports._updated_sql; see
docs/performance.md "Completion report"); the same DDL on both engines.

- progress_report (reported_at, task): the reports of the last 7 days as an index range read
  index-only (the plain reported_at index made PostgreSQL visit the table for each report).
- task (id, lead_division, leader_in_charge, directive, created_at) WHERE running: the open and in
  progress tasks with what the report groups and filters them by, index-only, so the update rate
  does not read every task to find them.
- task (state, completed_on): the tasks submitted or confirmed after the report's day (as of a past
  day still in their division's hands), a range probe that usually finds none.

The running states are spelled out, not built from tasks.state: a migration is the DDL as it ran
then; tests/unit/test_report_sql.py fails if the report's own condition stops matching it.
"""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE INDEX IF NOT EXISTS progress_report_reported_task_ix ON progress_report (reported_at, task)",
    "CREATE INDEX IF NOT EXISTS task_running_report_ix ON task (id, lead_division, leader_in_charge, directive, created_at) "
    "WHERE state IN ('in_progress', 'open')",
    "CREATE INDEX IF NOT EXISTS task_state_completed_on_ix ON task (state, completed_on)",
]

ID = "2026-12-01T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "completion report indexes"

forwards = index_migration(ID, "tasks", DESCRIPTION, INDEXES)
