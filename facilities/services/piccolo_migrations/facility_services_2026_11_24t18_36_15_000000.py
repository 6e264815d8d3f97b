from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T18:36:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique indexes: contract sites, plan sites, visits per (plan, site, occurrence)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="facility_services", description=DESCRIPTION
    )

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX service_contract_site_unique"
            " ON service_contract_site (contract, site)",
            "CREATE UNIQUE INDEX service_visit_plan_site_unique"
            " ON service_visit_plan_site (plan, site)",
            "CREATE UNIQUE INDEX service_visit_occurrence_unique"
            " ON service_visit (plan, site, occurrence_key)",
            "CREATE INDEX service_visit_status_window ON service_visit (status, window_end)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
