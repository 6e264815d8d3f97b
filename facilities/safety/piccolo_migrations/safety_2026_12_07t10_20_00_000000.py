from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "An inspection programme for every site of a kind (coworking space, field site)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    manager.add_column(
        table_class_name="InspectionProgramme",
        tablename="inspection_programme",
        column_name="site_kind",
        db_column_name="site_kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
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
