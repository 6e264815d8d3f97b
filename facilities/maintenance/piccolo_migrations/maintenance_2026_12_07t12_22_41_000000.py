from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T12:22:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index for the dashboard's backlog: orders changed since an instant and created before it"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        # backlog, backlog age and overdue at the end of each of the dashboard's periods:
        # the orders that span that instant, from the index alone
        await Table.raw(
            "CREATE INDEX work_order_updated_created ON work_order (updated_at, created_at)"
        ).run()

    manager.add_raw(indexes)
    return manager
