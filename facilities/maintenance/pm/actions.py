"""Writes of preventive maintenance: schedules (edits affect future occurrences only),
meter readings, calendar feeds.

Every write of a schedule inserts one or bumps its ``version`` (its sites, ``pm_schedule_site``,
are written only with a new schedule): the agenda's fast refresh (``planned``) finds what
changed by the versions, so a write that does neither would leave the calendar stale."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.assets.tables import Asset, AssetCategory
from facilities.db import transaction
from facilities.kit import clock, recurrence
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import aware, to_struct
from facilities.maintenance.pm import compliance_summary, queries
from facilities.maintenance.pm.queries import resolve_rrule
from facilities.maintenance.pm.schemas import (
    FeedCreate,
    FeedRead,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
)
from facilities.maintenance.tables import (
    CalendarFeed,
    ChecklistTemplate,
    PMSchedule,
    PMScheduleSite,
)
from facilities.settings import get_settings
from facilities.sites import scope
from facilities.sites.tables import Region, Site

TIME_MODES = ("fixed", "time_or_meter")
METER_MODES = ("meter", "time_or_meter")


async def _check_target(actor: Principal, data: ScheduleCreate) -> list[int]:
    """Exactly one asset, or a category in some sites or a region, all in the caller's
    scope; a foreign one is refused naming the field. Returns the listed site ids."""
    if (data.asset_id is None) == (data.category_id is None):
        raise RuleViolation("asset_id", _("Choose one asset or one asset category."))
    if data.asset_id is not None:
        if data.site_ids or data.region_id is not None:
            raise RuleViolation("site_ids", _("A schedule for one asset takes no sites."))
        asset = (
            await Asset.select(Asset.site, Asset.status).where(Asset.id == data.asset_id).first()
        )
        if asset is None or not await scope.can_see_site(actor, asset["site"]):
            raise RuleViolation("asset_id", _("Unknown asset."))
        if asset["status"] == "retired":
            raise RuleViolation("asset_id", _("This asset is retired."))
        return []
    if not await AssetCategory.exists().where(AssetCategory.id == data.category_id):
        raise RuleViolation("category_id", _("Unknown category."))
    if bool(data.site_ids) == (data.region_id is not None):
        raise RuleViolation("site_ids", _("Choose the sites or one region."))
    if data.region_id is not None:
        if not await Region.exists().where(Region.id == data.region_id):
            raise RuleViolation("region_id", _("Unknown region."))
        regions = await scope.visible_region_ids(actor)
        if regions is not None and data.region_id not in regions:
            raise RuleViolation("region_id", _("You may not schedule work in this region."))
        return []
    site_ids = sorted(set(data.site_ids))
    found = {r["id"] for r in await Site.select(Site.id).where(Site.id.is_in(site_ids))}
    visible = await scope.visible_site_ids(actor)
    for site_id in site_ids:
        if site_id not in found or (visible is not None and site_id not in visible):
            raise RuleViolation(
                "site_ids", _("You may not schedule work at site %(id)s.") % {"id": site_id}
            )
    return site_ids


async def _check_refs(values: dict[str, Any]) -> None:
    partner = values.get("partner_organisation_id")
    if partner is not None and not await PartnerOrganisation.exists().where(
        PartnerOrganisation.id == partner
    ):
        raise RuleViolation("partner_organisation_id", _("Unknown partner organisation."))
    template = values.get("checklist_template_id")
    if template is not None and not await ChecklistTemplate.exists().where(
        ChecklistTemplate.id == template
    ):
        raise RuleViolation("checklist_template_id", _("Unknown checklist template."))


def _check_rules(values: dict[str, Any], time_zone: str) -> None:
    """Mode-specific fields (a raw or built RRULE, floating interval, meter interval)."""
    mode = values["mode"]
    months = values.get("active_months") or []
    if any(not 1 <= int(m) <= 12 for m in months):
        raise RuleViolation("active_months", _("Months are 1 to 12."))
    if mode in TIME_MODES:
        if not values.get("rrule"):
            raise RuleViolation("rrule", _("Give a recurrence rule."))
        if values.get("dtstart_local") is None:
            raise RuleViolation("dtstart_local", _("Give the first date and time."))
        recurrence.parse(values["rrule"], values["dtstart_local"], time_zone)
    if mode == "floating":
        every = values.get("floating_every")
        if every is None or not 1 <= every <= 3650:
            raise RuleViolation("floating_every", _("Give an interval from 1 to 3650."))
    if mode in METER_MODES:
        meter = values.get("meter_every")
        if meter is None or meter <= 0:
            raise RuleViolation("meter_every", _("Give a positive meter interval."))


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        raise RuleViolation("dtstart_local", _("Give a local date and time without offset."))
    return value.replace(second=0, microsecond=0)


async def _zone_of(site_ids: set[int]) -> str:
    if not site_ids:
        return "UTC"
    row = await Site.select(Site.time_zone).where(Site.id == min(site_ids)).first()
    return str(row["time_zone"]) if row else "UTC"


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Schema values → table columns."""
    start = values.get("dtstart_local")
    meter = values.get("meter_every")
    return {
        "name": values["name"].strip(),
        "description": values.get("description", ""),
        "mode": values["mode"],
        "rrule": values.get("rrule") or "",
        "dtstart_local": start.isoformat(timespec="seconds") if start else "",
        "floating_every": values.get("floating_every"),
        "floating_unit": values.get("floating_unit", "days"),
        "meter_every": Decimal(str(meter)) if meter is not None else None,
        "lead_days": values.get("lead_days", 0),
        "skip_closed_days": values.get("skip_closed_days", True),
        "active_months": sorted({int(m) for m in values.get("active_months") or []}),
        "end_date": values.get("end_date"),
        "max_count": values.get("max_count"),
        "catch_up": values.get("catch_up", "all"),
        "partner_organisation": values.get("partner_organisation_id"),
        "priority": values.get("priority", "p3"),
        "checklist_template": values.get("checklist_template_id"),
        "estimated_minutes": values.get("estimated_minutes"),
        "grace_days": values.get("grace_days", 0),
        "active": values.get("active", True),
    }


async def create_schedule(*, actor: Principal, data: ScheduleCreate) -> ScheduleRead:
    async with transaction():
        site_ids = await _check_target(actor, data)
        values = msgspec.structs.asdict(data)
        values["rrule"] = resolve_rrule(data.rrule, data.recurrence)
        values["dtstart_local"] = _local(data.dtstart_local)
        await _check_refs(values)
        covered = await queries.schedule_site_ids(
            {"id": 0, "asset": data.asset_id, "region": data.region_id}, site_ids
        )
        _check_rules(values, await _zone_of(covered))
        now = clock.now()
        row = PMSchedule(
            **_columns(values),
            asset=data.asset_id,
            category=data.category_id,
            region=data.region_id,
            effective_from=now,
            version=1,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        if site_ids:
            await PMScheduleSite.insert(
                *[PMScheduleSite(schedule=row.id, site=s) for s in site_ids]
            )
        await audit.record(
            actor=actor,
            action="schedule.create",
            object_type="pm_schedule",
            object_id=row.id,
            summary=row.name,
            site_id=min(covered) if covered else None,
        )
        return await queries.get_schedule(actor, row.id)


async def update_schedule(
    *, actor: Principal, schedule_id: int, data: ScheduleUpdate
) -> ScheduleRead:
    """Edit a schedule; already created occurrences stay, new ones start from now."""
    async with transaction():
        row = await queries.schedule_row(actor, schedule_id)
        if row["version"] != data.version:
            raise Conflict(_("Someone else changed this schedule; reload it."), field="version")
        current = queries.to_read(row, [])
        values = msgspec.structs.asdict(current)
        values["dtstart_local"] = (
            datetime.fromisoformat(row["dtstart_local"]) if row["dtstart_local"] else None
        )
        changes = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and k != "version"
        }
        values.update(changes)
        if "recurrence" in changes or "rrule" in changes:
            values["rrule"] = resolve_rrule(values.get("rrule"), values.get("recurrence"))
        if "dtstart_local" in changes:
            values["dtstart_local"] = _local(values["dtstart_local"])
        await _check_refs(changes)
        covered = await queries.schedule_site_ids(row)
        _check_rules(values, await _zone_of(covered))
        now = clock.now()
        columns = _columns(values)
        await PMSchedule.update(
            {
                **{getattr(PMSchedule, k): v for k, v in columns.items()},
                PMSchedule.effective_from: now,
                PMSchedule.version: row["version"] + 1,
                PMSchedule.updated_at: now,
            }
        ).where((PMSchedule.id == schedule_id) & (PMSchedule.version == row["version"]))
        if "grace_days" in changes:  # every past outcome of its orders is judged anew
            await compliance_summary.refresh_schedule(schedule_id)
        await audit.record(
            actor=actor,
            action="schedule.update",
            object_type="pm_schedule",
            object_id=schedule_id,
            summary=", ".join(sorted(changes)),
            site_id=min(covered) if covered else None,
        )
        return await queries.get_schedule(actor, schedule_id)


# ---- calendar feeds -----------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_FEED_KEYS = {
    "site_id": "site",
    "partner_organisation_id": "partner_organisation",
    "user_id": "user",
    "created_by_id": "created_by",
}


def _feed_read(row: dict[str, Any]) -> FeedRead:
    return to_struct(
        FeedRead,
        row,
        _FEED_KEYS,
        created_at=aware(row["created_at"]),
        revoked_at=aware(row["revoked_at"]) if row["revoked_at"] else None,
        created_by_name=row.get("creator_name") or "",
        # A feed whose creator is gone or deactivated publishes nothing.
        live=row["revoked_at"] is None
        and row["created_by"] is not None
        and bool(row["creator_active"]),
    )


async def create_feed(*, actor: Principal, data: FeedCreate) -> FeedRead:
    """A secret feed URL; only the token's hash is stored (shown once)."""
    async with transaction():
        site_id = partner_id = user_id = None
        if data.kind == "site" and actor.partner_organisation_id is not None:
            # A site's feed lists every partner's work there: not for partners.
            raise RuleViolation("kind", _("You may not do this."))
        if data.kind == "site":
            if data.site_id is None or not await scope.can_see_site(actor, data.site_id):
                raise RuleViolation("site_id", _("Unknown site."))
            site_id = data.site_id
        elif data.kind == "partner":
            partner_id = data.partner_organisation_id
            if actor.partner_organisation_id is not None:
                partner_id = actor.partner_organisation_id
            elif not actor.can("partners.view"):
                raise RuleViolation("partner_organisation_id", _("Unknown partner."))
            if partner_id is None or not await PartnerOrganisation.exists().where(
                PartnerOrganisation.id == partner_id
            ):
                raise RuleViolation("partner_organisation_id", _("Unknown partner."))
        else:
            user_id = actor.user_id
        token = secrets.token_urlsafe(32)
        row = CalendarFeed(
            token_hash=token_hash(token),
            kind=data.kind,
            user=user_id,
            partner_organisation=partner_id,
            site=site_id,
            created_by=actor.user_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="calendar_feed.create",
            object_type="calendar_feed",
            object_id=row.id,
            summary=data.kind,
            site_id=site_id,
        )
        base = get_settings().base_url.rstrip("/")
        created = await _feed_by_id(row.id)
        return msgspec.structs.replace(created, url=f"{base}/calendar/{token}.ics")


def _manages_every_feed(actor: Principal) -> bool:
    """Admins (who manage users) see and revoke every user's feeds; others only their own."""
    return actor.can("users.manage")


def _feed_select() -> Any:
    return CalendarFeed.select(
        *CalendarFeed.all_columns(),
        CalendarFeed.created_by.name.as_alias("creator_name"),
        CalendarFeed.created_by.active.as_alias("creator_active"),
    )


async def _feed_by_id(feed_id: int) -> FeedRead:
    saved = await _feed_select().where(CalendarFeed.id == feed_id).first()
    assert saved is not None
    return _feed_read(saved)


async def list_feeds(actor: Principal, *, created_by: int | None = None) -> list[FeedRead]:
    """The caller's feeds; for admins every user's (optionally one creator's)."""
    query = _feed_select()
    if not _manages_every_feed(actor):
        query = query.where(CalendarFeed.created_by == actor.user_id)
    elif created_by is not None:
        query = query.where(CalendarFeed.created_by == created_by)
    rows = await query.order_by(CalendarFeed.id)
    return [_feed_read(r) for r in rows]


async def revoke_feed(*, actor: Principal, feed_id: int) -> FeedRead:
    async with transaction():
        query = CalendarFeed.select().where(CalendarFeed.id == feed_id)
        if not _manages_every_feed(actor):
            query = query.where(CalendarFeed.created_by == actor.user_id)
        row = await query.first()
        if row is None:
            raise NotFound()
        if row["revoked_at"] is None:
            await CalendarFeed.update({CalendarFeed.revoked_at: clock.now()}).where(
                CalendarFeed.id == feed_id
            )
        await audit.record(
            actor=actor,
            action="calendar_feed.revoke",
            object_type="calendar_feed",
            object_id=feed_id,
            site_id=row["site"],
        )
        return await _feed_by_id(feed_id)
