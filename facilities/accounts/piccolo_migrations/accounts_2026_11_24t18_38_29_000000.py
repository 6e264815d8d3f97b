from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T18:38:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique partner trades and service areas (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX partner_trade_key ON partner_trade (partner_organisation, trade)",
            "CREATE UNIQUE INDEX partner_service_area_key "
            "ON partner_service_area (partner_organisation, kind, ref_id)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
