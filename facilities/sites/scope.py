"""Scoping in one place: which regions and sites a principal may see.

Every query of a site-bound resource goes through ``visible_site_ids``; an id outside the
scope answers 404 (``require_site``), never 403, so ids of other sites leak nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit.errors import NotFound
from facilities.sites.tables import Region, RegionAssignment, Site, SiteAssignment

# Partners see the sites of their work. The work lives in a domain above this one, so it
# registers how to find those sites (a hook, not an upward import).
PartnerSites = Callable[[int], Awaitable[set[int]]]
_partner_sites: PartnerSites | None = None


def register_partner_sites(resolver: PartnerSites | None) -> None:
    """Set (``None``: forget) the resolver; ``facilities.wiring.install`` sets it."""
    global _partner_sites
    _partner_sites = resolver


def partner_sites_resolver() -> PartnerSites | None:
    return _partner_sites


async def visible_region_ids(principal: Principal) -> set[int] | None:
    """None means every region (admins)."""
    if principal.role is Role.admin:
        return None
    cached = principal.memo.get("region_ids")
    if cached is None:
        rows = await RegionAssignment.select(RegionAssignment.region).where(
            RegionAssignment.user == principal.user_id
        )
        cached = frozenset(r["region"] for r in rows)
        principal.memo["region_ids"] = cached
    return set(cached)


async def visible_site_ids(principal: Principal) -> set[int] | None:
    """None means every site (admins). Partners see sites through their work (later issues)."""
    if principal.role is Role.admin:
        return None
    cached = principal.memo.get("site_ids")
    if cached is None:
        ids: set[int] = set()
        if principal.role in (Role.ops_manager, Role.viewer):
            regions = await visible_region_ids(principal)
            if regions:
                rows = await Site.select(Site.id).where(Site.region.is_in(list(regions)))
                ids.update(r["id"] for r in rows)
        partner = principal.partner_organisation_id
        if principal.role is Role.partner and partner is not None and _partner_sites is not None:
            ids.update(await _partner_sites(partner))
        if principal.role in (Role.community_manager, Role.viewer):
            rows = await SiteAssignment.select(SiteAssignment.site).where(
                SiteAssignment.user == principal.user_id
            )
            ids.update(r["site"] for r in rows)
        cached = frozenset(ids)
        principal.memo["site_ids"] = cached
    return set(cached)


async def can_see_site(principal: Principal, site_id: int) -> bool:
    """Does the site exist and may the principal see it?

    Non-admins' visible ids come from existing rows; for admins ("every site") existence is
    checked here, so no caller can pass an unknown parent id on to an insert.
    """
    visible = await visible_site_ids(principal)
    if visible is not None:
        return site_id in visible
    return bool(await Site.exists().where(Site.id == site_id))


async def require_site(principal: Principal, site_id: int) -> None:
    if not await can_see_site(principal, site_id):
        raise NotFound()


async def require_region(principal: Principal, region_id: int) -> None:
    visible = await visible_region_ids(principal)
    if visible is None:
        if not await Region.exists().where(Region.id == region_id):
            raise NotFound()
    elif region_id not in visible:
        raise NotFound()
