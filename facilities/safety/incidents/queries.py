"""Reads of incidents, scoped in one place (``visibility``).

Who sees which incident:

* admins every one; ops managers every one at their sites, confidential ones included;
* community managers and viewers the non-confidential ones at their sites;
* partners none but their own reports;
* everyone their own reports, whatever else applies.

An incident outside that answers 404 (ids leak nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, aware_or_none, to_struct
from facilities.safety.incidents.schemas import IncidentRead
from facilities.safety.incidents.tables import Incident, IncidentAction, IncidentPhoto
from facilities.sites import scope

SEES_CONFIDENTIAL = frozenset({Role.admin, Role.ops_manager})
SEES_SITE_INCIDENTS = frozenset({Role.admin, Role.ops_manager, Role.community_manager, Role.viewer})


async def visibility(principal: Principal) -> Any | None:
    """The condition on ``Incident`` rows the principal may see (None: every row)."""
    if principal.role is Role.admin:
        return None
    own = Incident.reported_by == (principal.user_id or -1)
    if principal.role not in SEES_SITE_INCIDENTS:
        return own
    sites = await scope.visible_site_ids(principal) or set()
    at_sites: Any = Incident.site.is_in(sorted(sites) or [-1])
    if principal.role not in SEES_CONFIDENTIAL:
        at_sites = at_sites & (Incident.confidential == False)  # noqa: E712
    return own | at_sites


def _columns() -> list[Any]:
    return [
        *Incident.all_columns(),
        Incident.site.name.as_alias("site_name"),
        Incident.site.time_zone.as_alias("time_zone"),
        Incident.asset.name.as_alias("asset_name"),
        Incident.reported_by.name.as_alias("reported_by_name"),
    ]


def _read(
    row: dict[str, Any], principal: Principal, photos: list[int], orders: list[int]
) -> IncidentRead:
    investigator = principal.can("incidents.investigate")
    return to_struct(
        IncidentRead,
        row,
        {
            "site_id": "site",
            "space_id": "space",
            "asset_id": "asset",
            "reported_by_id": "reported_by",
        },
        occurred_at=aware(row["occurred_at"]),
        created_at=aware(row["created_at"]),
        insurer_deadline=aware_or_none(row["insurer_deadline"]),
        insurer_notified_at=aware_or_none(row["insurer_notified_at"]),
        closed_at=aware_or_none(row["closed_at"]),
        injury_kind=row["injury_kind"] or None,
        reporter_email=row["reporter_email"] if investigator else "",
        photo_ids=photos,
        work_order_ids=orders,
    )


async def incident_row(principal: Principal, incident_id: int) -> dict[str, Any]:
    """The row of a visible incident (404 otherwise)."""
    query = Incident.select(*_columns()).where(Incident.id == incident_id)
    condition = await visibility(principal)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise NotFound()
    return dict(row)


async def get_incident(principal: Principal, incident_id: int) -> IncidentRead:
    row = await incident_row(principal, incident_id)
    photos = (
        await IncidentPhoto.select(IncidentPhoto.id)
        .where(IncidentPhoto.incident == incident_id)
        .order_by(IncidentPhoto.id)
    )
    orders = (
        await IncidentAction.select(IncidentAction.work_order)
        .where(IncidentAction.incident == incident_id)
        .order_by(IncidentAction.id)
    )
    return _read(row, principal, [p["id"] for p in photos], [o["work_order"] for o in orders])


async def list_incidents(
    principal: Principal,
    *,
    site_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[IncidentRead]:
    query = Incident.select(*_columns())
    condition = await visibility(principal)
    if condition is not None:
        query = query.where(condition)
    if site_id is not None:
        query = query.where(Incident.site == site_id)
    if kind is not None:
        query = query.where(Incident.kind == kind)
    if status is not None:
        query = query.where(Incident.status == status)
    if since is not None:
        query = query.where(Incident.occurred_at >= since)
    if until is not None:
        query = query.where(Incident.occurred_at < until)
    rows = await query.order_by(Incident.occurred_at, ascending=False).limit(limit)
    return [_read(dict(r), principal, [], []) for r in rows]


async def photo_of(principal: Principal, incident_id: int, photo_id: int) -> tuple[str, str]:
    await incident_row(principal, incident_id)
    row = await (
        IncidentPhoto.select(IncidentPhoto.file_key, IncidentPhoto.content_type)
        .where((IncidentPhoto.id == photo_id) & (IncidentPhoto.incident == incident_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row["file_key"], row["content_type"]
