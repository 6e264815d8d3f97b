from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T03:22:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique indexes: readings per (meter, time), occupancy per (site, month), factors"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX meter_reading_unique ON meter_reading (meter, read_at)",
            "CREATE INDEX meter_period_meter_dates ON meter_period (meter, starts_on, ends_on)",
            "CREATE UNIQUE INDEX occupancy_unique ON occupancy (site, month)",
            "CREATE UNIQUE INDEX emission_factor_unique"
            " ON emission_factor (carrier, region, year, method, version)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
