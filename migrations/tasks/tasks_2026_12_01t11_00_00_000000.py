"""Indexes for the task list, its totals and the overdue figures (chosen with EXPLAIN on PostgreSQL,
see docs/performance.md "Query plans"); the same DDL on both engines.

- task (due_on, id): the list's order `due_on NULLS LAST, id` read straight from the index
  (PostgreSQL puts NULLs last in an ascending index), so a page stops after its rows.
- task (COALESCE(missed_due_on, due_on), missed_due_on, due_on) WHERE state IN ('in_progress',
  'open'): the running tasks by counted deadline, so overdue / due soon / on track are index
  ranges (tasks.classify), counted by an index-only scan (the plain columns make it index-only on
  PostgreSQL, which does not read an expression back from the index).
- task (missed_due_on) WHERE missed_due_on IS NOT NULL: the span of counted deadlines
  (tasks.classify.deadline_span) in a probe of a tiny index.
- task (completed_on, missed_due_on, due_on) WHERE state = 'submitted': the submitted tasks, each
  judged as of its own submission day, read index-only to count them.
- task_support (division, task): the tasks a division supports, index-only, for the division filter
  and its total.
- task (lead_division, due_on, id): a division's own tasks in list order.
"""

from migrations.raw_indexes import index_migration

INDEXES = [
    "CREATE INDEX IF NOT EXISTS task_due_on_id_ix ON task (due_on, id)",
    "CREATE INDEX IF NOT EXISTS task_running_counted_ix ON task (COALESCE(missed_due_on, due_on), missed_due_on, due_on) "
    "WHERE state IN ('in_progress', 'open')",
    "CREATE INDEX IF NOT EXISTS task_submitted_ix ON task (completed_on, missed_due_on, due_on) WHERE state = 'submitted'",
    "CREATE INDEX IF NOT EXISTS task_missed_due_on_ix ON task (missed_due_on) WHERE missed_due_on IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS task_support_division_task_ix ON task_support (division, task)",
    "CREATE INDEX IF NOT EXISTS task_lead_division_due_on_ix ON task (lead_division, due_on, id)",
]

ID = "2026-12-01T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "task list indexes"

forwards = index_migration(ID, "tasks", DESCRIPTION, INDEXES)
