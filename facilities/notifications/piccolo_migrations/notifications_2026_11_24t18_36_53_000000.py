from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-24T18:36:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "Outbox dedupe key, claim and preference indexes (raw SQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX outbox_message_dedupe ON outbox_message (dedupe_key)",
            "CREATE INDEX outbox_message_due ON outbox_message (status, next_attempt_at)",
            "CREATE UNIQUE INDEX notification_preference_key "
            "ON notification_preference (\"user\", event)",
            "CREATE UNIQUE INDEX notification_digest_item_dedupe "
            "ON notification_digest_item (dedupe_key)",
            "CREATE INDEX notification_digest_item_pending "
            "ON notification_digest_item (\"user\", digested_at)",
        ):
            await Table.raw(statement).run()

    manager.add_raw(indexes)
    return manager
