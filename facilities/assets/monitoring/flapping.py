"""When a device counts as down or up again: pure, unit-tested on its own.

A device is *observed* (heartbeat, up, down events) and *settled* (by every observation and
by the missed-heartbeat job). Flapping is suppressed with two holds:

* **down** must last ``down_after`` (N minutes) before it counts: a down event, or the
  heartbeat silent for longer than the threshold (down from ``last heartbeat + threshold``),
  opens a *pending down*; a heartbeat or up event before N minutes cancels it;
* **up** must hold ``up_after`` (M minutes) before recovery is declared: an up event or a
  heartbeat while down opens a *pending up*; a down event before M minutes cancels it; a
  heartbeat silence longer than the threshold cancels it too.

The silence rule applies only to devices that have sent a heartbeat; an up event counts as a
sign of life for them. Devices that only send up/down events (controller alerts) never time
out.

The transition is dated when the condition began (``pending_since``), so the status history
and the uptime figure show the exact outage, not the moment the hold ran out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

DOWN, UP, UNKNOWN = "down", "up", "unknown"


@dataclass(frozen=True, slots=True)
class Device:
    state: str  # unknown / up / down
    pending: str | None = None  # "down" / "up"
    pending_since: datetime | None = None
    pending_uplink: bool = False
    last_heartbeat_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    threshold: timedelta
    down_after: timedelta
    up_after: timedelta


@dataclass(frozen=True, slots=True)
class Transition:
    to: str  # "down" / "up"
    at: datetime
    uplink: bool = False


def observe(device: Device, kind: str, at: datetime, *, uplink: bool = False) -> Device:
    """``device`` after one event (``heartbeat``, ``up`` or ``down``) that happened ``at``."""
    last = device.last_heartbeat_at
    if kind == "heartbeat" or (kind == UP and last is not None):
        # an up event is a sign of life too, for a device that sends heartbeats (a device
        # that only sends events never starts the silence rule)
        device = replace(device, last_heartbeat_at=at if last is None or at > last else last)
        kind = UP
    if kind == UP:
        if device.state == DOWN:
            if device.pending != UP:
                return replace(device, pending=UP, pending_since=at, pending_uplink=False)
            return device
        if device.pending == DOWN and (device.pending_since is None or at >= device.pending_since):
            device = replace(device, pending=None, pending_since=None, pending_uplink=False)
        if device.state == UNKNOWN:
            device = replace(device, state=UP)
        return device
    # down
    if device.state == DOWN:
        if device.pending == UP:  # it went down again before it held up: still down
            return replace(device, pending=None, pending_since=None)
        return device
    if device.pending != DOWN:
        return replace(device, pending=DOWN, pending_since=at, pending_uplink=uplink)
    if uplink and not device.pending_uplink:
        return replace(device, pending_uplink=True)
    return device


def settle(device: Device, rules: Rules, now: datetime) -> tuple[Device, Transition | None]:
    """Apply the silence rule and the holds at ``now``: the device and its transition, if
    one is due."""
    last = device.last_heartbeat_at
    silent_since = last + rules.threshold if last is not None else None
    if silent_since is not None and now > silent_since:
        if device.state != DOWN and device.pending != DOWN:
            device = replace(device, pending=DOWN, pending_since=silent_since, pending_uplink=False)
        elif device.state == DOWN and device.pending == UP:
            device = replace(device, pending=None, pending_since=None)
    if device.pending is None or device.pending_since is None:
        return device, None
    since = device.pending_since
    if device.pending == DOWN and now - since >= rules.down_after:
        moved = Transition(DOWN, since, device.pending_uplink)
        return replace(
            device, state=DOWN, pending=None, pending_since=None, pending_uplink=False
        ), moved
    if device.pending == UP and now - since >= rules.up_after:
        return replace(device, state=UP, pending=None, pending_since=None), Transition(UP, since)
    return device, None
