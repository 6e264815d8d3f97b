from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T11:42:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "A work order records that it was ever completed / reopened; scorecards read a"
    " partner's orders of a period from one covering index (raw SQL)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def columns():
        for statement in (
            "ALTER TABLE work_order ADD COLUMN completed_once BOOLEAN NOT NULL DEFAULT false",
            "ALTER TABLE work_order ADD COLUMN reopened_once BOOLEAN NOT NULL DEFAULT false",
            "UPDATE work_order SET completed_once = true WHERE id IN"
            " (SELECT work_order FROM work_order_event WHERE action = 'complete')",
            "UPDATE work_order SET reopened_once = true WHERE id IN"
            " (SELECT work_order FROM work_order_event WHERE action = 'reopen')",
            # scorecards: counts, durations and first-time fixes of a partner's orders
            # created in a period, without visiting the rows (was: partner, created_at)
            "DROP INDEX work_order_partner_created",
            "CREATE INDEX work_order_partner_created ON work_order (partner_organisation,"
            " created_at, accepted_at, completed_at, completed_once, reopened_once)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(columns)
    return manager
