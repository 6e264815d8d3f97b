from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T14:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Repairs' maintained totals per UTC day, site and kind (MTTR, first-time fix), backfilled (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def summary():
        from facilities import db
        from facilities.maintenance.workorders import repair_summary

        for statement in repair_summary.ddl(db.is_sqlite()):
            await Table.raw(statement).run()
        await repair_summary.rebuild()
        await Table.raw(f"ANALYZE {repair_summary.TABLE}").run()

    manager.add_raw(summary)
    return manager
