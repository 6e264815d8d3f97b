from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:09:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "One budget per (year, category, site or region); expenses by site and day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX budget_unique"
            " ON budget (year, category, COALESCE(site, 0), COALESCE(region, 0))",
            "CREATE INDEX expense_site_day ON expense (site, spent_on)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
