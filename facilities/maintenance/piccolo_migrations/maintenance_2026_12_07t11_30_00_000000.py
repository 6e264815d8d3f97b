from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T11:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The agenda's window of work orders by their start (calendar, iCal feeds)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        # ``maintenance.pm.agenda``: open work orders whose planned start (else due time)
        # falls in a window, counted per site and kind for the calendar's busy days; the
        # expression is the query's own, so both engines search a range instead of scanning.
        await Table.raw(
            "CREATE INDEX work_order_agenda_start ON work_order"
            " ((coalesce(scheduled_for, due_at)), status, site, kind, partner_organisation)"
        ).run()

    manager.add_raw(indexes)
    return manager
