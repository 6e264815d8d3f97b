from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "A client key names one problem report at most (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        # Reports without a key (NULL) never clash on either engine.
        await Table.raw(
            "CREATE UNIQUE INDEX problem_report_client_key ON problem_report (client_key)"
        ).run()

    manager.add_raw(indexes)
    return manager
