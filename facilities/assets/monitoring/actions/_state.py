"""The monitor's state: race-safe transitions, the quick heartbeat, the missed-heartbeat job."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets.enums import AssetStatus
from facilities.assets.monitoring import flapping, hooks
from facilities.assets.monitoring import queries as mq
from facilities.assets.monitoring.actions._common import _Event, _limiter, _log, log
from facilities.assets.monitoring.enums import (
    EventKind,
    EventOutcome,
)
from facilities.assets.monitoring.tables import DeviceMonitor
from facilities.kit import clock, timefmt
from facilities.kit.i18n import _, in_installation_language
from facilities.kit.rows import aware
from facilities.sites import queries as site_queries

# The smallest threshold a monitor may have (``MonitorSettings.threshold_seconds``).
_MIN_THRESHOLD = timedelta(seconds=30)


async def _quiet_heartbeat(monitor: dict[str, Any], at: datetime, now: datetime) -> bool:
    """The common case, one statement: a fresh heartbeat of a device that is up and waits
    for nothing changes only its last sign of life (``flapping.observe`` and ``settle`` give
    the same: no pending state, not silent since ``at`` is younger than any threshold).
    Race-safe like ``apply``: the UPDATE wins only if the device is still up and waiting
    for nothing, and bumps ``version`` so a concurrent ``apply`` re-reads. False: take the
    full path."""
    if monitor["state"] != flapping.UP or monitor["pending"] is not None:
        return False
    if now - at > _MIN_THRESHOLD:
        return False
    won = await db.raw(
        "UPDATE device_monitor SET last_heartbeat_at = CASE WHEN last_heartbeat_at IS NULL"
        " OR last_heartbeat_at < {} THEN {} ELSE last_heartbeat_at END, last_event_at = {},"
        " version = version + 1 WHERE id = {} AND state = {} AND pending IS NULL RETURNING id",
        at,
        at,
        now,
        int(monitor["id"]),
        flapping.UP,
    )
    return bool(won)


def quiet_step(
    source_id: int, device: str, at: datetime, now: datetime
) -> tuple[str, tuple[Any, ...]]:
    """``_quiet_heartbeat`` for the device named ``device`` by its source, as one statement
    with no read before it: it returns a row only if the device is enabled, its asset not
    retired, up and waiting for nothing (the caller checks ``at`` is fresh)."""
    return (
        "UPDATE device_monitor SET last_heartbeat_at = CASE WHEN last_heartbeat_at IS NULL"
        " OR last_heartbeat_at < {} THEN {} ELSE last_heartbeat_at END, last_event_at = {},"
        " version = version + 1 WHERE source = {} AND external_id = {} AND enabled = {}"
        " AND state = {} AND pending IS NULL AND EXISTS (SELECT 1 FROM asset a"
        " WHERE a.id = device_monitor.asset AND a.status <> {}) RETURNING id",
        (at, at, now, source_id, device, True, flapping.UP, AssetStatus.retired.value),
    )


def is_fresh(at: datetime, now: datetime) -> bool:
    """Young enough for the quiet path (younger than any threshold)."""
    return now - at <= _MIN_THRESHOLD


async def quiet_heartbeat_by_name(source_id: int, device: str, at: datetime, now: datetime) -> bool:
    """``quiet_step`` in the current transaction. False (nothing written): look the device
    up and take the usual path, which then says why (unknown, retired, pending, ...)."""
    if not is_fresh(at, now):
        return False
    sql, args = quiet_step(source_id, device, at, now)
    return bool(await db.raw(sql, *args))


def _device(row: dict[str, Any]) -> flapping.Device:
    return flapping.Device(
        state=str(row["state"]),
        pending=row["pending"],
        pending_since=db_aware(row["pending_since"]),
        pending_uplink=bool(row["pending_uplink"]),
        last_heartbeat_at=db_aware(row["last_heartbeat_at"]),
    )


def db_aware(value: Any) -> datetime | None:
    return aware(value) if value is not None else None


def _rules(row: dict[str, Any]) -> flapping.Rules:
    return flapping.Rules(
        threshold=timedelta(seconds=int(row["threshold_seconds"])),
        down_after=timedelta(minutes=int(row["down_after_minutes"])),
        up_after=timedelta(minutes=int(row["up_after_minutes"])),
    )


async def apply(
    monitor_id: int, kind: str | None, at: datetime, uplink: bool = False
) -> str | None:
    """Observe one event (``kind`` None: only settle, for the job) and write the monitor;
    returns "down" / "up" when this call made the transition. Race-safe (see the module)."""
    for _attempt in range(8):
        async with db.transaction():
            row = await mq.monitor_state(monitor_id)
            if row is None:
                return None
            now = clock.now()
            before = _device(row)
            device = flapping.observe(before, kind, at, uplink=uplink) if kind else before
            device, moved = flapping.settle(device, _rules(row), now)
            repeat = (
                kind == EventKind.down.value
                and before.state == flapping.DOWN
                and before.pending is None
            )
            if device == before and moved is None and kind != EventKind.heartbeat.value:
                if repeat:
                    await _announce(row, "repeat", at, uplink)
                return None
            values: dict[Any, Any] = {
                DeviceMonitor.state: device.state,
                DeviceMonitor.pending: device.pending,
                DeviceMonitor.pending_since: device.pending_since,
                DeviceMonitor.pending_uplink: device.pending_uplink,
                DeviceMonitor.last_heartbeat_at: device.last_heartbeat_at,
                DeviceMonitor.version: DeviceMonitor.version + 1,
            }
            if kind:
                values[DeviceMonitor.last_event_at] = now
            if moved is not None or device.state != before.state:
                values[DeviceMonitor.state_since] = moved.at if moved else at
            won = (
                await DeviceMonitor.update(values)
                .where((DeviceMonitor.id == monitor_id) & (DeviceMonitor.version == row["version"]))
                .returning(DeviceMonitor.id)
            )
            if not won:
                continue  # someone else moved it meanwhile: read again
            if moved is not None:
                await _transition(row, moved)
                return moved.to
            if repeat:
                await _announce(row, "repeat", at, uplink)
            return None
    log.error("device monitor %s: gave up after repeated concurrent changes", monitor_id)
    return None


async def _transition(row: dict[str, Any], moved: flapping.Transition) -> None:
    down = moved.to == flapping.DOWN
    site_id = int(row["site"])
    zone = (await site_queries.time_zones([site_id])).get(site_id) or "UTC"
    with in_installation_language():  # the status history's note is stored (kit.i18n)
        at = timefmt.format_datetime(moved.at, zone)
        if down:
            note = _("Device monitoring: no sign of life since %(at)s") % {"at": at}
        else:
            note = _("Device monitoring: up again since %(at)s") % {"at": at}
    await asset_actions.record_monitored_status(
        asset_id=int(row["asset"]),
        status=AssetStatus.down if down else AssetStatus.operational,
        at=moved.at,
        note=note,
    )
    await _announce(row, moved.to, moved.at, moved.uplink)


async def _announce(row: dict[str, Any], change: str, at: datetime, uplink: bool) -> None:
    down, monitored = await mq.site_counts(int(row["site"]))
    await hooks.device_changed(
        hooks.DeviceChange(
            change=change,
            monitor_id=int(row["id"]),
            asset_id=int(row["asset"]),
            asset_name=str(row["asset_name"]),
            site_id=int(row["site"]),
            at=at,
            uplink=uplink,
            on_recovery=str(row["on_recovery"]),
            site_down=down,
            site_monitored=monitored,
        )
    )


async def check_devices() -> int:
    """The missed-heartbeat job: settle every enabled monitor that is silent or waiting
    (idempotent, safe in several processes). Returns the number of transitions made."""
    moved = 0
    for monitor_id in await mq.due_monitor_ids(clock.now()):
        direction = await apply(monitor_id, None, clock.now())
        if direction:
            moved += 1
            row = await mq.monitor_state(monitor_id)
            if row is not None:  # the device's event log says why it moved
                since = db_aware(row["state_since"]) or clock.now()
                with in_installation_language():
                    why = (
                        _("No heartbeat within the threshold")
                        if direction == "down"
                        else _("Held up long enough")
                    )
                await _log(
                    row["source"],
                    monitor_id,
                    _Event(str(row["external_id"]), direction, None, since, False),
                    clock.now(),
                    EventOutcome.went_down if direction == "down" else EventOutcome.recovered,
                    why,
                )
    return moved


async def prune_rate_hits() -> int:
    return await _limiter.prune(timedelta(hours=1))
