"""Index migrations (and migrations of raw statements) as raw SQL, for every app. Piccolo's Unique emits ALTER TABLE … ADD CONSTRAINT,
which SQLite rejects, and ON CONFLICT needs a unique index on both engines. Raw steps run before a
migration's table steps, so indexes always come in a migration of their own, built here."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


def _index_name(create_sql: str) -> str:
    return create_sql.split(" IF NOT EXISTS ")[1].split(" ")[0]


def index_migration(migration_id: str, app_name: str, description: str, indexes: list[str]):
    """The `forwards` of a migration that creates `indexes` (each `CREATE [UNIQUE] INDEX IF NOT
    EXISTS name ON …`) and, backwards, drops them."""

    def create(sql: str):
        async def run():
            await Table.raw(sql).run()

        return run

    async def drop_all():
        for sql in indexes:
            await Table.raw(f"DROP INDEX IF EXISTS {_index_name(sql)}").run()

    async def forwards():
        manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)
        for sql in indexes:
            manager.add_raw(create(sql))
        manager.add_raw_backwards(drop_all)
        return manager

    return forwards


def statements_migration(migration_id: str, app_name: str, description: str, forwards: list[str], backwards: list[str],
                         engine: str | None = None):
    """The `forwards` of a migration of raw statements, run in order (and `backwards` in order to
    undo it). `{serial}` stands for an auto-numbered primary key on either engine. With `engine`
    ("postgres" or "sqlite") the statements run on that engine only (the migration is still
    recorded on the other, doing nothing)."""
    from piccolo.engine.finder import engine_finder

    def steps(statements: list[str]):
        async def run() -> None:
            if engine is not None and engine_finder().engine_type != engine:
                return
            serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if engine_finder().engine_type == "sqlite" else "SERIAL PRIMARY KEY"
            for sql in statements:
                await Table.raw(sql.replace("{serial}", serial)).run()

        return run

    async def migration():
        manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)
        manager.add_raw(steps(forwards))
        manager.add_raw_backwards(steps(backwards))
        return manager

    return migration
