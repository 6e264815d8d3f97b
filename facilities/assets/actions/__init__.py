"""Writes of the assets domain: one transaction each, scoped, audited.

QR code writes (issue, re-issue, revoke, batches, claims) live in ``facilities.assets.codes``;
the CSV import in ``facilities.assets.csv_io``."""

from facilities.assets.actions._assets import (
    change_status,
    clear_lockout,
    clear_lockout_by_rule,
    create_asset,
    lock_out,
    lock_out_by_rule,
    record_monitored_status,
    record_status,
    update_asset,
)
from facilities.assets.actions._categories import (
    create_category,
    delete_category,
    update_category,
)
from facilities.assets.actions._files import (
    add_file,
    clean_filename,
    delete_file,
    set_primary_photo,
)

__all__ = [
    "add_file",
    "change_status",
    "clean_filename",
    "clear_lockout",
    "clear_lockout_by_rule",
    "create_asset",
    "create_category",
    "delete_category",
    "delete_file",
    "lock_out",
    "lock_out_by_rule",
    "record_monitored_status",
    "record_status",
    "set_primary_photo",
    "update_asset",
    "update_category",
]
