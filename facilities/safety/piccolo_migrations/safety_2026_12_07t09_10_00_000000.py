from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Safety report: indexes for its grouped statements (per site and period)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    async def indexes():
        for statement in (
            # due vs on time, and the score of the submitted ones (covering on SQLite)
            "CREATE INDEX inspection_site_due ON inspection (site, due_at, submitted_at, score)",
            "CREATE INDEX inspection_site_submitted ON inspection (site, submitted_at, score)",
            # failed items raised in the period; open findings by age
            "CREATE INDEX inspection_finding_site_created"
            " ON inspection_finding (site, created_at, item_label)",
            "CREATE INDEX inspection_finding_site_status"
            " ON inspection_finding (site, status, created_at)",
            # certificates by status
            "CREATE INDEX safety_certificate_site_expiry ON safety_certificate (site, expires_on)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
