from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T02:58:21:117571"
VERSION = "1.38.0"
DESCRIPTION = "Reporter key of a same-problem vote"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="maintenance", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ProblemReportVote",
        tablename="problem_report_vote",
        column_name="reporter_key",
        db_column_name="reporter_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
