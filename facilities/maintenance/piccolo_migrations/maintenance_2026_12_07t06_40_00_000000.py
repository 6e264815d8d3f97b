from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Device monitoring: one open monitoring work order per device / site uplink"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        await Table.raw(
            "CREATE UNIQUE INDEX work_order_monitoring_open ON work_order (occurrence_key)"
            " WHERE origin = 'monitoring' AND status IN"
            " ('open', 'assigned', 'accepted', 'in_progress', 'on_hold')"
        ).run()

    manager.add_raw(indexes)
    return manager
