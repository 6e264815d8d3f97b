from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T05:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Safety: one completion per person, training and day; certificate lookups"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX safety_training_completion_unique"
            " ON safety_training_completion (subject, training_type, completed_on)",
            "CREATE INDEX safety_certificate_site_type"
            " ON safety_certificate (site, certificate_type)",
            "CREATE INDEX safety_incident_site_time ON safety_incident (site, occurred_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
