from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:19:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "Inspections: unique indexes (versions, generated inspections, answers, client keys)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX inspection_template_version_unique"
            " ON inspection_template_version (template, version)",
            "CREATE UNIQUE INDEX inspection_occurrence_unique"
            " ON inspection (programme, target_key, occurrence_key)",
            "CREATE UNIQUE INDEX inspection_answer_unique ON inspection_answer (inspection, item_key)",
            "CREATE UNIQUE INDEX inspection_client_key_unique ON inspection_client_key (client_key)",
            "CREATE INDEX inspection_finding_open"
            " ON inspection_finding (target_key, item_key, status)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
