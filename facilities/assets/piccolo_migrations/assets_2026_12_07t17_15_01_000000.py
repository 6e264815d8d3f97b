from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T17:15:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "The assets' newest change from an index (the agenda's version stamp reads it)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def indexes():
        await Table.raw("CREATE INDEX asset_updated ON asset (updated_at)").run()

    manager.add_raw(indexes)
    return manager
