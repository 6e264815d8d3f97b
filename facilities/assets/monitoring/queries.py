"""Reads of device monitoring (scoped by site through ``sites.scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets import queries as asset_queries
from facilities.assets.monitoring.schemas import EventRead, MonitorRead, SourceRead
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, aware_or_none
from facilities.sites import scope

_MONITOR = (
    "SELECT m.id, m.asset, a.name AS asset_name, a.status AS asset_status, a.site,"
    " m.source, m.external_id, m.enabled, m.threshold_seconds, m.down_after_minutes,"
    " m.up_after_minutes, m.on_recovery, m.state, m.state_since, m.pending, m.pending_since,"
    " m.pending_uplink, m.last_heartbeat_at, m.last_event_at, m.version"
    " FROM device_monitor m JOIN asset a ON a.id = m.asset"
)


def _monitor_read(row: dict[str, Any]) -> MonitorRead:
    return MonitorRead(
        id=int(row["id"]),
        asset_id=int(row["asset"]),
        asset_name=str(row["asset_name"]),
        asset_status=str(row["asset_status"]),
        site_id=int(row["site"]),
        source_id=row["source"],
        external_id=str(row["external_id"]),
        enabled=bool(row["enabled"]),
        threshold_seconds=int(row["threshold_seconds"]),
        down_after_minutes=int(row["down_after_minutes"]),
        up_after_minutes=int(row["up_after_minutes"]),
        on_recovery=row["on_recovery"],
        state=row["state"],
        state_since=aware_or_none(row["state_since"]),
        pending=row["pending"],
        pending_since=aware_or_none(row["pending_since"]),
        last_heartbeat_at=aware_or_none(row["last_heartbeat_at"]),
        last_event_at=aware_or_none(row["last_event_at"]),
    )


async def monitor_state(monitor_id: int) -> dict[str, Any] | None:
    rows = await db.raw(_MONITOR + " WHERE m.id = {}", monitor_id)
    return dict(rows[0]) if rows else None


async def monitor_by_name(source_id: int, external_id: str) -> dict[str, Any] | None:
    rows = await db.raw(
        _MONITOR + " WHERE m.source = {} AND m.external_id = {}",
        source_id,
        external_id,
    )
    return dict(rows[0]) if rows else None


async def monitor_for_asset(principal: Principal, asset_id: int) -> MonitorRead | None:
    await asset_queries.visible_asset(principal, asset_id)
    rows = await db.raw(_MONITOR + " WHERE m.asset = {}", asset_id)
    return _monitor_read(dict(rows[0])) if rows else None


async def site_monitors(principal: Principal, site_id: int) -> list[MonitorRead]:
    await scope.require_site(principal, site_id)
    rows = await db.raw(
        _MONITOR + " WHERE a.site = {} ORDER BY a.name, m.id",
        site_id,
    )
    return [_monitor_read(dict(r)) for r in rows]


async def site_counts(site_id: int) -> tuple[int, int]:
    """(down, monitored) among the enabled monitors of a site."""
    rows = await db.raw(
        "SELECT count(*) AS n, sum(CASE WHEN m.state = 'down' THEN 1 ELSE 0 END) AS down"
        " FROM device_monitor m JOIN asset a ON a.id = m.asset"
        " WHERE a.site = {} AND m.enabled = {}",
        site_id,
        True,
    )
    return int(rows[0]["down"] or 0), int(rows[0]["n"] or 0)


async def monitored_sites() -> dict[int, int]:
    """Site id → devices down, for every site with an enabled monitor (the board's default
    site; the caller keeps only the sites it may see)."""
    rows = await db.raw(
        "SELECT a.site AS site, sum(CASE WHEN m.state = 'down' THEN 1 ELSE 0 END) AS down"
        " FROM device_monitor m JOIN asset a ON a.id = m.asset"
        " WHERE m.enabled = {} GROUP BY a.site",
        True,
    )
    return {int(r["site"]): int(r["down"] or 0) for r in rows}


@dataclass(frozen=True, slots=True)
class DownDevice:
    asset_id: int
    asset_name: str
    site_id: int
    site_name: str
    time_zone: str
    down_since: datetime | None


async def down_devices(
    principal: Principal,
    *,
    limit: int,
    asset_ids: set[int] | None = None,
    site_ids: set[int] | None = None,
) -> tuple[int, list[DownDevice]]:
    """Enabled monitored devices that are down in the caller's sites (how many, and the
    ``limit`` longest down first). ``asset_ids`` / ``site_ids`` narrow it further (a
    partner's home: the devices and site uplinks of its own work; either matches)."""
    visible = await scope.visible_site_ids(principal)
    args: list[Any] = [True, "down"]
    where = ["m.enabled = {}", "m.state = {}"]
    if visible is not None:
        ids = sorted(visible) or [-1]
        where.append("a.site IN (" + ", ".join("{}" for _ in ids) + ")")
        args.extend(ids)
    if asset_ids is not None or site_ids is not None:
        assets, sites = sorted(asset_ids or set()) or [-1], sorted(site_ids or set()) or [-1]
        where.append(
            "(a.id IN ("
            + ", ".join("{}" for _ in assets)
            + ") OR a.site IN ("
            + ", ".join("{}" for _ in sites)
            + "))"
        )
        args.extend(assets + sites)
    rows = await db.raw(
        "SELECT a.id, a.name, a.site, s.name AS site_name, s.time_zone, m.state_since,"  # noqa: S608 - fixed fragments, values are parameters
        " count(*) OVER () AS total FROM device_monitor m JOIN asset a ON a.id = m.asset"
        " JOIN site s ON s.id = a.site"
        f" WHERE {' AND '.join(where)}"
        " ORDER BY m.state_since IS NULL, m.state_since, s.name, a.name, a.id LIMIT {}",
        *args,
        limit,
    )
    total = int(rows[0]["total"]) if rows else 0
    return total, [
        DownDevice(
            asset_id=int(r["id"]),
            asset_name=str(r["name"]),
            site_id=int(r["site"]),
            site_name=str(r["site_name"]),
            time_zone=str(r["time_zone"] or "UTC"),
            down_since=aware_or_none(r["state_since"]),
        )
        for r in rows
    ]


async def due_monitor_ids(now: datetime) -> list[int]:
    """Enabled monitors the job must settle: a hold is running, or heartbeats have been
    seen and the device is not down (the silence rule is checked in ``flapping``)."""
    rows = await db.raw(
        "SELECT id, state, pending, last_heartbeat_at, threshold_seconds FROM device_monitor"
        " WHERE enabled = {} AND (pending IS NOT NULL OR"
        " (state <> 'down' AND last_heartbeat_at IS NOT NULL))",
        True,
    )
    due = []
    for row in rows:
        last = aware_or_none(row["last_heartbeat_at"])
        silent = last is not None and (now - last).total_seconds() > int(row["threshold_seconds"])
        if row["pending"] is not None or silent:
            due.append(int(row["id"]))
    return due


# ---- sources and events --------------------------------------------------------------------

_SOURCE = (
    "SELECT id, name, kind, site, active, secret_hint, generation, rotated_at, created_at"
    " FROM device_source"
)


def _source_read(row: dict[str, Any]) -> SourceRead:
    return SourceRead(
        id=int(row["id"]),
        name=str(row["name"]),
        kind=row["kind"],
        site_id=row["site"],
        active=bool(row["active"]),
        secret_hint=str(row["secret_hint"]),
        generation=int(row["generation"]),
        rotated_at=aware_or_none(row["rotated_at"]),
        created_at=aware(row["created_at"]),
    )


async def source_row(source_id: int) -> dict[str, Any] | None:
    rows = await db.raw(_SOURCE + " WHERE id = {}", source_id)
    return dict(rows[0]) if rows else None


# What ingestion needs of a source (id, kind, generation, active), remembered per process
# so a quiet heartbeat reads nothing before its write. Never trusted alone: the quiet
# path's write checks these fields against the row in the same statement / transaction
# (``device_source`` WHERE generation, kind, active), so a rotation or deactivation made on
# any replica takes effect at once; on a mismatch nothing is written and ingestion reads
# the row afresh.
_REMEMBERED: dict[int, dict[str, Any]] = {}
_REMEMBER_AT_MOST = 4096


def remembered_source(source_id: int) -> dict[str, Any] | None:
    return _REMEMBERED.get(source_id)


def remember_source(row: dict[str, Any]) -> None:
    if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
        _REMEMBERED.clear()
    _REMEMBERED[int(row["id"])] = {k: row[k] for k in ("id", "kind", "generation", "active")}


def forget_source(source_id: int) -> None:
    _REMEMBERED.pop(source_id, None)


async def get_source(source_id: int) -> SourceRead:
    row = await source_row(source_id)
    if row is None:
        raise NotFound()
    return _source_read(row)


async def visible_source(principal: Principal, source_id: int) -> SourceRead:
    """A source of one of the caller's sites; all-site sources only for those who see all."""
    row = await source_row(source_id)
    if row is None:
        raise NotFound()
    if row["site"] is None:
        if await scope.visible_site_ids(principal) is not None:
            raise NotFound()
    elif not await scope.can_see_site(principal, int(row["site"])):
        raise NotFound()
    return _source_read(row)


async def list_sources(principal: Principal) -> list[SourceRead]:
    visible = await scope.visible_site_ids(principal)
    rows = await db.raw(_SOURCE + " ORDER BY name, id")
    return [
        _source_read(dict(r))
        for r in rows
        if visible is None or (r["site"] is not None and int(r["site"]) in visible)
    ]


_EVENT = (
    "SELECT id, source, monitor, external_id, event_key, kind, uplink, occurred_at,"
    " received_at, outcome, detail FROM device_event"
)


def _event_read(row: dict[str, Any]) -> EventRead:
    return EventRead(
        id=int(row["id"]),
        source_id=row["source"],
        monitor_id=row["monitor"],
        external_id=str(row["external_id"]),
        event_key=row["event_key"],
        kind=str(row["kind"]),
        uplink=bool(row["uplink"]),
        occurred_at=aware_or_none(row["occurred_at"]),
        received_at=aware(row["received_at"]),
        outcome=row["outcome"],
        detail=str(row["detail"]),
    )


async def device_events(principal: Principal, asset_id: int, limit: int = 100) -> list[EventRead]:
    await asset_queries.visible_asset(principal, asset_id)
    rows = await db.raw(
        _EVENT + " WHERE monitor IN (SELECT id FROM device_monitor WHERE asset = {})"  # noqa: S608
        " ORDER BY received_at DESC, id DESC LIMIT {}",
        asset_id,
        limit,
    )
    return [_event_read(dict(r)) for r in rows]


async def source_events(principal: Principal, source_id: int, limit: int = 100) -> list[EventRead]:
    """The delivery log of one source."""
    await visible_source(principal, source_id)
    rows = await db.raw(
        _EVENT + " WHERE source = {} ORDER BY received_at DESC, id DESC LIMIT {}",
        source_id,
        limit,
    )
    return [_event_read(dict(r)) for r in rows]
