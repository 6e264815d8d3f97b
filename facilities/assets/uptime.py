"""Uptime from the status history: pure computation, unit-tested on its own.

The history is a list of ``(changed_at, to_status)`` in time order; the status holds from
one change to the next. Over ``[start, end)`` (clipped to "now"):

* time before the first change (the asset did not exist yet) is not counted;
* ``operational`` and ``degraded`` count as up (degraded is also reported on its own);
* ``down`` counts as downtime;
* ``retired`` is excluded: that time is neither up nor down.

``uptime_percent = up / (up + down) * 100``; None when nothing was counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Uptime:
    counted_seconds: float
    up_seconds: float
    degraded_seconds: float
    down_seconds: float
    down_events: int

    @property
    def percent(self) -> float | None:
        if self.counted_seconds <= 0:
            return None
        return round(100.0 * self.up_seconds / self.counted_seconds, 4)


def compute(
    history: Sequence[tuple[datetime, str]], start: datetime, end: datetime, now: datetime
) -> Uptime:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    end = min(end, now)
    up = degraded = down = 0.0
    down_events = 0
    changes = sorted(history, key=lambda item: item[0])
    for index, (since, status) in enumerate(changes):
        until = changes[index + 1][0] if index + 1 < len(changes) else end
        lo, hi = max(since, start), min(until, end)
        if status == "down" and start <= since < end:
            previous = changes[index - 1][1] if index else None
            if previous != "down":
                down_events += 1
        if hi <= lo:
            continue
        seconds = (hi - lo).total_seconds()
        if status == "operational":
            up += seconds
        elif status == "degraded":
            up += seconds
            degraded += seconds
        elif status == "down":
            down += seconds
    return Uptime(
        counted_seconds=up + down,
        up_seconds=up,
        degraded_seconds=degraded,
        down_seconds=down,
        down_events=down_events,
    )


def down_intervals(
    history: Sequence[tuple[datetime, str]], start: datetime, end: datetime, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The ``down`` spans of ``history`` inside ``[start, min(end, now))``, merged, in
    order (the same reading of the history as ``compute``: their lengths add up to its
    ``down_seconds``)."""
    end = min(end, now)
    changes = sorted(history, key=lambda item: item[0])
    found: list[tuple[datetime, datetime]] = []
    for index, (since, status) in enumerate(changes):
        if status != "down":
            continue
        until = changes[index + 1][0] if index + 1 < len(changes) else end
        lo, hi = max(since, start), min(until, end)
        if hi <= lo:
            continue
        if found and found[-1][1] >= lo:
            found[-1] = (found[-1][0], max(found[-1][1], hi))
        else:
            found.append((lo, hi))
    return found


def overlap(
    spans: Sequence[Sequence[tuple[datetime, datetime]]],
) -> list[tuple[datetime, datetime]]:
    """The times inside every one of ``spans`` (e.g. all devices of a site down at once)."""
    if not spans:
        return []
    common = list(spans[0])
    for other in spans[1:]:
        merged: list[tuple[datetime, datetime]] = []
        for lo1, hi1 in common:
            for lo2, hi2 in other:
                lo, hi = max(lo1, lo2), min(hi1, hi2)
                if lo < hi:
                    merged.append((lo, hi))
        common = merged
    return common
