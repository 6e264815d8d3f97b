from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T12:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: the quiet heartbeat as one function call (one round trip)"

# ``monitoring.actions._ingest._quiet_delivery`` on PostgreSQL, in one statement: the source
# still as authenticated (generation, kind, active), the per-source rate limit checked and
# hit under its advisory lock (``kit.ratelimit``), the monitor's quiet UPDATE
# (``_state.quiet_step``). A VOLATILE function takes a fresh snapshot for each statement
# after the lock, so the count is exact under concurrency (a CTE's snapshot would predate
# the lock). Returns 0 (written), 1 (source changed: nothing written), 2 (limit reached:
# nothing written), 3 (not a quiet heartbeat: nothing written).
FUNCTION = """
CREATE OR REPLACE FUNCTION device_quiet_heartbeat(
    p_source integer, p_generation integer, p_kind text, p_key text, p_now timestamptz,
    p_since timestamptz, p_limit integer, p_device text, p_at timestamptz, p_up text,
    p_retired text
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM 1 FROM device_source
        WHERE id = p_source AND generation = p_generation AND kind = p_kind AND active;
    IF NOT FOUND THEN
        RETURN 1;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext(p_key));
    IF (SELECT count(*) FROM device_rate_hit WHERE key = p_key AND created_at > p_since)
            >= p_limit THEN
        RETURN 2;
    END IF;
    UPDATE device_monitor SET last_heartbeat_at = CASE WHEN last_heartbeat_at IS NULL
            OR last_heartbeat_at < p_at THEN p_at ELSE last_heartbeat_at END,
        last_event_at = p_now, version = version + 1
        WHERE source = p_source AND external_id = p_device AND enabled AND state = p_up
            AND pending IS NULL AND EXISTS (SELECT 1 FROM asset a
                WHERE a.id = device_monitor.asset AND a.status <> p_retired);
    IF NOT FOUND THEN
        RETURN 3;
    END IF;
    INSERT INTO device_rate_hit (key, created_at) VALUES (p_key, p_now);
    RETURN 0;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)

    async def function():
        from facilities import db

        if not db.is_sqlite():  # SQLite runs the same steps in one trip to its writer
            await Table.raw(FUNCTION).run()

    manager.add_raw(function)
    return manager
