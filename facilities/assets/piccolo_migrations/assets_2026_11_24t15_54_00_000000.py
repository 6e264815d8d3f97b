from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T15:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Asset indexes: unique non-empty serial numbers, status history by time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX asset_serial_unique ON asset (serial_number) "
            "WHERE serial_number <> ''",
            "CREATE INDEX asset_status_change_asset_time ON asset_status_change (asset, changed_at)",
            "CREATE INDEX qr_scan_code_time ON qr_scan (qr_code, scanned_at)",
            "CREATE INDEX asset_category_idx ON asset (category)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
