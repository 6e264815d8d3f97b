"""Asset register, categories, status history, files, QR codes and scans."""

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LazyTableReference,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User
from facilities.sites.tables import Site, Space


class AssetCategory(Table, tablename="asset_category"):
    """Ops-managed list (coffee machine, access point, fire extinguisher …) with an icon."""

    id: Serial
    name = Varchar(length=120, unique=True, null=False)
    icon = Varchar(length=40, default="box")
    description = Text(default="")
    # The default trade (``accounts.enums.Trade``) of work on assets of this category.
    trade = Varchar(length=30, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Asset(Table, tablename="asset"):
    id: Serial
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    space = ForeignKey(Space, null=True, default=None, on_delete=OnDelete.set_null)
    # Indexed in a raw migration: Piccolo would name the index "asset_category",
    # which collides with the table of that name on SQLite.
    category = ForeignKey(AssetCategory, null=True, default=None, on_delete=OnDelete.restrict)
    parent: ForeignKey = ForeignKey(
        LazyTableReference("Asset", module_path="facilities.assets.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    name = Varchar(length=200, null=False)
    manufacturer = Varchar(length=120, default="")
    model = Varchar(length=120, default="")
    serial_number = Varchar(length=120, default="", index=True)
    install_date = Date(null=True, default=None)
    warranty_end = Date(null=True, default=None, index=True)
    purchase_cost = Numeric(digits=(12, 2), null=True, default=None)
    criticality = Varchar(length=20, null=False, default="medium", index=True)
    status = Varchar(length=20, null=False, default="operational", index=True)
    status_changed_at = Timestamptz(default=TimestamptzNow())
    locked_out = Boolean(default=False)
    lockout_reason = Varchar(length=500, default="")
    locked_out_at = Timestamptz(null=True, default=None)
    notes = Text(default="")
    attributes = JSONB(default={})
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AssetStatusChange(Table, tablename="asset_status_change"):
    """Every status change; downtime and uptime % are computed from these intervals."""

    id: Serial
    asset = ForeignKey(Asset, null=False, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20, null=False)
    changed_at = Timestamptz(null=False, index=True)
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    note = Varchar(length=500, default="")


class AssetFile(Table, tablename="asset_file"):
    """A photo (re-encoded, EXIF stripped) or a document attached to an asset."""

    id: Serial
    asset = ForeignKey(Asset, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, null=False)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    storage_key = Varchar(length=80, unique=True, null=False)
    is_primary = Boolean(default=False)
    uploaded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class QrCode(Table, tablename="qr_code"):
    """A label code: ≥ 60 random bits, no ambiguous characters; blank until claimed."""

    id: Serial
    code = Varchar(length=24, unique=True, null=False)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=20, null=False, default="active")
    batch = Varchar(length=60, null=True, default=None, index=True)
    replaced_by = Varchar(length=24, null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    # A label of something an upper domain keeps (``target_kind`` "meter" and its id), not
    # an asset: the scan page asks ``assets.scan_targets`` where such a label leads.
    target_kind = Varchar(length=20, null=True, default=None)
    target_id = Integer(null=True, default=None)


class QrScan(Table, tablename="qr_scan"):
    """Every scan: when, which code, who (or anonymous). No IP address is stored."""

    id: Serial
    qr_code = ForeignKey(QrCode, null=False, on_delete=OnDelete.cascade, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null)
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    scanned_at = Timestamptz(null=False, index=True)
