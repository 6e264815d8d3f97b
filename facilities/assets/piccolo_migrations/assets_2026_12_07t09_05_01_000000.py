from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T09:05:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index: a target's labels (target_kind, target_id)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def indexes():
        await Table.raw(
            "CREATE INDEX qr_code_target ON qr_code (target_kind, target_id)"
        ).run()

    manager.add_raw(indexes)
    return manager
