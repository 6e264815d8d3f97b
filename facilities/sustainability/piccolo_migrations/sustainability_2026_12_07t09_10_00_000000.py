from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "interval_import: hash of the file's head and its size (a repeated file is known early)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    manager.add_column(
        table_class_name="IntervalImport",
        tablename="interval_import",
        column_name="head_sha256",
        db_column_name="head_sha256",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="IntervalImport",
        tablename="interval_import",
        column_name="size",
        db_column_name="size",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
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
