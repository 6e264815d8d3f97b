from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T05:52:18:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Unique indexes: intervals per (meter, start), monthly figures per (meter, month),"
    " a reading's offline-queue key per meter; the stored monthly figures of existing meters"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX meter_interval_unique ON meter_interval (meter, starts_at)",
            "CREATE UNIQUE INDEX meter_month_unique ON meter_month (meter, month)",
            "CREATE UNIQUE INDEX meter_reading_client_key ON meter_reading (meter, client_key)",
        ):
            await Table.raw(statement).run()

    async def stored_months():
        # Meters that existed before: their monthly figures, computed once.
        from facilities.sustainability.monthly import refresh_all

        await refresh_all()

    manager.add_raw(indexes)
    manager.add_raw(stored_months)
    return manager
