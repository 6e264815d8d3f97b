from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "One meter model: asset meter readings leave maintenance (kept in meter_reading_move "
    "until the sustainability migration of 2026-12-07T11:50:01 turns them into meters)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def keep_rows():
        # Maintenance runs before sustainability, whose tables may not exist yet: the rows
        # wait in a plain table (both engines) that sustainability's migration empties.
        await Table.raw(
            "CREATE TABLE meter_reading_move AS SELECT id, asset, value, read_at,"
            " replacement, entered_by, note, created_at FROM asset_meter_reading"
        ).run()

    manager.add_raw(keep_rows)  # raw steps run before the table is dropped
    manager.drop_table(class_name="MeterReading", tablename="asset_meter_reading")
    return manager
