from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T17:15:02:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Indexes for the inspections' agenda version (polled by every calendar feed): the newest"
    " start and submission read from an index's end (open ones are counted on the status index)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE INDEX inspection_started ON inspection (started_at)",
            "CREATE INDEX inspection_submitted ON inspection (submitted_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
