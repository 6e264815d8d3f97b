"""Files and QR codes of assets (scoped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facilities.accounts.principal import Principal
from facilities.assets.queries._contract import resolve_code
from facilities.assets.queries._register import qr_url, require_asset
from facilities.assets.schemas import (
    AssetFileRead,
    BatchRead,
    CodeLookup,
    QrCodeRead,
)
from facilities.assets.tables import (
    AssetFile,
    QrCode,
    QrScan,
)
from facilities.kit.errors import NotFound
from facilities.kit.rows import to_struct

# ---- files ----------------------------------------------------------------------------

_FILE_COLUMNS = (
    AssetFile.id,
    AssetFile.asset,
    AssetFile.kind,
    AssetFile.filename,
    AssetFile.content_type,
    AssetFile.size,
    AssetFile.is_primary,
    AssetFile.uploaded_by,
    AssetFile.created_at,
)


_FILE_KEYS = {"asset_id": "asset", "uploaded_by_id": "uploaded_by"}


def _file_read(r: dict[str, Any]) -> AssetFileRead:
    return to_struct(AssetFileRead, r, _FILE_KEYS)


async def list_files(principal: Principal, asset_id: int) -> list[AssetFileRead]:
    await require_asset(principal, asset_id)
    rows = (
        await AssetFile.select(*_FILE_COLUMNS)
        .where(AssetFile.asset == asset_id)
        .order_by(AssetFile.is_primary, ascending=False)
        .order_by(AssetFile.id)
    )
    return [_file_read(r) for r in rows]


async def get_file(principal: Principal, asset_id: int, file_id: int) -> tuple[AssetFileRead, str]:
    """The file's metadata and storage key; NotFound out of scope or for another asset."""
    await require_asset(principal, asset_id)
    row = (
        await AssetFile.select(*_FILE_COLUMNS, AssetFile.storage_key)
        .where((AssetFile.id == file_id) & (AssetFile.asset == asset_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return _file_read(row), row["storage_key"]


# ---- QR codes -------------------------------------------------------------------------

_QR_COLUMNS = (
    QrCode.id,
    QrCode.code,
    QrCode.status,
    QrCode.asset,
    QrCode.batch,
    QrCode.replaced_by,
    QrCode.created_at,
    QrCode.claimed_at,
)


def qr_read(r: dict[str, Any]) -> QrCodeRead:
    return to_struct(QrCodeRead, r, {"asset_id": "asset"}, url=qr_url(r["code"]))


async def scoped_code(principal: Principal, code: str) -> CodeLookup:
    """The label behind ``code`` as the caller may know it: a label of an asset outside the
    caller's scope does not exist for them (NotFound, exactly like an unknown code), and a
    blank label exists only for those who manage or claim labels."""
    lookup = await resolve_code(code)
    if lookup is None or lookup.target_kind is not None:  # a meter's label is not the assets'
        raise NotFound()
    if lookup.asset_id is not None:
        await require_asset(principal, lookup.asset_id)
    elif not (principal.can("qr.manage") or principal.can("qr.claim")):
        raise NotFound()
    return lookup


async def visible_code(principal: Principal, code: str) -> QrCodeRead:
    """A code the caller may see (``scoped_code``) as an API read. NotFound otherwise."""
    lookup = await scoped_code(principal, code)
    row = await QrCode.select(*_QR_COLUMNS).where(QrCode.id == lookup.qr_code_id).first()
    assert row is not None
    return qr_read(row)


async def asset_codes(principal: Principal, asset_id: int) -> list[QrCodeRead]:
    await require_asset(principal, asset_id)
    rows = (
        await QrCode.select(*_QR_COLUMNS)
        .where(QrCode.asset == asset_id)
        .order_by(QrCode.id, ascending=False)
    )
    return [qr_read(r) for r in rows]


async def list_batches() -> list[BatchRead]:
    rows = await QrCode.select(QrCode.batch, QrCode.asset, QrCode.created_at).where(
        QrCode.batch.is_not_null()
    )
    batches: dict[str, BatchRead] = {}
    for r in rows:
        current = batches.get(r["batch"])
        if current is None:
            current = BatchRead(name=r["batch"], total=0, claimed=0, created_at=r["created_at"])
            batches[r["batch"]] = current
        current.total += 1
        current.claimed += 1 if r["asset"] is not None else 0
        current.created_at = min(current.created_at, r["created_at"])
    return sorted(batches.values(), key=lambda b: b.created_at, reverse=True)


async def batch_codes(name: str) -> list[QrCodeRead]:
    rows = await QrCode.select(*_QR_COLUMNS).where(QrCode.batch == name).order_by(QrCode.id)
    if not rows:
        raise NotFound()
    return [qr_read(r) for r in rows]


async def scan_count(asset_id: int, since: datetime) -> int:
    return int(
        await QrScan.count().where((QrScan.asset == asset_id) & (QrScan.scanned_at >= since))
    )
