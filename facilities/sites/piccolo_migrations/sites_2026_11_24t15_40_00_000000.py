from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite unique indexes (raw SQL: Piccolo's constraints fail on SQLite)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sites", description=DESCRIPTION)

    async def unique_indexes():
        for statement in (
            'CREATE UNIQUE INDEX site_assignment_user_site ON site_assignment ("user", site)',
            'CREATE UNIQUE INDEX region_assignment_user_region ON region_assignment ("user", region)',
            "CREATE UNIQUE INDEX site_closure_day_site_day ON site_closure_day (site, day)",
            "CREATE UNIQUE INDEX space_site_parent_name ON space (site, COALESCE(parent, 0), name)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(unique_indexes)
    return manager
