"""Reads of inbound integrations (endpoints are visible to whoever sees all their sites)."""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets.monitoring import queries as monitoring_queries
from facilities.integrations.schemas import DeliveryRead, EndpointRead
from facilities.kit.errors import NotFound
from facilities.kit.i18n import N_
from facilities.kit.rows import aware
from facilities.sites import scope


async def endpoint_row(endpoint_id: int) -> dict[str, Any] | None:
    rows = await db.raw(
        "SELECT id, name, generation, active, secret_hint, created_at FROM ticket_endpoint"
        " WHERE id = {}",
        endpoint_id,
    )
    return dict(rows[0]) if rows else None


async def _site_ids(endpoint_id: int) -> list[int]:
    rows = await db.raw(
        "SELECT site FROM ticket_endpoint_site WHERE endpoint = {} ORDER BY site", endpoint_id
    )
    return [int(r["site"]) for r in rows]


async def get_endpoint(endpoint_id: int) -> EndpointRead:
    row = await endpoint_row(endpoint_id)
    if row is None:
        raise NotFound()
    return EndpointRead(
        id=int(row["id"]),
        name=str(row["name"]),
        site_ids=await _site_ids(endpoint_id),
        secret_hint=str(row["secret_hint"]),
        active=bool(row["active"]),
        created_at=aware(row["created_at"]),
    )


async def visible_endpoint(principal: Principal, endpoint_id: int) -> EndpointRead:
    found = await get_endpoint(endpoint_id)
    visible = await scope.visible_site_ids(principal)
    if visible is not None and not set(found.site_ids) <= visible:
        raise NotFound()
    return found


async def list_endpoints(principal: Principal) -> list[EndpointRead]:
    visible = await scope.visible_site_ids(principal)
    found = []
    for row in await db.raw("SELECT id FROM ticket_endpoint ORDER BY name, id"):
        endpoint = await get_endpoint(int(row["id"]))
        if visible is None or set(endpoint.site_ids) <= visible:
            found.append(endpoint)
    return found


async def allowed_site(endpoint_id: int, site_code: str) -> int | None:
    rows = await db.raw(
        "SELECT s.id FROM site s JOIN ticket_endpoint_site e ON e.site = s.id"
        " WHERE e.endpoint = {} AND s.code = {}",
        endpoint_id,
        site_code,
    )
    return int(rows[0]["id"]) if rows else None


async def delivery(endpoint_id: int, external_id: str) -> dict[str, Any] | None:
    rows = await db.raw(
        "SELECT id, report_id FROM inbound_ticket WHERE endpoint = {} AND external_id = {}",
        endpoint_id,
        external_id,
    )
    return dict(rows[0]) if rows else None


async def deliveries(principal: Principal, endpoint_id: int) -> list[DeliveryRead]:
    await visible_endpoint(principal, endpoint_id)
    rows = await db.raw(
        "SELECT id, external_id, report_id, outcome, detail, received_at FROM inbound_ticket"
        " WHERE endpoint = {} ORDER BY received_at DESC, id DESC LIMIT 200",
        endpoint_id,
    )
    return [
        DeliveryRead(
            id=int(r["id"]),
            external_id=str(r["external_id"]),
            report_id=r["report_id"],
            outcome=str(r["outcome"]),
            detail=str(r["detail"]),
            received_at=aware(r["received_at"]),
        )
        for r in rows
    ]


OUTCOME_LABELS = {
    "created": N_("New problem report"),
    "same_problem": N_("Added to an open report (same problem)"),
    "seen_before": N_("Sent again, already received"),
}


async def overview(principal: Principal) -> dict[str, Any]:
    """The integration endpoints page: ticket endpoints, the device controllers (event
    sources, when the caller manages monitoring) and the names of the caller's sites."""
    visible = await scope.visible_site_ids(principal)
    sites = [
        dict(r)
        for r in await db.raw(
            "SELECT id, code, name FROM site WHERE archived = {} ORDER BY code, name", False
        )
        if visible is None or r["id"] in visible
    ]
    return {
        "endpoints": await list_endpoints(principal),
        "sources": (
            await monitoring_queries.list_sources(principal)
            if principal.can("monitoring.manage")
            else []
        ),
        "sites": sites,
        "site_names": {s["id"]: f"{s['code']} {s['name']}" for s in sites},
    }
