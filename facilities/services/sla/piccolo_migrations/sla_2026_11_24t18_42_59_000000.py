from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T18:42:59:000000"
VERSION = "1.38.0"
DESCRIPTION = "SLA unique indexes: one policy per scope, one outcome per target, one escalation"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sla", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX sla_policy_scope_unique"
            " ON sla_policy (COALESCE(contract, 0), priority, COALESCE(trade, ''))",
            "CREATE UNIQUE INDEX sla_outcome_unique ON sla_outcome (work_order, target)",
            "CREATE UNIQUE INDEX sla_escalation_unique"
            " ON sla_escalation (work_order, target, level)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
