"""Reporting reads: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

from datetime import datetime

from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.rows import dict_rows
from facilities.kit.schema import Page
from facilities.kit.errors import NotFound
from facilities.sites.scope import require_site, visible_region_ids, visible_site_ids


async def audit_page(
    principal: Principal,
    *,
    object_type: str | None,
    action: str | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> Page[AuditEventRead]:
    site_ids = None if principal.is_admin else await visible_site_ids(principal)
    return await account_queries.list_audit_events(
        site_ids=site_ids,
        object_type=object_type,
        action=action,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )


# ---- scopes of the dashboards --------------------------------------------------------


async def scope_sites(
    principal: Principal, *, region_id: int | None = None, site_id: int | None = None
) -> tuple[str, list[dict[str, object]]]:
    """The sites a dashboard counts: one site, a region's sites, or every site the caller
    sees, never beyond the caller's scope (a foreign or unknown id answers 404). Returns the
    scope's label and its sites (id, name, region, floor area, desks), archived ones too."""
    visible = await visible_site_ids(principal)
    where = ""
    if site_id is not None:
        await require_site(principal, site_id)
        where = f" WHERE s.id = {int(site_id)}"
    elif region_id is not None:
        regions = await visible_region_ids(principal)
        if regions is None or region_id not in regions:
            await _require_region_of_a_site(region_id, visible)
        where = f" WHERE s.region = {int(region_id)}"
    rows = await dict_rows(
        "SELECT s.id, s.name, s.region, r.name AS region_name, s.floor_area_m2, s.desks"  # noqa: S608
        f' FROM "site" s JOIN "region" r ON r.id = s.region{where} ORDER BY s.name, s.id'
    )
    if visible is not None:
        rows = [r for r in rows if int(str(r["id"])) in visible]
    if site_id is not None:
        label = str(rows[0]["name"]) if rows else ""
    elif region_id is not None:
        names = await dict_rows(f'SELECT name FROM "region" WHERE id = {int(region_id)}')  # noqa: S608
        label = str(names[0]["name"]) if names else ""
    else:
        label = ""
    return label, rows


async def _require_region_of_a_site(region_id: int, visible: set[int] | None) -> None:
    """A region the caller is not assigned to counts when one of its sites is visible (a
    community manager's region); only those sites are counted. Otherwise 404."""
    rows = await dict_rows(f'SELECT id FROM "site" WHERE region = {int(region_id)}')  # noqa: S608
    ids = {int(r["id"]) for r in rows}
    if not ids or (visible is not None and not ids & visible):
        raise NotFound()
