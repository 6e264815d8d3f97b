from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T11:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PM compliance's maintained totals per site and day / month, backfilled (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def summary():
        from facilities import db
        from facilities.maintenance.pm import compliance_summary

        for statement in compliance_summary.ddl(db.is_sqlite()):
            await Table.raw(statement).run()
        await compliance_summary.rebuild()

    manager.add_raw(summary)
    return manager
