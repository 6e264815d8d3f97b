"""Scan-page contract (unscoped) and shared helpers."""

from __future__ import annotations

from facilities.assets.schemas import (
    AssetCard,
    CodeLookup,
)
from facilities.assets.tables import (
    Asset,
    AssetFile,
    QrCode,
    QrScan,
)
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.sites.tables import Space

# ---- helpers --------------------------------------------------------------------------


async def space_path(space_id: int | None) -> str | None:
    """``Building › Floor 2 › Kitchen`` for one space (walks up the parents)."""
    if space_id is None:
        return None
    parts: list[str] = []
    seen: set[int] = set()
    current: int | None = space_id
    while current is not None and current not in seen and len(parts) < 20:
        seen.add(current)
        row = await Space.select(Space.name, Space.parent).where(Space.id == current).first()
        if row is None:
            break
        parts.append(row["name"])
        current = row["parent"]
    return " › ".join(reversed(parts)) if parts else None


# ---- contract with the public scan page (no scoping) ----------------------------------


async def resolve_code(code: str) -> CodeLookup | None:
    """The label behind a scanned code, or None when no such code exists."""
    normalised = code.strip().upper()
    if not normalised or len(normalised) > 24:
        return None
    row = (
        await QrCode.select(QrCode.id, QrCode.code, QrCode.status, QrCode.replaced_by, QrCode.asset)
        .where(QrCode.code == normalised)
        .first()
    )
    if row is None:
        return None
    return CodeLookup(
        code=row["code"],
        status=row["status"],
        replaced_by=row["replaced_by"],
        asset_id=row["asset"],
        qr_code_id=row["id"],
    )


async def primary_photo_id(asset_id: int) -> int | None:
    row = (
        await AssetFile.select(AssetFile.id)
        .where((AssetFile.asset == asset_id) & (AssetFile.is_primary == True))  # noqa: E712
        .first()
    )
    return row["id"] if row else None


async def asset_card(asset_id: int) -> AssetCard:
    """What the public scan page shows of an asset. Raises NotFound for an unknown id."""
    row = (
        await Asset.select(
            Asset.id,
            Asset.name,
            Asset.category.name.as_alias("category_name"),
            Asset.category.icon.as_alias("category_icon"),
            Asset.site,
            Asset.site.name.as_alias("site_name"),
            Asset.site.code.as_alias("site_code"),
            Asset.site.allow_anonymous_reports.as_alias("allow_anonymous_reports"),
            Asset.space,
            Asset.status,
            Asset.locked_out,
            Asset.lockout_reason,
        )
        .where(Asset.id == asset_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return AssetCard(
        id=row["id"],
        name=row["name"],
        category_name=row["category_name"],
        category_icon=row["category_icon"],
        site_id=row["site"],
        site_name=row["site_name"],
        site_code=row["site_code"],
        space_path=await space_path(row["space"]),
        status=row["status"],
        locked_out=bool(row["locked_out"]),
        lockout_reason=row["lockout_reason"] or "",
        primary_photo_file_id=await primary_photo_id(asset_id),
        allow_anonymous_reports=bool(row["allow_anonymous_reports"]),
    )


async def log_scan(*, qr_code_id: int, asset_id: int | None, user_id: int | None) -> None:
    """Record one scan (time, code, asset, user or anonymous). No IP address is stored."""
    await QrScan.insert(
        QrScan(qr_code=qr_code_id, asset=asset_id, user=user_id, scanned_at=clock.now())
    ).run()


async def primary_photo(asset_id: int) -> tuple[str, str] | None:
    """``(storage_key, content_type)`` of the asset's primary photo, for the scan page."""
    row = (
        await AssetFile.select(AssetFile.storage_key, AssetFile.content_type)
        .where((AssetFile.asset == asset_id) & (AssetFile.is_primary == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return row["storage_key"], row["content_type"]
