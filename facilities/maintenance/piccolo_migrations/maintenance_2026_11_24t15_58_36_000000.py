from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T15:58:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes: rate-limit hits by key and time; open reports per asset"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE INDEX rate_limit_hit_key_time ON rate_limit_hit (key, created_at)",
            "CREATE INDEX problem_report_asset_status ON problem_report (asset, status)",
            "CREATE INDEX problem_report_site_status ON problem_report (site, status)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
