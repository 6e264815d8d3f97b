"""Meters: one model of a register read over time, for every domain that reads one.

A meter belongs to an asset (a runtime counter of a boiler, the electricity meter of a
floor). Readings are ``(at, value, replacement)``: the register's value at a moment;
``replacement`` marks the first reading of a new register (the old one was swapped), so a
lower value there is a fresh start, not negative usage. Preventive maintenance triggers work
on usage (``maintenance/pm/generation.py``); sustainability will sum consumption over
periods from the same readings with the same rules.

**Usage** between two readings of the same register is the increase. A decrease that is not
a replacement is either a register that **rolled over** (it wrapped at ``rollover_at``, e.g.
a 5-digit counter at 100000: usage = rollover_at − previous + value) when the meter has one,
or a misread and counts as nothing. Pure functions, unit-tested (``tests/assets/test_meters.py``).

The readings are the one meter model's (``sustainability``: ``meter`` / ``meter_reading``,
an asset's operating-hours or counter meter, written by ``sustainability.actions
.record_reading`` with its checks, rollover and replacement). Domains below read an asset's
register through ``asset_registers()``, whose source ``wiring.install()`` sets
(``sustainability.asset_meters.usage_registers``); see docs/architecture.md, "Meters".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Reading:
    at: datetime
    value: Decimal
    replacement: bool = False


def step(previous: Decimal, reading: Reading, rollover_at: Decimal | None = None) -> Decimal:
    """The usage from ``previous`` to ``reading`` on one meter."""
    if reading.replacement:
        return Decimal(0)
    if reading.value >= previous:
        return reading.value - previous
    if rollover_at is not None and previous < rollover_at:
        return rollover_at - previous + reading.value
    return Decimal(0)


def cumulative(
    readings: Iterable[Reading], rollover_at: Decimal | None = None
) -> list[tuple[datetime, Decimal]]:
    """Usage since the first reading, after each reading (readings in time order)."""
    total = Decimal(0)
    previous: Decimal | None = None
    result = []
    for reading in readings:
        if previous is not None:
            total += step(previous, reading, rollover_at)
        previous = reading.value
        result.append((reading.at, total))
    return result


def usage_at(usage: list[tuple[datetime, Decimal]], moment: datetime) -> Decimal:
    """The cumulative usage known at ``moment`` (the last reading at or before it; before
    the first reading: the first one's, i.e. 0)."""
    if not usage:
        return Decimal(0)
    index = bisect_right([at for at, _total in usage], moment)
    return usage[max(index - 1, 0)][1]


def usage_between(
    readings: Iterable[Reading], start: datetime, end: datetime, rollover_at: Decimal | None = None
) -> Decimal:
    """Usage between the last readings at or before ``start`` and ``end`` (consumption of
    a period, by the readings that bound it)."""
    usage = cumulative(readings, rollover_at)
    return usage_at(usage, end) - usage_at(usage, start)


# ---- where an asset's readings come from (filled by ``wiring.install()``) ------------------


@dataclass(frozen=True, slots=True)
class Register:
    """An asset's usage meter: its readings in time order (a replacement as the old
    meter's final value, then the new one's start marked ``replacement``) and where it
    wraps."""

    readings: list[Reading] = field(default_factory=list)
    rollover_at: Decimal | None = None

    def cumulative(self) -> list[tuple[datetime, Decimal]]:
        return cumulative(self.readings, self.rollover_at)


UsageSource = Callable[[], Awaitable[dict[int, Register]]]
_source: list[UsageSource] = []


def set_usage_source(source: UsageSource | None) -> None:
    _source.clear()
    if source is not None:
        _source.append(source)


def usage_source() -> UsageSource | None:
    return _source[0] if _source else None


async def asset_registers() -> dict[int, Register]:
    """Every asset's usage register (asset id → register), read-only."""
    if not _source:
        raise RuntimeError("no meter usage source: call facilities.wiring.install() first")
    return await _source[0]()
