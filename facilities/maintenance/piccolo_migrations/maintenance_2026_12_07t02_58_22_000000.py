from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T02:58:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "One same-problem vote per reporter and report (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        # NULL keys (votes from before this migration) never clash on either engine.
        await Table.raw(
            "CREATE UNIQUE INDEX problem_report_vote_reporter_key "
            "ON problem_report_vote (report, reporter_key)"
        ).run()

    manager.add_raw(indexes)
    return manager
