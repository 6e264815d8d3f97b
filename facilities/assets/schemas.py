"""API schemas of the assets domain (hand-written msgspec structs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from facilities.accounts.enums import Trade
from facilities.assets.enums import AssetStatus, Criticality, FileKind, QrStatus
from facilities.kit.schema import Id, Schema, Version

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=120)]
Notes = Annotated[str, msgspec.Meta(max_length=10_000)]
Cost = Annotated[float, msgspec.Meta(ge=0, le=9_999_999_999.99)]
Icon = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
StatusNote = Annotated[str, msgspec.Meta(max_length=500)]
AttributeValue = str | int | float
Attributes = dict[Annotated[str, msgspec.Meta(min_length=1, max_length=80)], AttributeValue]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]


# ---- contract with the scan page (facilities.maintenance) -----------------------------


class CodeLookup(msgspec.Struct, frozen=True, kw_only=True):
    """What a scanned code points at. ``asset_id`` is None for a blank (unclaimed) label."""

    code: str
    status: str  # "active" | "replaced" | "revoked"
    replaced_by: str | None
    asset_id: int | None
    qr_code_id: int
    # A label of an upper domain's thing (``assets.scan_targets``), e.g. ("meter", 12).
    target_kind: str | None = None
    target_id: int | None = None


class AssetCard(msgspec.Struct, frozen=True, kw_only=True):
    """The public face of an asset on the scan page: no personal data."""

    id: int
    name: str
    category_name: str | None
    category_icon: str | None
    site_id: int
    site_name: str
    site_code: str
    space_path: str | None
    status: str
    locked_out: bool
    lockout_reason: str
    primary_photo_file_id: int | None
    allow_anonymous_reports: bool


# ---- categories ----------------------------------------------------------------------


class CategoryRead(Schema):
    id: int
    name: str
    icon: str
    description: str
    asset_count: int
    trade: Trade | None = None  # the default trade of work on these assets


class CategoryCreate(Schema):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    icon: Icon = "box"
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    trade: Trade | None = None


class CategoryUpdate(Schema):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    icon: Icon | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=2000)] | msgspec.UnsetType = msgspec.UNSET
    trade: Trade | msgspec.UnsetType | None = msgspec.UNSET


# ---- assets --------------------------------------------------------------------------


class AssetRead(Schema):
    id: int
    site_id: int
    site_name: str
    site_code: str
    space_id: int | None
    space_path: str | None
    category_id: int | None
    category_name: str | None
    category_icon: str | None
    parent_id: int | None
    parent_name: str | None
    name: str
    manufacturer: str
    model: str
    serial_number: str
    install_date: date | None
    warranty_end: date | None
    purchase_cost: float | None
    criticality: Criticality
    status: AssetStatus
    status_changed_at: datetime
    locked_out: bool
    lockout_reason: str
    locked_out_at: datetime | None
    notes: str
    attributes: dict[str, AttributeValue]
    version: int
    qr_code: str | None
    qr_url: str | None
    primary_photo_file_id: int | None
    created_at: datetime
    updated_at: datetime


class AssetCreate(Schema):
    site_id: Id
    name: Name
    space_id: Id | None = None
    category_id: Id | None = None
    parent_id: Id | None = None
    manufacturer: Short = ""
    model: Short = ""
    serial_number: Short = ""
    install_date: date | None = None
    warranty_end: date | None = None
    purchase_cost: Cost | None = None
    criticality: Criticality = Criticality.medium
    status: AssetStatus = AssetStatus.operational
    notes: Notes = ""
    attributes: Attributes = msgspec.field(default_factory=dict)


class AssetUpdate(Schema):
    """PATCH: ``version`` is the one the client read; a stale version gets 409."""

    version: Version
    site_id: Id | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    space_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    category_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    parent_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    manufacturer: Short | msgspec.UnsetType = msgspec.UNSET
    model: Short | msgspec.UnsetType = msgspec.UNSET
    serial_number: Short | msgspec.UnsetType = msgspec.UNSET
    install_date: date | msgspec.UnsetType | None = msgspec.UNSET
    warranty_end: date | msgspec.UnsetType | None = msgspec.UNSET
    purchase_cost: Cost | msgspec.UnsetType | None = msgspec.UNSET
    criticality: Criticality | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    attributes: Attributes | msgspec.UnsetType = msgspec.UNSET


class StatusChange(Schema):
    status: AssetStatus
    note: StatusNote = ""
    version: Version | None = None


class StatusChangeRead(Schema):
    id: int
    from_status: AssetStatus | None
    to_status: AssetStatus
    changed_at: datetime
    actor_id: int | None
    actor_name: str | None
    note: str


class LockOut(Schema):
    reason: Reason


class UptimeRead(Schema):
    """Over ``[start, end)``: seconds in each state; ``uptime_percent`` over the counted time."""

    asset_id: int
    start: datetime
    end: datetime
    counted_seconds: float
    up_seconds: float
    degraded_seconds: float
    down_seconds: float
    uptime_percent: float | None
    down_events: int


# ---- files ---------------------------------------------------------------------------


class AssetFileRead(Schema):
    id: int
    asset_id: int
    kind: FileKind
    filename: str
    content_type: str
    size: int
    is_primary: bool
    uploaded_by_id: int | None
    created_at: datetime


# ---- QR codes ------------------------------------------------------------------------


class QrCodeRead(Schema):
    id: int
    code: str
    url: str
    status: QrStatus
    asset_id: int | None
    batch: str | None
    replaced_by: str | None
    created_at: datetime
    claimed_at: datetime | None


class BatchCreate(Schema):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[\w .-]+$")]
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class BatchRead(Schema):
    name: str
    total: int
    claimed: int
    created_at: datetime


class ClaimRequest(Schema):
    asset_id: Id


class LabelRequest(Schema):
    """What to print: a selection of assets (in order) or every asset of a site."""

    asset_ids: list[Id] = msgspec.field(default_factory=list)
    site_id: Id | None = None
    layout: Annotated[str, msgspec.Meta(pattern=r"^(sheet|single)$")] = "sheet"
    skip: Annotated[int, msgspec.Meta(ge=0, le=23)] = 0


# ---- CSV import ----------------------------------------------------------------------


class RowError(Schema):
    row: int
    column: str
    reason: str


class ImportResult(Schema):
    created: int
    errors: list[RowError]
