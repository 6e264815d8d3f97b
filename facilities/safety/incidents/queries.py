"""Reads of incidents, scoped in one place (``visibility``).

Who sees which incident:

* admins every one; ops managers every one at their sites, confidential ones included;
* community managers and viewers the non-confidential ones at their sites;
* partners none but their own reports;
* everyone their own reports, whatever else applies.

An incident outside that answers 404 (ids leak nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.params import FromQuery
from piccolo.columns.combination import WhereRaw

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import keyset
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import QueryId
from facilities.kit.rows import aware, aware_or_none, to_struct
from facilities.kit.schema import Page
from facilities.safety.incidents.enums import IncidentKind, IncidentStatus
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


@dataclass(frozen=True, slots=True)
class IncidentFilters:
    """The incident list's filters, read from the query string by its API and its page
    (``kit.listing``)."""

    site_id: QueryId = None
    kind: FromQuery[IncidentKind | None] = None
    status: FromQuery[IncidentStatus | None] = None

    def arguments(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "kind": self.kind.value if self.kind else None,
            "status": self.status.value if self.status else None,
        }


# Newest first; the id breaks ties. Pages after the first follow a cursor (``kit.keyset``);
# OFFSET only reaches the first rows (it reads and skips every row before the page).
SORT = "newest"
KEYS = (
    keyset.Key('"safety_incident"."occurred_at"', "occurred_at", "time", descending=True),
    keyset.Key('"safety_incident"."id"', "id", "int", descending=True),
)
MAX_OFFSET = 5_000


async def list_incidents(
    principal: Principal,
    *,
    site_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> Page[IncidentRead]:
    """A page of the incidents the caller may see, newest first. ``cursor``: the
    ``next_cursor`` of the page before (same filters); ``offset`` only up to 5,000."""
    conditions: list[Any] = []
    condition = await visibility(principal)
    if condition is not None:
        conditions.append(condition)
    if site_id is not None:
        conditions.append(Incident.site == site_id)
    if kind is not None:
        conditions.append(Incident.kind == kind)
    if status is not None:
        conditions.append(Incident.status == status)
    if since is not None:
        conditions.append(Incident.occurred_at >= since)
    if until is not None:
        conditions.append(Incident.occurred_at < until)
    query = Incident.select(*_columns())
    count = Incident.count()
    for c in conditions:
        query = query.where(c)
        count = count.where(c)
    if cursor:
        sqlite = db.is_sqlite()
        values = keyset.decode(cursor, SORT, KEYS, sqlite)
        after: Any = None
        for branch, args in keyset.branches(KEYS, values, sqlite):
            raw = WhereRaw(branch, *args)
            after = raw if after is None else after | raw
        query = query.where(after)
        offset = 0
    elif offset > MAX_OFFSET:
        raise RuleViolation(
            "offset",
            _("Pages this far down are read with the cursor of the page before (next_cursor)."),
        )
    rows = await (
        query.order_by(Incident.occurred_at, Incident.id, ascending=False)
        .limit(limit + 1)
        .offset(offset)
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = dict(rows[-1])
        if db.is_sqlite():  # the cursor carries the time as stored (SQLite compares text)
            stored = await db.raw(
                'SELECT CAST(occurred_at AS TEXT) AS t FROM "safety_incident" WHERE id = {}',
                last["id"],
            )
            last["occurred_at"] = stored[0]["t"]
        next_cursor = keyset.encode(SORT, KEYS, last)
    items = [_read(dict(r), principal, [], []) for r in rows]
    return Page(items=items, total=await count, limit=limit, offset=offset, next_cursor=next_cursor)


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
