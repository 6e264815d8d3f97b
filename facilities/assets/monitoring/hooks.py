"""What upper domains hear of monitored devices: a device went down, came back, or sent
another down while down. Maintenance turns these into work (``maintenance.device_work``),
registered by ``facilities.wiring.install``; nothing registers itself on import. Listeners
run inside the transition's transaction, so the work order and the transition commit
together or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DeviceChange:
    change: str  # "down" / "up" / "repeat" (a down event while down)
    monitor_id: int
    asset_id: int
    asset_name: str
    site_id: int
    at: datetime  # when the condition began (outage start / recovery)
    uplink: bool  # the event said the site's uplink is down
    on_recovery: str  # RecoveryAction
    site_down: int  # monitored devices of the site down now (this one included)
    site_monitored: int  # monitored devices of the site


Listener = Callable[[DeviceChange], Awaitable[None]]
_listeners: list[Listener] = []


def on_device_change(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


async def device_changed(change: DeviceChange) -> None:
    for listener in list(_listeners):
        await listener(change)


def listeners() -> list[Listener]:
    return list(_listeners)


def clear() -> None:
    _listeners.clear()
