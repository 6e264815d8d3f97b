from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "qr_code: labels of upper domains' things (a meter): target_kind, target_id"

_PARAMS = {
    "default": None,
    "null": True,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="assets", description=DESCRIPTION)
    manager.add_column(
        table_class_name="QrCode",
        tablename="qr_code",
        column_name="target_kind",
        db_column_name="target_kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 20, **_PARAMS},
        schema=None,
    )
    manager.add_column(
        table_class_name="QrCode",
        tablename="qr_code",
        column_name="target_id",
        db_column_name="target_id",
        column_class_name="Integer",
        column_class=Integer,
        params=_PARAMS,
        schema=None,
    )
    return manager
