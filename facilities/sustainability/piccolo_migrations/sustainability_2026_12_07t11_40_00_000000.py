from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from facilities.sustainability.actions import backfill_meter_codes

ID = "2026-12-07T11:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Label codes for meters made before meters had labels (printing then only reads)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    async def backfill():
        await backfill_meter_codes(actor=None)

    manager.add_raw(backfill)
    return manager
