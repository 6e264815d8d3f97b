"""Writes of device monitoring: settings, sources (secrets shown once, rotatable), event
ingestion and the missed-heartbeat check.

**One transition, whoever sees it.** A monitor row carries a ``version``; a change is an
``UPDATE … WHERE id = … AND version = …`` that only one writer wins; the loser re-reads and
finds the device already moved. So two app replicas receiving the same events, or the
missed-heartbeat job running in two processes, make one transition, one status change and
(through the hook) one work order. Event ids are unique per source (a raw unique index), so
a replayed id is recorded once and then ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.assets import queries as asset_queries
from facilities.assets.enums import AssetStatus
from facilities.assets.monitoring import flapping, hooks, secrets
from facilities.assets.monitoring import queries as mq
from facilities.assets.monitoring.enums import (
    EventKind,
    EventOutcome,
    SourceKind,
)
from facilities.assets.monitoring.schemas import (
    EventAnswer,
    InboundBatch,
    IngestAnswer,
    MerakiAlert,
    MonitorRead,
    MonitorSettings,
    SourceCreate,
    SourceSecret,
)
from facilities.assets.monitoring.tables import DeviceMonitor, DeviceRateHit, DeviceSource
from facilities.kit import clock
from facilities.kit.errors import NotAuthenticated, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.ratelimit import Limit, RateLimiter
from facilities.kit.rows import aware
from facilities.kit.security import new_token
from facilities.kit.validation import field_name, friendly
from facilities.sites import scope
from facilities.sites.tables import Site

log = logging.getLogger("facilities.monitoring")

REPLAY_WINDOW = timedelta(minutes=5)
# Per source: requests per minute (a request carries up to 500 events). Beyond it: 429 and
# nothing recorded, so the sender retries; everything answered 200 is kept.
PER_SOURCE = Limit("device-source", 600, timedelta(minutes=1))
_limiter = RateLimiter(DeviceRateHit)

# Meraki alert types that say a device stopped or started reporting to the dashboard.
MERAKI_DOWN = {"stopped_reporting", "aps_went_down", "ap_went_down"}
MERAKI_UP = {"started_reporting", "aps_came_up", "ap_came_up"}
MERAKI_UPLINK_DOWN = {"uplink_status_changed_down", "wan_connectivity_lost", "cellular_up_down"}


# ---- settings and sources ------------------------------------------------------------------


async def set_monitor(*, actor: Principal, asset_id: int, data: MonitorSettings) -> MonitorRead:
    async with db.transaction():
        asset = await asset_queries.visible_asset(actor, asset_id)
        if data.source_id is not None:
            source = await mq.source_row(data.source_id)
            if source is None or not await _may_use_source(actor, source):
                raise RuleViolation("source_id", _("Unknown source."))
            if source["site"] is not None and source["site"] != asset.site_id:
                raise RuleViolation("source_id", _("This source sends events for another site."))
        clash = await DeviceMonitor.exists().where(
            (DeviceMonitor.source == data.source_id)
            & (DeviceMonitor.external_id == data.external_id.strip())
            & (DeviceMonitor.asset != asset_id)
        )
        if clash:
            raise RuleViolation(
                "external_id", _("Another device of this source already has this name.")
            )
        values: dict[Any, Any] = {
            DeviceMonitor.source: data.source_id,
            DeviceMonitor.external_id: data.external_id.strip(),
            DeviceMonitor.enabled: data.enabled,
            DeviceMonitor.threshold_seconds: data.threshold_seconds,
            DeviceMonitor.down_after_minutes: data.down_after_minutes,
            DeviceMonitor.up_after_minutes: data.up_after_minutes,
            DeviceMonitor.on_recovery: data.on_recovery.value,
        }
        existing = (
            await DeviceMonitor.select(DeviceMonitor.id)
            .where(DeviceMonitor.asset == asset_id)
            .first()
        )
        if existing is None:
            await DeviceMonitor.insert(
                DeviceMonitor(asset=asset_id, **{c._meta.name: v for c, v in values.items()})
            ).run()
        else:
            values[DeviceMonitor.version] = DeviceMonitor.version + 1
            await DeviceMonitor.update(values).where(DeviceMonitor.id == existing["id"])
        await audit.record(
            actor=actor,
            action="device_monitor.set",
            object_type="asset",
            object_id=asset_id,
            site_id=asset.site_id,
            summary=f"{asset.name}: {data.external_id.strip()}",
            after={
                "external_id": data.external_id.strip(),
                "source_id": data.source_id,
                "enabled": data.enabled,
                "threshold_seconds": data.threshold_seconds,
                "down_after_minutes": data.down_after_minutes,
                "up_after_minutes": data.up_after_minutes,
                "on_recovery": data.on_recovery.value,
            },
        )
        found = await mq.monitor_for_asset(actor, asset_id)
        assert found is not None
        return found


async def _may_use_source(actor: Principal, source: dict[str, Any]) -> bool:
    if source["site"] is None:
        return actor.is_admin or await scope.visible_site_ids(actor) is None
    return await scope.can_see_site(actor, int(source["site"]))


async def create_source(*, actor: Principal, data: SourceCreate) -> SourceSecret:
    async with db.transaction():
        if data.site_id is not None:
            if not await Site.exists().where(Site.id == data.site_id) or not (
                await scope.can_see_site(actor, data.site_id)
            ):
                raise RuleViolation("site_id", _("Unknown site."))
        elif not actor.is_admin:
            raise RuleViolation("site_id", _("Choose the site this source reports for."))
        rows = await DeviceSource.insert(
            DeviceSource(
                name=data.name.strip(),
                kind=data.kind.value,
                site=data.site_id,
                secret_hash=f"pending-{new_token(12)}",
            )
        ).returning(DeviceSource.id)
        source_id = int(rows[0]["id"])
        secret = secrets.derive(source_id, 1)
        await DeviceSource.update(
            {
                DeviceSource.secret_hash: secrets.digest(secret),
                DeviceSource.secret_hint: secret[-4:],
            }
        ).where(DeviceSource.id == source_id)
        await audit.record(
            actor=actor,
            action="device_source.create",
            object_type="device_source",
            object_id=source_id,
            site_id=data.site_id,
            summary=data.name.strip(),
            after={"kind": data.kind.value, "site_id": data.site_id},
        )
        return SourceSecret(source=await mq.get_source(source_id), secret=secret)


async def rotate_source(*, actor: Principal, source_id: int) -> SourceSecret:
    async with db.transaction():
        source = await mq.visible_source(actor, source_id)
        generation = source.generation + 1
        secret = secrets.derive(source_id, generation)
        await DeviceSource.update(
            {
                DeviceSource.generation: generation,
                DeviceSource.secret_hash: secrets.digest(secret),
                DeviceSource.secret_hint: secret[-4:],
                DeviceSource.rotated_at: clock.now(),
            }
        ).where(DeviceSource.id == source_id)
        await audit.record(
            actor=actor,
            action="device_source.rotate",
            object_type="device_source",
            object_id=source_id,
            site_id=source.site_id,
            summary=source.name,
            after={"generation": generation},
        )
        return SourceSecret(source=await mq.get_source(source_id), secret=secret)


# ---- ingestion ----------------------------------------------------------------------------


class _Event(msgspec.Struct, frozen=True):
    device: str
    kind: str  # heartbeat / down / up, or "" (an alert we do not act on)
    event_key: str | None
    occurred_at: datetime
    uplink: bool
    detail: str = ""


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as error:
        message = str(error)
        name = field_name(None, message)
        at = re.search(r"at `\$\.?([^`]*)`", message)
        if "missing required field" in message and at and at.group(1):
            name = f"{at.group(1)}.{name}"  # the whole path: events[0].type, not "type"
        raise RuleViolation(name, friendly(message)) from None
    except msgspec.DecodeError:
        raise RuleViolation("body", _("The body is not valid JSON.")) from None


def _authenticate(source: dict[str, Any], headers: Mapping[str, str], body: bytes) -> None:
    """A bearer secret or an HMAC signature (generic), the shared secret (Meraki)."""
    secret = secrets.derive(int(source["id"]), int(source["generation"]))
    if source["kind"] == SourceKind.meraki.value:
        try:
            offered = msgspec.json.decode(body, type=dict[str, Any]).get("sharedSecret")
        except (msgspec.DecodeError, msgspec.ValidationError):
            offered = None
        if isinstance(offered, str) and secrets.matches(
            int(source["id"]), int(source["generation"]), offered
        ):
            return
        raise NotAuthenticated(_("Wrong or missing shared secret."))
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and secrets.matches(
        int(source["id"]), int(source["generation"]), auth[7:].strip()
    ):
        return
    signature = headers.get("x-facilities-signature", "")
    timestamp = headers.get("x-facilities-timestamp", "")
    if signature and timestamp and secrets.signature_matches(secret, timestamp, body, signature):
        try:
            sent = int(timestamp)
        except ValueError:
            sent = 0
        if abs(clock.now().timestamp() - sent) > REPLAY_WINDOW.total_seconds():
            log.warning("device source %s: signed timestamp outside the window", source["id"])
            raise NotAuthenticated(_("The signature's time stamp is too old or in the future."))
        return
    raise NotAuthenticated(_("Wrong or missing secret or signature."))


def _parse(kind: str, body: bytes) -> tuple[datetime, list[_Event]]:
    if kind == SourceKind.meraki.value:
        alert: MerakiAlert = _decode(body, MerakiAlert)
        type_id = alert.alertTypeId
        event = "down" if type_id in MERAKI_DOWN else "up" if type_id in MERAKI_UP else ""
        uplink = type_id in MERAKI_UPLINK_DOWN
        if uplink:
            event = "down"
        if event and not alert.deviceSerial:
            raise RuleViolation("deviceSerial", _("Name the device (its serial number)."))
        return alert.sentAt, [
            _Event(
                device=alert.deviceSerial,
                kind=event,
                event_key=f"meraki:{alert.alertId}" if alert.alertId else None,
                occurred_at=alert.occurredAt or alert.sentAt,
                uplink=uplink,
                detail=(alert.alertType or type_id)[:200],
            )
        ]
    batch: InboundBatch = _decode(body, InboundBatch)
    return batch.sent_at, [
        _Event(
            device=e.device,
            kind=e.type.value,
            event_key=e.event_id,
            occurred_at=e.occurred_at or batch.sent_at,
            uplink=e.uplink,
        )
        for e in batch.events
    ]


async def ingest(*, source_id: int, headers: Mapping[str, str], body: bytes) -> IngestAnswer:
    """One delivery from a source: 401 (wrong secret) and 429 (rate limit) record nothing;
    422 names the malformed field; otherwise every event is applied or logged as ignored."""
    source = await mq.source_row(source_id)
    if source is None or not source["active"]:
        raise NotAuthenticated(_("Wrong or missing secret or signature."))
    _authenticate(source, headers, body)
    sent_at, events = _parse(str(source["kind"]), body)
    await _limiter.hit((PER_SOURCE, str(source_id)))
    now = clock.now()
    answers: list[EventAnswer] = []
    async with db.transaction():
        stale = abs(now - sent_at) > REPLAY_WINDOW
        for event in events:
            if stale:
                log.warning("device source %s: event outside the time window", source_id)
                outcome = EventOutcome.replay
                await _log(source_id, None, event, now, outcome)
            else:
                outcome = await _receive(source, event, now)
            answers.append(EventAnswer(device=event.device, outcome=outcome))
    accepted = sum(
        a.outcome in (EventOutcome.accepted, EventOutcome.went_down, EventOutcome.recovered)
        for a in answers
    )
    return IngestAnswer(accepted=accepted, ignored=len(answers) - accepted, events=answers)


async def _log(
    source_id: int | None,
    monitor_id: int | None,
    event: _Event,
    now: datetime,
    outcome: EventOutcome,
    detail: str = "",
) -> bool:
    """Write an event row; False when its id was seen before (nothing written)."""
    rows = await db.raw(
        "INSERT INTO device_event (source, monitor, external_id, event_key, kind, uplink,"
        " occurred_at, received_at, outcome, detail)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING id",
        source_id,
        monitor_id,
        event.device[:120],
        event.event_key,
        event.kind or "alert",
        event.uplink,
        event.occurred_at,
        now,
        outcome.value,
        (detail or event.detail)[:1000],
    )
    return bool(rows)


async def _receive(source: dict[str, Any], event: _Event, now: datetime) -> EventOutcome:
    source_id = int(source["id"])
    if not event.kind:
        await _log(source_id, None, event, now, EventOutcome.ignored)
        return EventOutcome.ignored
    monitor = await mq.monitor_by_name(source_id, event.device)
    if monitor is None:
        log.info("device source %s: unknown device %r", source_id, event.device)
        await _log(source_id, None, event, now, EventOutcome.unknown_device)
        return EventOutcome.unknown_device
    if not monitor["enabled"] or monitor["asset_status"] == AssetStatus.retired.value:
        await _log(source_id, int(monitor["id"]), event, now, EventOutcome.retired)
        return EventOutcome.retired
    if event.event_key is not None:
        fresh = await _log(source_id, int(monitor["id"]), event, now, EventOutcome.accepted)
        if not fresh:
            log.info("device source %s: event %r seen before", source_id, event.event_key)
            return EventOutcome.duplicate
    at = min(event.occurred_at, now)
    if (
        event.kind == EventKind.heartbeat.value
        and event.event_key is None
        and await _quiet_heartbeat(monitor, at, now)
    ):
        return EventOutcome.accepted
    moved = await apply(int(monitor["id"]), event.kind, at, event.uplink)
    outcome = (
        EventOutcome.went_down
        if moved == "down"
        else EventOutcome.recovered
        if moved == "up"
        else EventOutcome.accepted
    )
    if event.kind != EventKind.heartbeat.value and event.event_key is None:
        await _log(source_id, int(monitor["id"]), event, now, outcome)
    elif event.event_key is not None and outcome is not EventOutcome.accepted:
        await db.raw(
            "UPDATE device_event SET outcome = {} WHERE source = {} AND event_key = {}",
            outcome.value,
            source_id,
            event.event_key,
        )
    elif event.kind == EventKind.heartbeat.value and moved:
        await _log(source_id, int(monitor["id"]), event, now, outcome)
    return outcome


# ---- state -------------------------------------------------------------------------------


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
    if down:
        note = _("Device monitoring: no sign of life since %(at)s") % {"at": moved.at.isoformat()}
    else:
        note = _("Device monitoring: up again since %(at)s") % {"at": moved.at.isoformat()}
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
                await _log(
                    row["source"],
                    monitor_id,
                    _Event(str(row["external_id"]), direction, None, since, False),
                    clock.now(),
                    EventOutcome.went_down if direction == "down" else EventOutcome.recovered,
                    _("No heartbeat within the threshold")
                    if direction == "down"
                    else _("Held up long enough"),
                )
    return moved


async def prune_rate_hits() -> int:
    return await _limiter.prune(timedelta(hours=1))
