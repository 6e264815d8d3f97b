"""Categories, assets, status history and uptime (scoped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from litestar.params import FromQuery, QueryParameter
from piccolo.query import OrderByRaw

from facilities.accounts.enums import Trade
from facilities.accounts.principal import Principal
from facilities.assets import uptime as uptime_calc
from facilities.assets.enums import AssetStatus, Criticality, QrStatus
from facilities.assets.schemas import (
    AssetRead,
    CategoryRead,
    StatusChangeRead,
    UptimeRead,
)
from facilities.assets.tables import (
    Asset,
    AssetCategory,
    AssetFile,
    AssetStatusChange,
    QrCode,
)
from facilities.db import is_sqlite
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.listing import QueryId, Search, rank_sql
from facilities.kit.rows import to_struct
from facilities.kit.schema import Page
from facilities.settings import get_settings
from facilities.sites import scope
from facilities.sites.tables import Space

# ---- categories -----------------------------------------------------------------------


async def list_categories() -> list[CategoryRead]:
    rows = await AssetCategory.select(
        AssetCategory.id,
        AssetCategory.name,
        AssetCategory.icon,
        AssetCategory.description,
        AssetCategory.trade,
    ).order_by(AssetCategory.name)
    counts: dict[int, int] = {}
    for row in await Asset.select(Asset.category).where(Asset.category.is_not_null()):
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    return [
        CategoryRead(
            **{k: v for k, v in r.items() if k != "trade"},
            asset_count=counts.get(r["id"], 0),
            trade=Trade(r["trade"]) if r["trade"] in Trade.__members__ else None,
        )
        for r in rows
    ]


async def get_category(category_id: int) -> CategoryRead:
    for category in await list_categories():
        if category.id == category_id:
            return category
    raise NotFound()


# ---- assets ---------------------------------------------------------------------------


def qr_url(code: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/q/{code}"


_ASSET_COLUMNS = (
    Asset.id,
    Asset.site,
    Asset.site.name.as_alias("site_name"),
    Asset.site.code.as_alias("site_code"),
    Asset.space,
    Asset.category,
    Asset.category.name.as_alias("category_name"),
    Asset.category.icon.as_alias("category_icon"),
    Asset.parent,
    Asset.parent.name.as_alias("parent_name"),
    Asset.name,
    Asset.manufacturer,
    Asset.model,
    Asset.serial_number,
    Asset.install_date,
    Asset.warranty_end,
    Asset.purchase_cost,
    Asset.criticality,
    Asset.status,
    Asset.status_changed_at,
    Asset.locked_out,
    Asset.lockout_reason,
    Asset.locked_out_at,
    Asset.notes,
    Asset.attributes,
    Asset.version,
    Asset.created_at,
    Asset.updated_at,
)


async def space_paths(site_ids: set[int]) -> dict[int, str]:
    if not site_ids:
        return {}
    rows = await Space.select(Space.id, Space.parent, Space.name).where(
        Space.site.is_in(list(site_ids))
    )
    by_id = {r["id"]: r for r in rows}
    paths: dict[int, str] = {}
    for row in rows:
        parts: list[str] = []
        seen: set[int] = set()
        current: dict[str, Any] | None = row
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            parts.append(current["name"])
            current = by_id.get(current["parent"]) if current["parent"] else None
        paths[row["id"]] = " › ".join(reversed(parts))
    return paths


async def _active_codes(asset_ids: list[int]) -> dict[int, str]:
    if not asset_ids:
        return {}
    rows = (
        await QrCode.select(QrCode.asset, QrCode.code)
        .where(QrCode.asset.is_in(asset_ids) & (QrCode.status == QrStatus.active.value))
        .order_by(QrCode.id)
    )
    return {r["asset"]: r["code"] for r in rows}


async def _primary_photos(asset_ids: list[int]) -> dict[int, int]:
    if not asset_ids:
        return {}
    rows = await AssetFile.select(AssetFile.asset, AssetFile.id).where(
        AssetFile.asset.is_in(asset_ids) & (AssetFile.is_primary == True)  # noqa: E712
    )
    return {r["asset"]: r["id"] for r in rows}


_ASSET_KEYS = {
    "site_id": "site",
    "space_id": "space",
    "category_id": "category",
    "parent_id": "parent",
}


async def _reads(rows: list[dict[str, Any]]) -> list[AssetRead]:
    ids = [r["id"] for r in rows]
    paths = await space_paths({r["site"] for r in rows if r["space"]})
    codes = await _active_codes(ids)
    photos = await _primary_photos(ids)
    result = []
    for r in rows:
        code = codes.get(r["id"])
        result.append(
            to_struct(
                AssetRead,
                r,
                _ASSET_KEYS,
                space_path=paths.get(r["space"]) if r["space"] else None,
                lockout_reason=r["lockout_reason"] or "",
                attributes=r["attributes"] or {},
                qr_code=code,
                qr_url=qr_url(code) if code else None,
                primary_photo_file_id=photos.get(r["id"]),
            )
        )
    return result


async def get_asset(asset_id: int) -> AssetRead:
    """Unscoped read (for actions that already checked the scope)."""
    rows = await Asset.select(*_ASSET_COLUMNS).output(load_json=True).where(Asset.id == asset_id)
    if not rows:
        raise NotFound()
    return (await _reads(rows))[0]


async def asset_site_id(asset_id: int) -> int | None:
    row = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
    return row["site"] if row else None


async def require_asset(principal: Principal, asset_id: int) -> int:
    """The asset's site id; NotFound when the asset does not exist or is out of scope."""
    site_id = await asset_site_id(asset_id)
    if site_id is None or not await scope.can_see_site(principal, site_id):
        raise NotFound()
    return site_id


async def visible_asset(principal: Principal, asset_id: int) -> AssetRead:
    """The asset if the caller may see it; NotFound otherwise (never 403)."""
    await require_asset(principal, asset_id)
    return await get_asset(asset_id)


def _conditions(
    visible: set[int] | None,
    *,
    site_id: int | None,
    category_id: int | None,
    status: AssetStatus | None,
    criticality: Criticality | None,
    warranty_days: int | None,
    q: str | None,
    parent_id: int | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    if visible is not None:
        conditions.append(Asset.site.is_in(list(visible) or [-1]))
    if site_id is not None:
        conditions.append(Asset.site == site_id)
    if category_id is not None:
        conditions.append(Asset.category == category_id)
    if status is not None:
        conditions.append(Asset.status == status.value)
    if criticality is not None:
        conditions.append(Asset.criticality == criticality.value)
    if parent_id is not None:
        conditions.append(Asset.parent == parent_id)
    if warranty_days is not None:
        today = clock.now().date()
        conditions.append(
            (Asset.warranty_end >= today) & (Asset.warranty_end <= today + timedelta(warranty_days))
        )
    if q and q.strip():
        pattern = "%" + q.strip().replace("%", "").replace("_", "") + "%"
        # SQLite's LIKE is already case-insensitive (ASCII); PostgreSQL needs ILIKE.
        match = "like" if is_sqlite() else "ilike"
        conditions.append(
            getattr(Asset.name, match)(pattern)
            | getattr(Asset.serial_number, match)(pattern)
            | getattr(Asset.manufacturer, match)(pattern)
            | getattr(Asset.model, match)(pattern)
        )
    return conditions


AssetSort = Literal["name", "newest", "site", "criticality", "warranty"]
_CRITICALITY_ORDER = rank_sql('"asset"."criticality"', ["critical", "high", "medium", "low"])


@dataclass(frozen=True, slots=True)
class AssetFilters:
    """The asset list's filters, read by its API and its page (``kit.listing``).
    ``warranty_expiring_days=N`` keeps warranties ending within N days; ``q`` searches the
    name, serial number, make and model; ``sort``: name, newest, site, criticality (most
    critical first) or warranty (ending soonest first)."""

    q: Search = None
    site_id: QueryId = None
    category_id: QueryId = None
    status: FromQuery[AssetStatus | None] = None
    criticality: FromQuery[Criticality | None] = None
    warranty_expiring_days: Annotated[int | None, QueryParameter(ge=0, le=3650)] = None
    sort: FromQuery[AssetSort] = "name"

    def arguments(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "site_id": self.site_id,
            "category_id": self.category_id,
            "status": self.status,
            "criticality": self.criticality,
            "warranty_days": self.warranty_expiring_days,
            "sort": self.sort,
        }


async def list_assets(
    principal: Principal,
    *,
    site_id: int | None = None,
    category_id: int | None = None,
    status: AssetStatus | None = None,
    criticality: Criticality | None = None,
    warranty_days: int | None = None,
    q: str | None = None,
    parent_id: int | None = None,
    sort: AssetSort = "name",
    limit: int = 50,
    offset: int = 0,
) -> Page[AssetRead]:
    visible = await scope.visible_site_ids(principal)
    conditions = _conditions(
        visible,
        site_id=site_id,
        category_id=category_id,
        status=status,
        criticality=criticality,
        warranty_days=warranty_days,
        q=q,
        parent_id=parent_id,
    )
    query = Asset.select(*_ASSET_COLUMNS).output(load_json=True)
    count = Asset.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    if sort == "newest":
        query = query.order_by(Asset.created_at, ascending=False)
    elif sort == "site":
        query = query.order_by(Asset.site.code)
    elif sort == "criticality":
        query = query.order_by(OrderByRaw(_CRITICALITY_ORDER))
    elif sort == "warranty":
        query = query.order_by(OrderByRaw('"asset"."warranty_end" IS NULL')).order_by(
            Asset.warranty_end
        )
    rows = await query.order_by(Asset.name).order_by(Asset.id).limit(limit).offset(offset)
    total = await count if offset or len(rows) >= limit else offset + len(rows)
    return Page(items=await _reads(rows), total=total, limit=limit, offset=offset)


async def all_visible_assets(
    principal: Principal, *, site_id: int | None = None
) -> list[AssetRead]:
    """Every asset the caller may see (exports, label sheets of a site)."""
    visible = await scope.visible_site_ids(principal)
    conditions = _conditions(
        visible,
        site_id=site_id,
        category_id=None,
        status=None,
        criticality=None,
        warranty_days=None,
        q=None,
    )
    query = Asset.select(*_ASSET_COLUMNS).output(load_json=True)
    for condition in conditions:
        query = query.where(condition)
    rows = await query.order_by(Asset.site.code).order_by(Asset.name).order_by(Asset.id)
    return await _reads(rows)


async def assets_by_ids(principal: Principal, asset_ids: list[int]) -> list[AssetRead]:
    """The given assets in the given order; NotFound if any is unknown or out of scope."""
    if not asset_ids:
        return []
    visible = await scope.visible_site_ids(principal)
    rows = await (
        Asset.select(*_ASSET_COLUMNS).output(load_json=True).where(Asset.id.is_in(asset_ids))
    )
    by_id = {r["id"]: r for r in rows if visible is None or r["site"] in visible}
    if any(i not in by_id for i in asset_ids):
        raise NotFound()
    return await _reads([by_id[i] for i in dict.fromkeys(asset_ids)])


async def serial_taken(serial: str, *, except_id: int | None = None) -> bool:
    if not serial:
        return False
    clash: Any = Asset.serial_number == serial
    if except_id is not None:
        clash = clash & (Asset.id != except_id)
    return bool(await Asset.exists().where(clash))


async def ancestors(asset_id: int) -> list[int]:
    """Ids from the asset's parent up to the root (stops on a cycle)."""
    result: list[int] = []
    current: int | None = asset_id
    seen = {asset_id}
    while current is not None:
        row = await Asset.select(Asset.parent).where(Asset.id == current).first()
        current = row["parent"] if row else None
        if current is None or current in seen:
            break
        seen.add(current)
        result.append(current)
    return result


async def children(principal: Principal, asset_id: int) -> list[AssetRead]:
    return (await list_assets(principal, parent_id=asset_id, limit=200)).items


# ---- status history and uptime --------------------------------------------------------


async def status_history(principal: Principal, asset_id: int) -> list[StatusChangeRead]:
    await require_asset(principal, asset_id)
    rows = (
        await AssetStatusChange.select(
            AssetStatusChange.id,
            AssetStatusChange.from_status,
            AssetStatusChange.to_status,
            AssetStatusChange.changed_at,
            AssetStatusChange.actor,
            AssetStatusChange.actor.name.as_alias("actor_name"),
            AssetStatusChange.note,
        )
        .where(AssetStatusChange.asset == asset_id)
        .order_by(AssetStatusChange.changed_at, ascending=False)
        .order_by(AssetStatusChange.id, ascending=False)
    )
    return [
        to_struct(StatusChangeRead, r, {"actor_id": "actor"}, from_status=r["from_status"] or None)
        for r in rows
    ]


async def uptimes(
    principal: Principal, start: datetime, end: datetime
) -> list[tuple[int, str, uptime_calc.Uptime]]:
    """Uptime of every asset the caller may see over ``[start, end)``: two queries, the same
    rules as ``uptime`` (no history recorded: the current status since creation)."""
    visible = await scope.visible_site_ids(principal)
    query = Asset.select(Asset.id, Asset.name, Asset.status, Asset.created_at)
    if visible is not None:
        query = query.where(Asset.site.is_in(list(visible) or [-1]))
    assets = await query.order_by(Asset.name).order_by(Asset.id)
    if not assets:
        return []
    histories: dict[int, list[tuple[datetime, str]]] = {}
    ids = [a["id"] for a in assets]
    for chunk in range(0, len(ids), 500):
        rows = (
            await AssetStatusChange.select(
                AssetStatusChange.asset, AssetStatusChange.changed_at, AssetStatusChange.to_status
            )
            .where(AssetStatusChange.asset.is_in(ids[chunk : chunk + 500]))
            .order_by(AssetStatusChange.changed_at)
            .order_by(AssetStatusChange.id)
        )
        for r in rows:
            histories.setdefault(r["asset"], []).append((r["changed_at"], r["to_status"]))
    now = clock.now()
    return [
        (
            a["id"],
            a["name"],
            uptime_calc.compute(
                histories.get(a["id"]) or [(a["created_at"], a["status"])], start, end, now
            ),
        )
        for a in assets
    ]


async def uptime(asset_id: int, start: datetime, end: datetime) -> UptimeRead:
    """Up, degraded and down time of one asset over ``[start, end)`` (see ``uptime.py``)."""
    asset = await Asset.select(Asset.status, Asset.created_at).where(Asset.id == asset_id).first()
    if asset is None:
        raise NotFound()
    rows = (
        await AssetStatusChange.select(AssetStatusChange.changed_at, AssetStatusChange.to_status)
        .where(AssetStatusChange.asset == asset_id)
        .order_by(AssetStatusChange.changed_at)
        .order_by(AssetStatusChange.id)
    )
    history = [(r["changed_at"], r["to_status"]) for r in rows]
    if not history:  # no history recorded: the current status since creation
        history = [(asset["created_at"], asset["status"])]
    result = uptime_calc.compute(history, start, end, clock.now())
    return UptimeRead(
        asset_id=asset_id,
        start=start,
        end=end,
        counted_seconds=result.counted_seconds,
        up_seconds=result.up_seconds,
        degraded_seconds=result.degraded_seconds,
        down_seconds=result.down_seconds,
        uptime_percent=result.percent,
        down_events=result.down_events,
    )
