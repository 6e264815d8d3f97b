from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One delivery per ticket and endpoint; one row per endpoint and site"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="integrations", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX inbound_ticket_key ON inbound_ticket (endpoint, external_id)",
            "CREATE UNIQUE INDEX ticket_endpoint_site_key ON ticket_endpoint_site (endpoint, site)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
