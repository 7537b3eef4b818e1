"""The task register: directives, tasks, their lifecycle, timeliness and audit trail."""
