"""Indexes for the web tables, as raw SQL in a migration of their own (raw steps run before a
migration's table steps). The session token is unique; attempts are counted by username and by
address over a recent window."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS web_session_token_hash_uq ON web_session (token_hash)",
    "CREATE INDEX IF NOT EXISTS login_attempt_username_at_ix ON login_attempt (username, at)",
    "CREATE INDEX IF NOT EXISTS login_attempt_address_at_ix ON login_attempt (address, at)",
]
INDEX_NAMES = [sql.split(" IF NOT EXISTS ")[1].split(" ")[0] for sql in INDEXES]


def _raw(sql):
    async def run():
        await Table.raw(sql).run()

    return run


async def _drop_indexes():
    for name in INDEX_NAMES:
        await Table.raw(f"DROP INDEX IF EXISTS {name}").run()


ID = "2026-11-27T14:46:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "web indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="web", description=DESCRIPTION)
    for sql in INDEXES:
        manager.add_raw(_raw(sql))
    manager.add_raw_backwards(_drop_indexes)
    return manager
