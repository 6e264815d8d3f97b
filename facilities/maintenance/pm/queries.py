"""Reads of preventive maintenance, scoped to the caller's sites."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from litestar.params import FromQuery
from piccolo.columns.combination import WhereRaw

from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.assets.tables import Asset, AssetCategory
from facilities.kit import clock, recurrence
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import QueryId, Search, like_pattern, search_text
from facilities.kit.rows import aware, to_struct
from facilities.kit.schema import Page
from facilities.maintenance.pm.schemas import (
    Mode,
    PreviewRead,
    PreviewRequest,
    RecurrenceFields,
    ScheduleRead,
)
from facilities.maintenance.pm.schemas import Priority as SchedulePriority
from facilities.maintenance.tables import (
    ChecklistTemplate,
    PMOccurrence,
    PMSchedule,
    PMScheduleSite,
)
from facilities.sites import queries as site_queries
from facilities.sites import scope
from facilities.sites.tables import Region, Site


def _months(value: Any) -> list[int]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [int(m) for m in value or []]


async def schedule_site_ids(row: dict[str, Any], site_ids: list[int] | None = None) -> set[int]:
    """Every site a schedule covers (its asset's, its listed sites or its region's)."""
    if row.get("asset") is not None:
        asset = await Asset.select(Asset.site).where(Asset.id == row["asset"]).first()
        return {asset["site"]} if asset else set()
    if row.get("region") is not None:
        rows = await Site.select(Site.id).where(Site.region == row["region"])
        return {r["id"] for r in rows}
    if site_ids is None:
        site_ids = await _listed_sites(row["id"])
    return set(site_ids)


async def _listed_sites(schedule_id: int) -> list[int]:
    rows = await PMScheduleSite.select(PMScheduleSite.site).where(
        PMScheduleSite.schedule == schedule_id
    )
    return sorted(r["site"] for r in rows)


_SCHEDULE_KEYS = {
    "asset_id": "asset",
    "category_id": "category",
    "region_id": "region",
    "partner_organisation_id": "partner_organisation",
    "checklist_template_id": "checklist_template",
}


def to_read(row: dict[str, Any], site_ids: list[int]) -> ScheduleRead:
    return to_struct(
        ScheduleRead,
        row,
        _SCHEDULE_KEYS,
        site_ids=site_ids,
        rrule=row["rrule"] or "",
        dtstart_local=row["dtstart_local"] or "",
        active_months=_months(row["active_months"]),
        effective_from=aware(row["effective_from"]),
        created_at=aware(row["created_at"]),
    )


async def schedule_row(principal: Principal, schedule_id: int) -> dict[str, Any]:
    """The raw row of a schedule the caller may see (404 otherwise)."""
    row = await PMSchedule.select().where(PMSchedule.id == schedule_id).first()
    if row is None:
        raise NotFound()
    visible = await scope.visible_site_ids(principal)
    if visible is not None and not (await schedule_site_ids(row)) & visible:
        raise NotFound()
    return row


async def get_schedule(principal: Principal, schedule_id: int) -> ScheduleRead:
    row = await schedule_row(principal, schedule_id)
    return to_read(row, await _listed_sites(row["id"]))


ScheduleSort = Literal["name", "newest", "updated"]
_SCHEDULE_SORTS: dict[str, tuple[Any, bool]] = {
    "name": (PMSchedule.name, True),
    "newest": (PMSchedule.created_at, False),
    "updated": (PMSchedule.updated_at, False),
}


@dataclass(frozen=True, slots=True)
class ScheduleFilters:
    """The PM-schedule list's filters, read by its API and its page (``kit.listing``).
    ``site_id``: schedules covering that site; ``active``: true (running) or false
    (paused); ``q``: the name or description; ``sort``: name, newest, updated."""

    q: Search = None
    mode: FromQuery[Mode | None] = None
    active: FromQuery[bool | None] = None
    site_id: QueryId = None
    priority: FromQuery[SchedulePriority | None] = None
    sort: FromQuery[ScheduleSort] = "name"

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


async def list_schedules(
    principal: Principal,
    *,
    q: str | None = None,
    mode: str | None = None,
    active: bool | None = None,
    site_id: int | None = None,
    priority: str | None = None,
    sort: ScheduleSort = "name",
    limit: int | None = None,
    offset: int = 0,
) -> Page[ScheduleRead]:
    """The schedules covering one of the caller's sites (filtered, sorted, one page); the
    covered sites of all schedules are resolved with three queries in total (listed sites,
    assets' sites, regions' sites). Scope and site are decided on the covered sites, so the
    page is cut after them (schedules number in the hundreds, not millions)."""
    query = PMSchedule.select()
    if mode is not None:
        query = query.where(PMSchedule.mode == mode)
    if active is not None:
        query = query.where(PMSchedule.active == active)
    if priority is not None:
        query = query.where(PMSchedule.priority == priority)
    text = search_text(q)
    if text is not None:
        pattern = like_pattern(text)
        query = query.where(
            WhereRaw(
                '(lower("pm_schedule"."name") LIKE {} ESCAPE \'\\\''
                ' OR lower("pm_schedule"."description") LIKE {} ESCAPE \'\\\')',
                pattern,
                pattern,
            )
        )
    column, ascending = _SCHEDULE_SORTS[sort]
    rows = await query.order_by(column, ascending=ascending).order_by(PMSchedule.id)
    visible = await scope.visible_site_ids(principal)
    listed: dict[int, list[int]] = {}
    asset_site: dict[int, int] = {}
    region_sites: dict[int, set[int]] = {}
    if rows:
        for r in await PMScheduleSite.select(PMScheduleSite.schedule, PMScheduleSite.site):
            listed.setdefault(r["schedule"], []).append(r["site"])
        asset_ids = list({row["asset"] for row in rows if row["asset"] is not None})
        if asset_ids:
            for r in await Asset.select(Asset.id, Asset.site).where(Asset.id.is_in(asset_ids)):
                asset_site[r["id"]] = r["site"]
        region_ids = list({row["region"] for row in rows if row["region"] is not None})
        if region_ids:
            for r in await Site.select(Site.id, Site.region).where(Site.region.is_in(region_ids)):
                region_sites.setdefault(r["region"], set()).add(r["id"])
    result = []
    for row in rows:
        sites = sorted(listed.get(row["id"], []))
        if row["asset"] is not None:
            covered = {asset_site[row["asset"]]} if row["asset"] in asset_site else set()
        elif row["region"] is not None:
            covered = region_sites.get(row["region"], set())
        else:
            covered = set(sites)
        if visible is not None and not covered & visible:
            continue
        if site_id is not None and site_id not in covered:
            continue
        result.append(to_read(row, sites))
    end = None if limit is None else offset + limit
    return Page(
        items=result[offset:end], total=len(result), limit=limit or len(result), offset=offset
    )


async def first_site(row: dict[str, Any]) -> dict[str, Any] | None:
    """The first covered site (its time zone is the preview's)."""
    ids = sorted(await schedule_site_ids(row))
    if not ids:
        return None
    return await Site.select().where(Site.id == ids[0]).first()


# ---- meter readings -----------------------------------------------------------------


async def asset_site(principal: Principal, asset_id: int) -> int:
    """The site of an asset the caller may see (404 otherwise)."""
    row = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
    if row is None:
        raise NotFound()
    await scope.require_site(principal, row["site"])
    return int(row["site"])


async def scoped_assets(principal: Principal) -> list[dict[str, Any]]:
    """Assets (not retired) the caller may schedule, for the form's select."""
    query = Asset.select(Asset.id, Asset.name, Asset.site, Asset.site.name).where(
        Asset.status != "retired"
    )
    visible = await scope.visible_site_ids(principal)
    if visible is not None:
        if not visible:
            return []
        query = query.where(Asset.site.is_in(list(visible)))
    return await query.order_by(Asset.name).limit(500)


# ---- preview ------------------------------------------------------------------------


async def preview(principal: Principal, data: PreviewRequest) -> PreviewRead:
    """The next occurrences of a rule from now (or its start), in the site's time zone with
    its holidays and closures (for the form, before saving)."""
    from_rule = resolve_rrule(data.rrule, data.recurrence)
    if not from_rule:
        raise RuleViolation("rrule", _("Give a recurrence rule."))
    time_zone = data.time_zone
    closed: set[date] = set()
    if data.site_id is not None:
        await scope.require_site(principal, data.site_id)
        site = await site_queries.get_site(principal, data.site_id)
        time_zone = site.time_zone
        today = clock.now().date()
        closed = {
            h.day
            for h in await site_queries.closed_days(site, today, today + timedelta(days=3 * 366))
        }
    elif time_zone not in available_timezones():
        raise RuleViolation("time_zone", _("Unknown time zone."))
    start = data.dtstart_local.replace(tzinfo=None, second=0, microsecond=0)
    now = clock.now()
    found = recurrence.occurrences(
        from_rule,
        start,
        time_zone,
        after=now,
        before=now + timedelta(days=366 * 10),
        closed_days=closed,
        limit=data.count,
    )
    zone = ZoneInfo(time_zone)
    return PreviewRead(
        rrule=from_rule,
        time_zone=time_zone,
        occurrences=[o.utc.astimezone(zone) for o in found],
    )


def resolve_rrule(rrule: str | None, builder: RecurrenceFields | None) -> str:
    """The RRULE text: the raw one, or the one the form's builder fields make."""
    if builder is not None:
        return recurrence.build(
            frequency=builder.frequency,
            interval=builder.interval,
            weekdays=builder.weekdays,
            month_day=builder.month_day,
            nth=builder.nth,
            months=builder.months,
        )
    return (rrule or "").strip()


# ---- form choices -------------------------------------------------------------------


async def form_options(principal: Principal) -> dict[str, Any]:
    """Choices of the schedule form, limited to the caller's sites and regions."""
    visible = await scope.visible_site_ids(principal)
    sites_query = Site.select(Site.id, Site.name, Site.code, Site.time_zone).where(
        Site.archived.eq(False)
    )
    if visible is not None:
        sites_query = sites_query.where(Site.id.is_in(list(visible) or [-1]))
    regions = await scope.visible_region_ids(principal)
    regions_query = Region.select(Region.id, Region.name)
    if regions is not None:
        regions_query = regions_query.where(Region.id.is_in(list(regions) or [-1]))
    return {
        "assets": await scoped_assets(principal),
        "sites": await sites_query.order_by(Site.name),
        "regions": await regions_query.order_by(Region.name),
        "categories": await AssetCategory.select(AssetCategory.id, AssetCategory.name).order_by(
            AssetCategory.name
        ),
        "partners": await PartnerOrganisation.select(
            PartnerOrganisation.id, PartnerOrganisation.name
        )
        .where(PartnerOrganisation.active.eq(True))
        .order_by(PartnerOrganisation.name),
        "templates": await ChecklistTemplate.select(ChecklistTemplate.id, ChecklistTemplate.name)
        .where(ChecklistTemplate.active.eq(True))
        .order_by(ChecklistTemplate.name),
    }


async def schedule_occurrences(schedule_id: int, limit: int = 24) -> list[dict[str, Any]]:
    """The latest occurrences of a schedule with their work orders (detail page)."""
    return (
        await PMOccurrence.select(
            PMOccurrence.asset,
            PMOccurrence.asset.name,
            PMOccurrence.asset.site.time_zone.as_alias("time_zone"),  # type: ignore[union-attr]
            PMOccurrence.occurrence_key,
            PMOccurrence.due_at,
            PMOccurrence.status,
            PMOccurrence.work_order,
            PMOccurrence.work_order.status,
        )
        .where(PMOccurrence.schedule == schedule_id)
        .order_by(PMOccurrence.due_at, ascending=False)
        .limit(limit)
    )
