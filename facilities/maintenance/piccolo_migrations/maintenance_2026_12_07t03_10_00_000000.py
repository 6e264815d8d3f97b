from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The language of the page a problem was reported from (for the reporter's e-mails)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="maintenance", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ProblemReport",
        tablename="problem_report",
        column_name="reporter_locale",
        db_column_name="reporter_locale",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 5,
            "default": "",
            "null": False,
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
