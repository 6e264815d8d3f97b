"""Writes of the sites domain: one transaction each, scoped, audited."""

from __future__ import annotations

from enum import Enum
from typing import Any

import msgspec

from facilities.accounts import audit, cache
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import User
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import queries, scope
from facilities.sites.calendar import check_holiday_region, check_opening_hours, check_time_zone
from facilities.sites.schemas import (
    OPERATIONAL_FIELDS,
    AccessRead,
    AccessUpdate,
    ClosureCreate,
    ClosureRead,
    RegionCreate,
    RegionRead,
    RegionUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
    SpaceCreate,
    SpaceRead,
    SpaceUpdate,
)
from facilities.sites.tables import (
    ClosureDay,
    Region,
    RegionAssignment,
    Site,
    SiteAssignment,
    Space,
)


def _as_dict(struct: msgspec.Struct) -> dict[str, Any]:
    return msgspec.to_builtins(struct)


# ---- regions --------------------------------------------------------------------------


async def create_region(*, actor: Principal, data: RegionCreate) -> RegionRead:
    name = data.name.strip()
    async with transaction():
        if await Region.exists().where(Region.name == name):
            raise Conflict(_("A region with this name already exists."), field="name")
        region = Region(name=name, created_at=clock.now())
        await region.save()
        await audit.record(
            actor=actor,
            action="region.create",
            object_type="region",
            object_id=region.id,
            summary=name,
            after={"name": name},
        )
    return RegionRead(id=region.id, name=name, site_count=0)


async def update_region(*, actor: Principal, region_id: int, data: RegionUpdate) -> RegionRead:
    name = data.name.strip()
    async with transaction():
        before = await queries.get_region(actor, region_id)
        if await Region.exists().where((Region.name == name) & (Region.id != region_id)):
            raise Conflict(_("A region with this name already exists."), field="name")
        await Region.update({Region.name: name}).where(Region.id == region_id)
        await audit.record(
            actor=actor,
            action="region.update",
            object_type="region",
            object_id=region_id,
            summary=name,
            before={"name": before.name},
            after={"name": name},
        )
    return RegionRead(id=region_id, name=name, site_count=before.site_count)


# ---- sites ----------------------------------------------------------------------------


async def _check_site_rules(values: dict[str, Any], site_id: int | None) -> None:
    if "time_zone" in values:
        check_time_zone(values["time_zone"])
    if "opening_hours" in values:
        values["opening_hours"] = check_opening_hours(values["opening_hours"])
    if "holiday_country" in values or "holiday_subdivision" in values:
        check_holiday_region(
            values.get("holiday_country", "DE"), values.get("holiday_subdivision", "")
        )
    if "code" in values:
        values["code"] = values["code"].upper()
        clash = Site.code == values["code"]
        if site_id is not None:
            clash = clash & (Site.id != site_id)
        if await Site.exists().where(clash):
            raise Conflict(_("Another site already uses this code."), field="code")
    if "country" in values:
        values["country"] = values["country"].upper()
    if "holiday_country" in values:
        values["holiday_country"] = values["holiday_country"].upper()
    if "holiday_subdivision" in values:
        values["holiday_subdivision"] = values["holiday_subdivision"].upper()


async def _require_region_for_change(actor: Principal, region_id: int) -> None:
    if not await Region.exists().where(Region.id == region_id):
        raise RuleViolation("region_id", _("Unknown region."))
    regions = await scope.visible_region_ids(actor)
    if regions is not None and region_id not in regions:
        raise RuleViolation("region_id", _("You may only manage sites in your own regions."))


async def create_site(*, actor: Principal, data: SiteCreate) -> SiteRead:
    values = _as_dict(data)
    region_id = values.pop("region_id")
    async with transaction():
        await _require_region_for_change(actor, region_id)
        await _check_site_rules(values, None)
        now = clock.now()
        site = Site(region=region_id, created_at=now, updated_at=now, archived=False, **values)
        await site.save()
        actor.memo.clear()
        result = await queries.get_site(actor, site.id)
        await audit.record(
            actor=actor,
            action="site.create",
            object_type="site",
            object_id=site.id,
            site_id=site.id,
            summary=f"{result.code} {result.name}",
            after=_as_dict(result),
        )
    cache.clear()
    return result


async def update_site(*, actor: Principal, site_id: int, data: SiteUpdate) -> SiteRead:
    values = {
        name: value.value if isinstance(value, Enum) else value
        for name in data.__struct_fields__
        if (value := getattr(data, name)) is not msgspec.UNSET
    }
    if not actor.can("sites.change"):
        forbidden = set(values) - OPERATIONAL_FIELDS
        if forbidden:
            raise PermissionDenied(
                _("You may only change opening hours, access notes and reporting settings.")
            )
    async with transaction():
        before = await queries.get_site(actor, site_id)
        if "region_id" in values:
            values["region"] = values.pop("region_id")
            await _require_region_for_change(actor, values["region"])
        await _check_site_rules(values, site_id)
        if values:
            values["updated_at"] = clock.now()
            await Site.update({getattr(Site, k): v for k, v in values.items()}).where(
                Site.id == site_id
            )
        after = await queries.get_site(actor, site_id)
        old, new = audit.diff(_as_dict(before), _as_dict(after))
        old.pop("updated_at", None)
        new.pop("updated_at", None)
        await audit.record(
            actor=actor,
            action="site.update",
            object_type="site",
            object_id=site_id,
            site_id=site_id,
            summary=f"{after.code} {after.name}",
            before=old,
            after=new,
        )
    if "region" in values:
        cache.clear()
    return after


async def set_site_archived(*, actor: Principal, site_id: int, archived: bool) -> SiteRead:
    async with transaction():
        before = await queries.get_site(actor, site_id)
        if before.archived != archived:
            await Site.update({Site.archived: archived, Site.updated_at: clock.now()}).where(
                Site.id == site_id
            )
            await audit.record(
                actor=actor,
                action="site.archive" if archived else "site.unarchive",
                object_type="site",
                object_id=site_id,
                site_id=site_id,
                summary=f"{before.code} {before.name}",
                before={"archived": before.archived},
                after={"archived": archived},
            )
        return await queries.get_site(actor, site_id)


async def delete_site(*, actor: Principal, site_id: int) -> None:
    async with transaction():
        site = await queries.get_site(actor, site_id)
        references = await queries.site_references(site_id)
        if references:
            raise Conflict(
                _("This site is still referred to by %(what)s. Archive it instead.")
                % {"what": ", ".join(references)}
            )
        await ClosureDay.delete().where(ClosureDay.site == site_id)
        await Site.delete().where(Site.id == site_id)
        await audit.record(
            actor=actor,
            action="site.delete",
            object_type="site",
            object_id=site_id,
            site_id=site_id,
            summary=f"{site.code} {site.name}",
            before=_as_dict(site),
        )
    cache.clear()


# ---- closure days ---------------------------------------------------------------------


async def add_closure(*, actor: Principal, site_id: int, data: ClosureCreate) -> ClosureRead:
    async with transaction():
        await scope.require_site(actor, site_id)
        if await ClosureDay.exists().where(
            (ClosureDay.site == site_id) & (ClosureDay.day == data.day)
        ):
            raise Conflict(_("This day is already marked as closed."), field="day")
        row = ClosureDay(site=site_id, day=data.day, reason=data.reason.strip())
        await row.save()
        await audit.record(
            actor=actor,
            action="site.closure_add",
            object_type="site",
            object_id=site_id,
            site_id=site_id,
            summary=f"{data.day.isoformat()} {data.reason}",
            after={"day": data.day, "reason": data.reason},
        )
    return ClosureRead(id=row.id, day=data.day, reason=row.reason)


async def remove_closure(*, actor: Principal, site_id: int, closure_id: int) -> None:
    async with transaction():
        await scope.require_site(actor, site_id)
        row = (
            await ClosureDay.select()
            .where((ClosureDay.id == closure_id) & (ClosureDay.site == site_id))
            .first()
        )
        if row is None:
            raise NotFound()
        await ClosureDay.delete().where(ClosureDay.id == closure_id)
        await audit.record(
            actor=actor,
            action="site.closure_remove",
            object_type="site",
            object_id=site_id,
            site_id=site_id,
            summary=row["day"].isoformat(),
            before={"day": row["day"]},
        )


# ---- spaces ---------------------------------------------------------------------------


async def _check_parent(site_id: int, parent_id: int | None, space_id: int | None = None) -> None:
    if parent_id is None:
        return
    parent = await Space.select(Space.site, Space.parent).where(Space.id == parent_id).first()
    if parent is None or parent["site"] != site_id:
        raise RuleViolation("parent_id", _("The parent space must belong to the same site."))
    # Refuse cycles: walk up from the parent.
    current: int | None = parent_id
    seen: set[int] = set()
    while current is not None and space_id is not None:
        if current == space_id or current in seen:
            raise RuleViolation("parent_id", _("A space cannot be inside itself."))
        seen.add(current)
        row = await Space.select(Space.parent).where(Space.id == current).first()
        current = row["parent"] if row else None


async def _check_space_name(
    site_id: int, parent_id: int | None, name: str, space_id: int | None
) -> None:
    clash = (Space.site == site_id) & (Space.name == name)
    clash = clash & (Space.parent.is_null() if parent_id is None else Space.parent == parent_id)
    if space_id is not None:
        clash = clash & (Space.id != space_id)
    if await Space.exists().where(clash):
        raise Conflict(_("A space with this name already exists here."), field="name")


async def create_space(*, actor: Principal, site_id: int, data: SpaceCreate) -> SpaceRead:
    name = data.name.strip()
    async with transaction():
        await scope.require_site(actor, site_id)
        await _check_parent(site_id, data.parent_id)
        await _check_space_name(site_id, data.parent_id, name, None)
        row = Space(
            site=site_id,
            parent=data.parent_id,
            name=name,
            kind=data.kind.value,
            archived=False,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="space.create",
            object_type="space",
            object_id=row.id,
            site_id=site_id,
            summary=name,
            after={"name": name, "kind": data.kind.value},
        )
        return await queries.get_space(actor, row.id)


async def update_space(*, actor: Principal, space_id: int, data: SpaceUpdate) -> SpaceRead:
    async with transaction():
        before = await queries.get_space(actor, space_id)
        values: dict[Any, Any] = {}
        name = before.name if data.name is msgspec.UNSET else data.name.strip()
        parent = before.parent_id if data.parent_id is msgspec.UNSET else data.parent_id
        if data.parent_id is not msgspec.UNSET:
            await _check_parent(before.site_id, parent, space_id)
            values[Space.parent] = parent
        if data.name is not msgspec.UNSET or data.parent_id is not msgspec.UNSET:
            await _check_space_name(before.site_id, parent, name, space_id)
            values[Space.name] = name
        if data.kind is not msgspec.UNSET:
            values[Space.kind] = data.kind.value
        if data.archived is not msgspec.UNSET:
            values[Space.archived] = data.archived
        if values:
            await Space.update(values).where(Space.id == space_id)
        after = await queries.get_space(actor, space_id)
        old, new = audit.diff(_as_dict(before), _as_dict(after))
        await audit.record(
            actor=actor,
            action="space.update",
            object_type="space",
            object_id=space_id,
            site_id=before.site_id,
            summary=after.path,
            before=old,
            after=new,
        )
        return after


# ---- access (who sees which sites) ----------------------------------------------------


async def set_access(*, actor: Principal, user_id: int, data: AccessUpdate) -> AccessRead:
    async with transaction():
        user = await User.select(User.role, User.email).where(User.id == user_id).first()
        if user is None:
            raise NotFound()
        role = Role(user["role"])
        site_ids, region_ids = sorted(set(data.site_ids)), sorted(set(data.region_ids))
        if site_ids and role not in (Role.community_manager, Role.viewer):
            raise RuleViolation(
                "site_ids", _("Only community managers and viewers are assigned to sites.")
            )
        if region_ids and role not in (Role.ops_manager, Role.viewer):
            raise RuleViolation(
                "region_ids", _("Only ops managers and viewers are assigned to regions.")
            )
        if site_ids and await Site.count().where(Site.id.is_in(site_ids)) != len(site_ids):
            raise RuleViolation("site_ids", _("Unknown site."))
        if region_ids and await Region.count().where(Region.id.is_in(region_ids)) != len(
            region_ids
        ):
            raise RuleViolation("region_ids", _("Unknown region."))
        before = await queries.get_access(user_id)
        await SiteAssignment.delete().where(SiteAssignment.user == user_id)
        await RegionAssignment.delete().where(RegionAssignment.user == user_id)
        if site_ids:
            await SiteAssignment.insert(*(SiteAssignment(user=user_id, site=s) for s in site_ids))
        if region_ids:
            await RegionAssignment.insert(
                *(RegionAssignment(user=user_id, region=r) for r in region_ids)
            )
        after = await queries.get_access(user_id)
        await audit.record(
            actor=actor,
            action="user.access",
            object_type="user",
            object_id=user_id,
            summary=user["email"],
            before={"site_ids": before.site_ids, "region_ids": before.region_ids},
            after={"site_ids": after.site_ids, "region_ids": after.region_ids},
        )
    cache.clear()
    return after
