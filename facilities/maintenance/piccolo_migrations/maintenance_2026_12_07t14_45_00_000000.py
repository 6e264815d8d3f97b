from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T14:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "The agenda's planned occurrences kept in the database (pm_planned, pm_planned_pair, "
    "pm_planned_state; raw SQL, filled by the first refresh)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def planned():
        from facilities import db
        from facilities.maintenance.pm import planned

        for statement in planned.ddl(db.is_sqlite()):
            await Table.raw(statement).run()

    manager.add_raw(planned)
    return manager
