from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "PostgreSQL: the calendar's index of open work orders by their agenda start also holds"
    " the start's columns, so its counts per day are index-only scans"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def index():
        from facilities import db

        if db.is_sqlite():
            return  # SQLite reads the expression from the index as it is
        # PostgreSQL answers from an expression index alone only when the expression's own
        # columns are in it too (its documented limitation): without them every order of a
        # counted day was read from the table (a month at 1,000,000 orders: 240 → 40 ms)
        for statement in (
            "DROP INDEX work_order_agenda_start",
            "CREATE INDEX work_order_agenda_start ON work_order"
            " ((coalesce(scheduled_for, due_at)), status, site, kind, partner_organisation)"
            " INCLUDE (scheduled_for, due_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(index)
    return manager
