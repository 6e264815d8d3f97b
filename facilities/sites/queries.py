"""Reads of the sites domain, always scoped to the caller."""

from __future__ import annotations

from datetime import date
from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit.errors import NotFound
from facilities.kit.schema import Page
from facilities.sites import scope
from facilities.sites.calendar import public_holidays
from facilities.sites.enums import SiteKind, SpaceKind
from facilities.sites.schemas import (
    AccessRead,
    ClosureRead,
    HolidayRead,
    RegionRead,
    SiteRead,
    SpaceRead,
)
from facilities.sites.tables import (
    ClosureDay,
    Region,
    RegionAssignment,
    Site,
    SiteAssignment,
    Space,
)

_SITE_COLUMNS = (
    Site.id,
    Site.region,
    Site.region.name.as_alias("region_name"),
    Site.name,
    Site.code,
    Site.kind,
    Site.address,
    Site.postal_code,
    Site.city,
    Site.country,
    Site.latitude,
    Site.longitude,
    Site.time_zone,
    Site.floor_area_m2,
    Site.desks,
    Site.opening_hours,
    Site.holiday_country,
    Site.holiday_subdivision,
    Site.access_notes,
    Site.allow_anonymous_reports,
    Site.archived,
    Site.created_at,
    Site.updated_at,
)


def site_read(row: dict[str, Any]) -> SiteRead:
    return SiteRead(
        id=row["id"],
        region_id=row["region"],
        region_name=row["region_name"],
        name=row["name"],
        code=row["code"],
        kind=SiteKind(row["kind"]),
        address=row["address"],
        postal_code=row["postal_code"],
        city=row["city"],
        country=row["country"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        time_zone=row["time_zone"],
        floor_area_m2=float(row["floor_area_m2"]) if row["floor_area_m2"] is not None else None,
        desks=row["desks"],
        opening_hours=row["opening_hours"] or {},
        holiday_country=row["holiday_country"],
        holiday_subdivision=row["holiday_subdivision"],
        access_notes=row["access_notes"],
        allow_anonymous_reports=row["allow_anonymous_reports"],
        archived=row["archived"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# ---- regions --------------------------------------------------------------------------


async def list_regions(principal: Principal) -> list[RegionRead]:
    sites = await scope.visible_site_ids(principal)
    regions = await scope.visible_region_ids(principal)
    query = Region.select(Region.id, Region.name).order_by(Region.name)
    counts_query = Site.select(Site.region, Site.id).where(Site.archived == False)  # noqa: E712
    if sites is not None:
        counts_query = counts_query.where(Site.id.is_in(list(sites) or [-1]))
    counts: dict[int, int] = {}
    for row in await counts_query:
        counts[row["region"]] = counts.get(row["region"], 0) + 1
    rows = await query
    allowed = None if regions is None else regions | set(counts)
    return [
        RegionRead(id=r["id"], name=r["name"], site_count=counts.get(r["id"], 0))
        for r in rows
        if allowed is None or r["id"] in allowed
    ]


async def get_region(principal: Principal, region_id: int) -> RegionRead:
    for region in await list_regions(principal):
        if region.id == region_id:
            return region
    raise NotFound()


# ---- sites ----------------------------------------------------------------------------


async def list_sites(
    principal: Principal,
    *,
    region_id: int | None = None,
    kind: SiteKind | None = None,
    archived: bool | None = False,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[SiteRead]:
    visible = await scope.visible_site_ids(principal)
    conditions: list[Any] = []
    if visible is not None:
        conditions.append(Site.id.is_in(list(visible) or [-1]))
    if region_id is not None:
        conditions.append(Site.region == region_id)
    if kind is not None:
        conditions.append(Site.kind == kind.value)
    if archived is not None:
        conditions.append(Site.archived == archived)
    if q:
        pattern = f"%{q.strip()}%"
        conditions.append(
            Site.name.ilike(pattern) | Site.code.ilike(pattern) | Site.city.ilike(pattern)
        )
    query = Site.select(*_SITE_COLUMNS).output(load_json=True)
    count = Site.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Site.name).limit(limit).offset(offset)
    total = await count if offset or len(rows) >= limit else offset + len(rows)
    return Page(items=[site_read(r) for r in rows], total=total, limit=limit, offset=offset)


async def get_site(principal: Principal, site_id: int) -> SiteRead:
    await scope.require_site(principal, site_id)
    row = await Site.select(*_SITE_COLUMNS).output(load_json=True).where(Site.id == site_id).first()
    if row is None:
        raise NotFound()
    return site_read(row)


async def site_is_referenced(site_id: int) -> bool:
    """Does anything point at this site (then it can only be archived)?"""
    return bool(
        await Space.exists().where(Space.site == site_id)
        or await SiteAssignment.exists().where(SiteAssignment.site == site_id)
    )


# ---- holidays and closures ------------------------------------------------------------


async def list_closures(principal: Principal, site_id: int) -> list[ClosureRead]:
    await scope.require_site(principal, site_id)
    rows = (
        await ClosureDay.select(ClosureDay.id, ClosureDay.day, ClosureDay.reason)
        .where(ClosureDay.site == site_id)
        .order_by(ClosureDay.day)
    )
    return [ClosureRead(**r) for r in rows]


async def closed_days(site: SiteRead, start: date, end: date) -> list[HolidayRead]:
    """Public holidays and site closures between start and end (inclusive)."""
    years = range(start.year, end.year + 1)
    result = [
        HolidayRead(day=day, name=name, source="public")
        for day, name in public_holidays(
            site.holiday_country, site.holiday_subdivision, years
        ).items()
        if start <= day <= end
    ]
    rows = await ClosureDay.select(ClosureDay.day, ClosureDay.reason).where(
        (ClosureDay.site == site.id) & (ClosureDay.day >= start) & (ClosureDay.day <= end)
    )
    result.extend(HolidayRead(day=r["day"], name=r["reason"], source="site") for r in rows)
    return sorted(result, key=lambda h: h.day)


# ---- spaces ---------------------------------------------------------------------------


async def list_spaces(
    principal: Principal, site_id: int, *, archived: bool | None = False
) -> list[SpaceRead]:
    await scope.require_site(principal, site_id)
    query = Space.select(
        Space.id, Space.site, Space.parent, Space.name, Space.kind, Space.archived
    ).where(Space.site == site_id)
    rows = await query
    by_id = {r["id"]: r for r in rows}

    def path(row: dict[str, Any]) -> str:
        parts: list[str] = []
        seen: set[int] = set()
        current: dict[str, Any] | None = row
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            parts.append(current["name"])
            current = by_id.get(current["parent"]) if current["parent"] else None
        return " › ".join(reversed(parts))

    spaces = [
        SpaceRead(
            id=r["id"],
            site_id=r["site"],
            parent_id=r["parent"],
            name=r["name"],
            kind=SpaceKind(r["kind"]),
            archived=r["archived"],
            path=path(r),
        )
        for r in rows
        if archived is None or r["archived"] == archived
    ]
    return sorted(spaces, key=lambda s: s.path.lower())


async def get_space(principal: Principal, space_id: int) -> SpaceRead:
    row = await Space.select(Space.site).where(Space.id == space_id).first()
    if row is None:
        raise NotFound()
    for space in await list_spaces(principal, row["site"], archived=None):
        if space.id == space_id:
            return space
    raise NotFound()


# ---- access ---------------------------------------------------------------------------


async def get_access(user_id: int) -> AccessRead:
    sites = await SiteAssignment.select(SiteAssignment.site).where(SiteAssignment.user == user_id)
    regions = await RegionAssignment.select(RegionAssignment.region).where(
        RegionAssignment.user == user_id
    )
    return AccessRead(
        user_id=user_id,
        site_ids=sorted(r["site"] for r in sites),
        region_ids=sorted(r["region"] for r in regions),
    )


async def all_sites_brief() -> list[dict[str, Any]]:
    """id, code, name, region of every site (admin screens)."""
    return await Site.select(Site.id, Site.code, Site.name, Site.region, Site.archived).order_by(
        Site.name
    )
