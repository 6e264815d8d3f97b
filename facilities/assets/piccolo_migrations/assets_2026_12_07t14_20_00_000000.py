from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Device monitoring spans: when each device was monitored"

# Existing monitors: monitored since they were created; a disabled one until the last event
# it sent (nothing better is known of when it was disabled), else not at all.
BACKFILL = (
    "INSERT INTO device_monitor_span (monitor, started_at, ended_at)"
    " SELECT id, created_at, CASE WHEN enabled THEN NULL"
    " WHEN last_event_at IS NOT NULL AND last_event_at > created_at THEN last_event_at"
    " ELSE created_at END FROM device_monitor"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def spans():
        from facilities import db

        key = "INTEGER PRIMARY KEY NOT NULL" if db.is_sqlite() else "SERIAL PRIMARY KEY"
        statements = [
            f"CREATE TABLE device_monitor_span (id {key},"
            " monitor INTEGER NOT NULL REFERENCES device_monitor (id) ON DELETE CASCADE"
            " ON UPDATE CASCADE, started_at TIMESTAMPTZ NOT NULL,"
            " ended_at TIMESTAMPTZ DEFAULT NULL)"
        ]
        statements += [
            "CREATE INDEX device_monitor_span_monitor ON device_monitor_span (monitor)",
            BACKFILL,
        ]
        for statement in statements:
            await Table.raw(statement).run()

    manager.add_raw(spans)
    return manager
