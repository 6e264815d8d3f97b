from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Roll-outs: one row per site and roll-out"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        await Table.raw(
            "CREATE UNIQUE INDEX rollout_site_once ON rollout_site (rollout, site)"
        ).run()

    manager.add_raw(indexes)
    return manager
