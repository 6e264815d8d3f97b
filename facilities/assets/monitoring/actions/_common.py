"""Shared by ingestion and the state machine: limits, the event log and its row."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import msgspec

from facilities import db
from facilities.assets.monitoring.enums import (
    EventOutcome,
)
from facilities.assets.monitoring.tables import DeviceRateHit
from facilities.kit.ratelimit import Limit, RateLimiter

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


class _Event(msgspec.Struct, frozen=True):
    device: str
    kind: str  # heartbeat / down / up, or "" (an alert we do not act on)
    event_key: str | None
    occurred_at: datetime
    uplink: bool
    detail: str = ""


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
