"""Weekly capacity (minutes) of partner organisations and users, for capacity planning.
Only these two columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "weekly capacity of partners and users"

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
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    for class_name, table in (("PartnerOrganisation", "partner_organisation"), ("User", "app_user")):
        manager.add_column(
            table_class_name=class_name,
            tablename=table,
            column_name="weekly_capacity_minutes",
            db_column_name="weekly_capacity_minutes",
            column_class_name="Integer",
            column_class=Integer,
            params=dict(_PARAMS),
            schema=None,
        )
    return manager
