from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:33:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index: one anomaly per (meter, kind, day)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    async def indexes():
        await Table.raw(
            "CREATE UNIQUE INDEX meter_anomaly_unique ON meter_anomaly (meter, kind, day)"
        ).run()

    manager.add_raw(indexes)
    return manager
