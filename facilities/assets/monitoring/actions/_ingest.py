"""Ingestion: authenticate, parse (generic JSON or a Meraki alert), rate limit, apply."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from facilities import db
from facilities.assets.enums import AssetStatus
from facilities.assets.monitoring import flapping, secrets
from facilities.assets.monitoring import queries as mq
from facilities.assets.monitoring.actions import _common
from facilities.assets.monitoring.actions._common import (
    MERAKI_DOWN,
    MERAKI_UP,
    MERAKI_UPLINK_DOWN,
    REPLAY_WINDOW,
    _Event,
    _limiter,
    _log,
    log,
)
from facilities.assets.monitoring.actions._state import (
    _quiet_heartbeat,
    apply,
    is_fresh,
    quiet_heartbeat_by_name,
    quiet_step,
)
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
)
from facilities.kit import clock
from facilities.kit.errors import NotAuthenticated, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.ratelimit import hit_key
from facilities.kit.validation import field_name, friendly


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
    422 names the malformed field; otherwise every event is applied or logged as ignored.

    A quiet heartbeat (the common case) is decided on the source as remembered from an
    earlier delivery, by one statement that checks it against the row (see
    ``mq.remember_source``); anything else reads the source first."""
    remembered = mq.remembered_source(source_id)
    if remembered is not None and remembered["active"]:
        try:
            _authenticate(remembered, headers, body)
            sent_at, events = _parse(str(remembered["kind"]), body)
        except (NotAuthenticated, RuleViolation):
            pass  # perhaps rotated or changed meanwhile: decide on the row as it is now
        else:
            now = clock.now()
            quiet = await _quiet_delivery(remembered, sent_at, events, now)
            if isinstance(quiet, IngestAnswer):
                return quiet
            if quiet is _NOT_UP:  # the source was checked by that statement
                return await _deliver(remembered, sent_at, events, now)
            # not a quiet heartbeat (nothing checked), or the source changed: read it
    source = await mq.source_row(source_id)
    if source is None or not source["active"]:
        mq.forget_source(source_id)
        raise NotAuthenticated(_("Wrong or missing secret or signature."))
    _authenticate(source, headers, body)
    mq.remember_source(source)
    sent_at, events = _parse(str(source["kind"]), body)
    now = clock.now()
    quiet = await _quiet_delivery(source, sent_at, events, now)
    if isinstance(quiet, IngestAnswer):
        return quiet
    return await _deliver(source, sent_at, events, now)


async def _deliver(
    source: dict[str, Any], sent_at: datetime, events: list[_Event], now: datetime
) -> IngestAnswer:
    """The usual path: the hit and every event in one transaction."""
    source_id = int(source["id"])
    answers: list[EventAnswer] = []
    async with db.transaction():  # the hit counts with the delivery: one commit, not two
        await _limiter.hit((_common.PER_SOURCE, str(source_id)))
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


# What ``_quiet_delivery`` says when it wrote nothing: not a quiet delivery (nothing asked
# of the database), a heartbeat the device's state keeps off the quiet path (the source's
# row checked: as given), or the source's row no longer matches (read it again).
_NOT_QUIET = object()
_NOT_UP = object()
_SOURCE_CHANGED = object()


async def _quiet_delivery(
    source: dict[str, Any], sent_at: datetime, events: list[_Event], now: datetime
) -> IngestAnswer | object:
    """The hot path: a delivery of one fresh heartbeat (no event id) of a device that is up
    and waiting for nothing, by a source whose row still has the ``generation``, ``kind``
    and ``active`` it was authenticated with. The source check, the rate-limit hit and the
    monitor's UPDATE at once: on PostgreSQL one statement (``device_quiet_heartbeat``, one
    round trip, no BEGIN/COMMIT), on SQLite one write transaction in one trip to the
    writer's thread (``db.all_or_nothing``). 429 when the limit is reached; otherwise
    nothing is written unless the heartbeat is accepted."""
    if len(events) != 1 or abs(now - sent_at) > REPLAY_WINDOW:
        return _NOT_QUIET
    event = events[0]
    at = min(event.occurred_at, now)
    if event.kind != EventKind.heartbeat.value or event.event_key is not None:
        return _NOT_QUIET
    if not is_fresh(at, now):
        return _NOT_QUIET
    source_id, limit = int(source["id"]), _common.PER_SOURCE
    subject = str(source_id)
    if db.is_sqlite():
        steps = [
            (
                "SELECT 1 FROM device_source WHERE id = {} AND generation = {} AND kind = {}"
                " AND active = {}",
                (source_id, int(source["generation"]), str(source["kind"]), True),
            ),
            *_limiter.hit_steps(limit, subject, now),
            quiet_step(source_id, event.device, at, now),
        ]
        stopped = await db.all_or_nothing(*steps)
        outcome = (
            _WRITTEN
            if stopped is None
            else _CHANGED
            if stopped == 0
            else _KEPT_OFF
            if stopped == len(steps) - 1
            else _LIMITED
        )
    else:
        outcome = await db.one_statement(
            "SELECT device_quiet_heartbeat({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            source_id,
            int(source["generation"]),
            str(source["kind"]),
            hit_key(limit, subject),
            now,
            now - limit.window,
            limit.limit,
            event.device,
            at,
            flapping.UP,
            AssetStatus.retired.value,
        )
    if outcome == _WRITTEN:
        answer = EventAnswer(device=event.device, outcome=EventOutcome.accepted)
        return IngestAnswer(accepted=1, ignored=0, events=[answer])
    if outcome == _CHANGED:
        mq.forget_source(source_id)
        return _SOURCE_CHANGED
    if outcome == _LIMITED:
        raise await _limiter.refused(limit, subject, now)
    return _NOT_UP


# ``device_quiet_heartbeat``'s answers (the assets migration of 2026-12-07T12:50).
_WRITTEN, _CHANGED, _LIMITED, _KEPT_OFF = 0, 1, 2, 3


async def _receive(source: dict[str, Any], event: _Event, now: datetime) -> EventOutcome:
    source_id = int(source["id"])
    if not event.kind:
        await _log(source_id, None, event, now, EventOutcome.ignored)
        return EventOutcome.ignored
    if (
        event.kind == EventKind.heartbeat.value
        and event.event_key is None
        and await quiet_heartbeat_by_name(source_id, event.device, min(event.occurred_at, now), now)
    ):
        return EventOutcome.accepted  # the common case: one UPDATE, no log row, no audit
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
