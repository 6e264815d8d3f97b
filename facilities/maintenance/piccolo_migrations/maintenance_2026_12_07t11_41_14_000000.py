from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T11:41:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index for the dashboard's repair figures (MTTR, first-time fix): completions in a period"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        # MTTR and first-time fix read the repairs completed in each of the dashboard's eight
        # periods: one index range each instead of a scan of every work order
        await Table.raw(
            "CREATE INDEX work_order_completed ON work_order (completed_at, kind, status, site)"
        ).run()

    manager.add_raw(indexes)
    return manager
