from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T16:17:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Idempotency keys and composite indexes for work orders and PM (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX pm_occurrence_key ON pm_occurrence (schedule, asset, occurrence_key)",
            "CREATE UNIQUE INDEX checklist_template_version_key "
            "ON checklist_template_version (template, version)",
            "CREATE UNIQUE INDEX pm_schedule_site_key ON pm_schedule_site (schedule, site)",
            "CREATE INDEX work_order_partner_status ON work_order (partner_organisation, status)",
            "CREATE INDEX work_order_site_status ON work_order (site, status)",
            "CREATE INDEX asset_meter_reading_asset_time ON asset_meter_reading (asset, read_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
