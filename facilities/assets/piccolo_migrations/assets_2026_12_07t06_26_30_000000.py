from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:26:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Device monitoring keys: one device per source name, one event per source id"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX device_monitor_source_name ON device_monitor"
            " (source, external_id)",
            "CREATE UNIQUE INDEX device_event_source_key ON device_event (source, event_key)"
            " WHERE event_key IS NOT NULL",
            "CREATE INDEX device_event_monitor_time ON device_event (monitor, received_at)",
            "CREATE INDEX device_rate_hit_key_time ON device_rate_hit (key, created_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
