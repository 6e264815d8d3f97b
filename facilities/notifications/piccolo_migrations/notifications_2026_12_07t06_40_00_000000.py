from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-07T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "An e-mail in the outbox may carry one attachment (a report's PDF)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)
    for name, length in (
        ("attachment_key", 80),
        ("attachment_name", 200),
        ("attachment_type", 100),
    ):
        manager.add_column(
            table_class_name="OutboxMessage",
            tablename="outbox_message",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={"length": length, "default": None, "null": True},
            schema=None,
        )
    return manager
