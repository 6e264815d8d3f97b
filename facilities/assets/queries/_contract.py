"""Scan-page contract (unscoped) and shared helpers."""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.assets.schemas import (
    AssetCard,
    CodeLookup,
)
from facilities.assets.tables import AssetFile, QrCode
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.rows import to_struct

# ---- helpers --------------------------------------------------------------------------

# Hand-written SQL on the public scan page's hot path (Piccolo's query building cost more
# than the queries themselves). Each starts with SELECT so SQLite runs it inline.

_SPACE_CHAIN_SQL = """SELECT p.id, p.name FROM (
  WITH RECURSIVE chain(id, name, parent, depth) AS (
    SELECT id, name, parent, 0 FROM space WHERE id = {}
    UNION ALL
    SELECT s.id, s.name, s.parent, chain.depth + 1 FROM space s
    JOIN chain ON s.id = chain.parent WHERE chain.depth < 19
  ) SELECT id, name, depth FROM chain
) p ORDER BY p.depth"""

_CARD_COLUMNS = """a.id AS asset_id, a.name AS asset_name, c.name AS category_name,
  c.icon AS category_icon, a.site AS site_id, s.name AS site_name, s.code AS site_code,
  s.allow_anonymous_reports, a.space AS space_id, a.status AS asset_status, a.locked_out,
  a.lockout_reason,
  (SELECT f.id FROM asset_file f WHERE f.asset = a.id AND f.is_primary = {} LIMIT 1)
    AS primary_photo_file_id"""

_CARD_SQL = f"""SELECT {_CARD_COLUMNS}
FROM asset a JOIN site s ON s.id = a.site LEFT JOIN asset_category c ON c.id = a.category
WHERE a.id = {{}}"""  # noqa: S608 - fixed SQL

_SCAN_SQL = f"""SELECT q.id AS qr_code_id, q.code, q.status, q.replaced_by, q.asset,
  q.target_kind, q.target_id,
  {_CARD_COLUMNS}
FROM qr_code q LEFT JOIN asset a ON a.id = q.asset LEFT JOIN site s ON s.id = a.site
LEFT JOIN asset_category c ON c.id = a.category
WHERE q.code = {{}}"""  # noqa: S608 - fixed SQL

_LOG_SCAN_SQL = 'INSERT INTO qr_scan (qr_code, asset, "user", scanned_at) VALUES ({}, {}, {}, {})'


async def space_path(space_id: int | None) -> str | None:
    """``Building › Floor 2 › Kitchen`` for one space (walks up the parents)."""
    if space_id is None:
        return None
    parts: list[str] = []
    seen: set[int] = set()
    for row in await db.raw(_SPACE_CHAIN_SQL, space_id):
        if row["id"] in seen:
            break
        seen.add(row["id"])
        parts.append(row["name"])
    return " › ".join(reversed(parts)) if parts else None


def _normalise(code: str) -> str | None:
    normalised = code.strip().upper()
    if not normalised or len(normalised) > 24:
        return None
    return normalised


def _lookup(row: dict[str, Any]) -> CodeLookup:
    return to_struct(CodeLookup, row, {"asset_id": "asset"})


_CARD_KEYS = {"id": "asset_id", "name": "asset_name", "status": "asset_status"}


async def _card(row: dict[str, Any]) -> AssetCard:
    return to_struct(
        AssetCard,
        row,
        _CARD_KEYS,
        space_path=await space_path(row["space_id"]),
        lockout_reason=row["lockout_reason"] or "",
    )


# ---- contract with the public scan page (no scoping) ----------------------------------


async def resolve_code(code: str) -> CodeLookup | None:
    """The label behind a scanned code, or None when no such code exists."""
    normalised = _normalise(code)
    if normalised is None:
        return None
    rows = await db.raw(
        "SELECT id AS qr_code_id, code, status, replaced_by, asset, target_kind, target_id"
        " FROM qr_code WHERE code = {}",
        normalised,
    )
    return _lookup(rows[0]) if rows else None


async def resolve_scan(code: str) -> tuple[CodeLookup, AssetCard | None] | None:
    """``resolve_code`` and, for a claimed label, ``asset_card`` in one query."""
    normalised = _normalise(code)
    if normalised is None:
        return None
    rows = await db.raw(_SCAN_SQL, True, normalised)
    if not rows:
        return None
    row = rows[0]
    return _lookup(row), (await _card(row) if row["asset_id"] is not None else None)


async def primary_photo_id(asset_id: int) -> int | None:
    rows = await db.raw(
        "SELECT id FROM asset_file WHERE asset = {} AND is_primary = {} LIMIT 1", asset_id, True
    )
    return int(rows[0]["id"]) if rows else None


async def asset_card(asset_id: int) -> AssetCard:
    """What the public scan page shows of an asset. Raises NotFound for an unknown id."""
    rows = await db.raw(_CARD_SQL, True, asset_id)
    if not rows:
        raise NotFound()
    return await _card(rows[0])


async def log_scan(*, qr_code_id: int, asset_id: int | None, user_id: int | None) -> None:
    """Record one scan (time, code, asset, user or anonymous). No IP address is stored."""
    await db.raw(_LOG_SCAN_SQL, qr_code_id, asset_id, user_id, clock.now())


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


async def target_codes(kind: str, target_ids: list[int]) -> dict[int, str]:
    """The active label code of each of an upper domain's things that has one."""
    if not target_ids:
        return {}
    rows = await QrCode.select(QrCode.target_id, QrCode.code).where(
        (QrCode.target_kind == kind)
        & (QrCode.status == "active")
        & QrCode.target_id.is_in(sorted(set(target_ids)))
    )
    return {int(r["target_id"]): r["code"] for r in rows}
