"""Indexes for the completion report (tasks.reports; see docs/performance.md "Completion report");
the same DDL on both engines.

- task (state, completed_on, created_at, lead_division, leader_in_charge, directive, due_on,
  missed_due_on, id): every column the report reads, led by what it splits the tasks by. The
  grouped counts read the running, the done and the other tasks as three ranges of it, index-only
  (PostgreSQL then never reads the wide task rows, and picks it because each range is a part of
  the index); the update rate reads the running tasks' ids from it, and the tasks submitted or
  confirmed after a past report day as a (state, completed_on) range that usually holds none.
- progress_report (reported_at, task): the reports of the last 7 days as a range read index-only
  (the plain reported_at index made PostgreSQL visit the table for each report).
"""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE INDEX IF NOT EXISTS task_report_ix ON task "
    "(state, completed_on, created_at, lead_division, leader_in_charge, directive, due_on, missed_due_on, id)",
    "CREATE INDEX IF NOT EXISTS progress_report_reported_task_ix ON progress_report (reported_at, task)",
]

ID = "2026-12-01T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "completion report indexes"

forwards = index_migration(ID, "tasks", DESCRIPTION, INDEXES)
