"""Reporting reads: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import FromQuery, QueryParameter

from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.errors import NotFound
from facilities.kit.listing import QueryId, Search
from facilities.kit.rows import dict_rows
from facilities.kit.schema import Page
from facilities.sites.scope import require_site, visible_region_ids, visible_site_ids

Aware = Annotated[datetime, msgspec.Meta(tz=True)]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """The audit trail's filters, read by its API and its page (``kit.listing``): the kind
    of record (``object_type``) and the action as codes (the page offers them as selects in
    words, ``audit_labels``), who, when (``since`` ≤ time < ``until``), words in the summary
    or the actor's name (``q``); ``sort``: newest or oldest first."""

    object_type: Annotated[str | None, QueryParameter(max_length=60)] = None
    action: Annotated[str | None, QueryParameter(max_length=80)] = None
    actor_id: QueryId = None
    since: FromQuery[Aware | None] = None
    until: FromQuery[Aware | None] = None
    q: Search = None
    sort: FromQuery[Literal["newest", "oldest"]] = "newest"

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


async def audit_page(
    principal: Principal,
    *,
    object_type: str | None,
    action: str | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    q: str | None = None,
    sort: str = "newest",
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
        q=q,
        oldest_first=sort == "oldest",
        limit=limit,
        offset=offset,
    )


# ---- scopes of the dashboards --------------------------------------------------------


async def scope_sites(
    principal: Principal, *, region_id: int | None = None, site_id: int | None = None
) -> tuple[str, list[dict[str, Any]]]:
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


# ---- exports --------------------------------------------------------------------------

EXPORT_BATCH = 2000


async def work_order_batches(
    principal: Principal, *, open_only: bool
) -> AsyncIterator[list[dict[str, Any]]]:
    """The caller's work orders in id order, a batch at a time (keyset: never OFFSET), so an
    export of 100,000 rows holds one batch in memory."""
    visible = await visible_site_ids(principal)
    if visible is not None and not visible:
        return
    where = ""
    if visible is not None:
        where += " AND w.site IN (" + ",".join(str(int(s)) for s in sorted(visible)) + ")"
    if principal.partner_organisation_id is not None:
        where += f" AND w.partner_organisation = {int(principal.partner_organisation_id)}"
    if open_only:
        where += " AND w.status NOT IN ('completed', 'verified', 'cancelled')"
    last = 0
    while True:
        rows = await dict_rows(
            "SELECT w.id, w.title, w.description, w.kind, w.status, w.priority, w.trade,"  # noqa: S608
            " w.created_at, w.due_at, w.completed_at, s.name AS site_name, s.time_zone,"
            " a.name AS asset_name, p.name AS partner_name, u.email AS assignee_email"
            " FROM work_order w JOIN site s ON s.id = w.site"
            " LEFT JOIN asset a ON a.id = w.asset"
            " LEFT JOIN partner_organisation p ON p.id = w.partner_organisation"
            " LEFT JOIN app_user u ON u.id = w.assignee"
            f" WHERE w.id > {{}}{where} ORDER BY w.id LIMIT {EXPORT_BATCH}",
            last,
        )
        if not rows:
            return
        yield rows
        last = int(rows[-1]["id"])


async def schedule_rows(principal: Principal) -> list[dict[str, Any]]:
    """Active PM schedules that touch the caller's sites, with their next open order's due
    time and how many assets they cover."""
    visible = await visible_site_ids(principal)
    if visible is not None and not visible:
        return []
    where = ""
    if visible is not None:
        where = " AND w.site IN (" + ",".join(str(int(s)) for s in sorted(visible)) + ")"
    return await dict_rows(
        "SELECT sc.id, sc.name, sc.description, sc.rrule, sc.priority,"  # noqa: S608
        " MIN(CASE WHEN w.status NOT IN ('completed', 'verified', 'cancelled')"
        " THEN w.due_at END) AS next_due, COUNT(DISTINCT w.asset) AS assets,"
        " MIN(s.name) AS site_name, MIN(s.time_zone) AS time_zone"
        " FROM pm_schedule sc JOIN work_order w ON w.schedule = sc.id"
        f" JOIN site s ON s.id = w.site WHERE sc.active = {{}}{where}"
        " GROUP BY sc.id, sc.name, sc.description, sc.rrule, sc.priority ORDER BY sc.name",
        True,
    )
