"""Monitoring settings, sources, the inbound event shapes (generic JSON and Cisco Meraki
alert webhooks; documented in ``docs/device-events.md``) and the reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from facilities.assets.monitoring.enums import (
    DeviceState,
    EventKind,
    EventOutcome,
    RecoveryAction,
    SourceKind,
)
from facilities.kit.schema import Id, Schema

Aware = Annotated[datetime, msgspec.Meta(tz=True)]
ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class MonitorSettings(Schema):
    """Monitoring of one asset (PUT: create or change)."""

    external_id: ExternalId
    source_id: Id | None = None
    enabled: bool = True
    threshold_seconds: Annotated[int, msgspec.Meta(ge=30, le=86_400)] = 300
    down_after_minutes: Annotated[int, msgspec.Meta(ge=0, le=1_440)] = 2
    up_after_minutes: Annotated[int, msgspec.Meta(ge=0, le=1_440)] = 5
    on_recovery: RecoveryAction = RecoveryAction.complete


class MonitorRead(Schema):
    id: int
    asset_id: int
    asset_name: str
    asset_status: str
    site_id: int
    source_id: int | None
    external_id: str
    enabled: bool
    threshold_seconds: int
    down_after_minutes: int
    up_after_minutes: int
    on_recovery: RecoveryAction
    state: DeviceState
    state_since: datetime | None
    pending: str | None
    pending_since: datetime | None
    last_heartbeat_at: datetime | None
    last_event_at: datetime | None


class SourceCreate(Schema):
    name: Name
    kind: SourceKind = SourceKind.generic
    site_id: Id | None = None


class SourceRead(Schema):
    id: int
    name: str
    kind: SourceKind
    site_id: int | None
    active: bool
    secret_hint: str
    generation: int
    rotated_at: datetime | None
    created_at: datetime


class SourceSecret(Schema):
    """Answer of create and rotate: the only time the secret is shown."""

    source: SourceRead
    secret: str


class EventRead(Schema):
    id: int
    source_id: int | None
    monitor_id: int | None
    external_id: str
    event_key: str | None
    kind: str
    uplink: bool
    occurred_at: datetime | None
    received_at: datetime
    outcome: EventOutcome
    detail: str


class OutageRead(Schema):
    """One outage of a device in a month (site time zone); ``ended_at`` null while it goes
    on, ``seconds`` its length (so far)."""

    started_at: datetime
    ended_at: datetime | None
    ongoing: bool
    seconds: int


# ---- inbound shapes ---------------------------------------------------------------------


class InboundEvent(Schema):
    """One device event in the generic shape."""

    device: ExternalId
    type: EventKind
    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    occurred_at: Aware | None = None
    uplink: bool = False


class InboundBatch(Schema):
    """``POST /api/v1/device-events/{source_id}`` in the generic shape."""

    sent_at: Aware
    events: Annotated[list[InboundEvent], msgspec.Meta(min_length=1, max_length=500)]


class MerakiAlert(msgspec.Struct, kw_only=True):
    """The fields we read of a Cisco Meraki alert webhook ("Meraki" payload template);
    Meraki sends more, which we ignore."""

    sharedSecret: str = ""
    sentAt: Aware
    alertId: str = ""
    alertTypeId: str = ""
    alertType: str = ""
    deviceSerial: str = ""
    deviceName: str = ""
    occurredAt: Aware | None = None
    alertData: dict[str, Any] = msgspec.field(default_factory=dict)


class EventAnswer(Schema):
    device: str
    outcome: EventOutcome


class IngestAnswer(Schema):
    accepted: int
    ignored: int
    events: list[EventAnswer]
