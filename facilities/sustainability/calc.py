"""Pure calculations (no database, no clock): consumption from register readings,
calendarisation into months, the bill-overlap rule, the jump check, CO2e, intensities and
the waste diversion rate. Every formula is written down in ``docs/kpis.md``.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from facilities.sustainability.enums import (
    DIVERTED,
    SCOPE_1,
    SCOPE_2,
    WASTE,
    Carrier,
    FactorMethod,
    ReadingKind,
)

ZERO = Decimal(0)
JUMP_FACTOR = Decimal(10)  # a step above 10 × the usual daily consumption must be confirmed
USUAL_WINDOW = 12  # the usual daily consumption: median over the last 12 intervals
DAY = timedelta(days=1)


class ReadingError(ValueError):
    """Two readings that cannot follow each other (names the field to correct)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Reading:
    read_at: datetime
    value: Decimal
    kind: ReadingKind = ReadingKind.regular
    replaced_final: Decimal | None = None  # the old meter's last value (replacement only)


@dataclass(frozen=True, slots=True)
class Interval:
    """Consumption between two readings, in the meter's unit."""

    start: datetime
    end: datetime
    quantity: Decimal
    estimated: bool

    @property
    def days(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(86_400)

    @property
    def daily(self) -> Decimal:
        return self.quantity / self.days if self.days > 0 else ZERO


def register_size(digits: int) -> Decimal:
    """A register of ``digits`` digits before the decimal point rolls over at 10^digits."""
    return Decimal(10) ** digits


def step(previous: Reading, current: Reading, register_digits: int | None) -> Decimal:
    """What was consumed from ``previous`` to ``current``.

    * regular / estimated: ``current − previous`` (never negative);
    * rollover: ``(10^digits − previous) + current`` (the register passed its maximum);
    * replacement: ``replaced_final − previous`` (the old meter up to its removal; the new
      meter starts at ``current.value``, counted from the next reading on).
    """
    if current.kind is ReadingKind.replacement:
        if current.replaced_final is None:
            raise ReadingError("replaced_final", "the old meter's final reading is missing")
        if current.replaced_final < previous.value:
            raise ReadingError("replaced_final", "the old meter's final reading is too low")
        return current.replaced_final - previous.value
    if current.kind is ReadingKind.rollover:
        if register_digits is None:
            raise ReadingError("kind", "the meter has no register size")
        size = register_size(register_digits)
        if current.value >= previous.value or previous.value >= size:
            raise ReadingError("kind", "not a rollover")
        return size - previous.value + current.value
    if current.value < previous.value:
        raise ReadingError("value", "lower than the previous reading")
    return current.value - previous.value


def intervals(readings: Sequence[Reading], register_digits: int | None) -> list[Interval]:
    """Consecutive readings (sorted by time) → consumption intervals. An interval is
    estimated when either end is an estimated reading."""
    ordered = sorted(readings, key=lambda r: r.read_at)
    result = []
    for previous, current in itertools.pairwise(ordered):
        quantity = step(previous, current, register_digits)
        estimated = ReadingKind.estimated in (previous.kind, current.kind)
        result.append(Interval(previous.read_at, current.read_at, quantity, estimated))
    return result


def usual_daily(history: Sequence[Interval]) -> Decimal | None:
    """The usual daily consumption: the median daily rate of the last ``USUAL_WINDOW``
    intervals; None with fewer than two (too little history to judge)."""
    recent = [i.daily for i in history[-USUAL_WINDOW:] if i.days > 0]
    if len(recent) < 2:
        return None
    return Decimal(statistics.median(recent))


def is_jump(history: Sequence[Interval], new: Interval) -> bool:
    """True when ``new`` consumes more than ``JUMP_FACTOR`` × the usual per day."""
    usual = usual_daily(history)
    if usual is None or usual <= 0 or new.days <= 0:
        return False
    return new.daily > JUMP_FACTOR * usual


# ---- calendarisation ------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def calendarise_days(first: date, last: date, quantity: Decimal) -> dict[date, Decimal]:
    """Spread ``quantity`` evenly over the days ``first``..``last`` (both included) and sum
    per calendar month (keys: the month's first day)."""
    if last < first:
        return {}
    total_days = (last - first).days + 1
    result: dict[date, Decimal] = {}
    month = month_of(first)
    while month <= last:
        start = max(first, month)
        end = min(last, _next_month(month) - DAY)
        result[month] = quantity * Decimal((end - start).days + 1) / Decimal(total_days)
        month = _next_month(month)
    return result


def counted_days(starts_on: date, ends_on: date, next_starts_on: date | None) -> tuple[date, date]:
    """Portfolio Manager's boundary rule: both dates of a bill count, except that when the
    next bill of the same meter starts on this bill's last day, the later bill gets that
    day. Returns the first and last day counted for this bill."""
    if next_starts_on is not None and next_starts_on == ends_on and ends_on > starts_on:
        return starts_on, ends_on - DAY
    return starts_on, ends_on


@dataclass(frozen=True, slots=True)
class Period:
    starts_on: date
    ends_on: date
    quantity: Decimal
    estimated: bool = False
    cost: Decimal | None = None


def calendarise_periods(periods: Iterable[Period]) -> dict[date, tuple[Decimal, Decimal, bool]]:
    """Bills of one meter → per month (quantity, cost, any estimated)."""
    ordered = sorted(periods, key=lambda p: (p.starts_on, p.ends_on))
    result: dict[date, tuple[Decimal, Decimal, bool]] = {}
    for index, period in enumerate(ordered):
        following = ordered[index + 1].starts_on if index + 1 < len(ordered) else None
        first, last = counted_days(period.starts_on, period.ends_on, following)
        costs = calendarise_days(first, last, period.cost) if period.cost is not None else {}
        for month, quantity in calendarise_days(first, last, period.quantity).items():
            q, c, e = result.get(month, (ZERO, ZERO, False))
            result[month] = (q + quantity, c + costs.get(month, ZERO), e or period.estimated)
    return result


def calendarise_interval(interval: Interval, zone: ZoneInfo) -> dict[date, Decimal]:
    """Consumption between two readings → calendar months of the site's time zone, pro rata
    by time (equal to pro rata by day when readings are taken at the same hour)."""
    total = (interval.end - interval.start).total_seconds()
    if total <= 0:
        return {}
    result: dict[date, Decimal] = {}
    month = month_of(interval.start.astimezone(zone).date())
    while True:
        begins = datetime(month.year, month.month, 1, tzinfo=zone).astimezone(UTC)
        following = _next_month(month)
        ends = datetime(following.year, following.month, 1, tzinfo=zone).astimezone(UTC)
        if begins >= interval.end:
            break
        overlap = (min(ends, interval.end) - max(begins, interval.start)).total_seconds()
        if overlap > 0:
            result[month] = interval.quantity * Decimal(overlap) / Decimal(total)
        month = following
    return result


def calendarise_readings(
    readings: Sequence[Reading], register_digits: int | None, zone: ZoneInfo
) -> dict[date, tuple[Decimal, bool]]:
    result: dict[date, tuple[Decimal, bool]] = {}
    for interval in intervals(readings, register_digits):
        for month, quantity in calendarise_interval(interval, zone).items():
            q, e = result.get(month, (ZERO, False))
            result[month] = (q + quantity, e or interval.estimated)
    return result


# ---- bill overlaps --------------------------------------------------------------------


def overlaps(new: tuple[date, date], other: tuple[date, date]) -> bool:
    """Two bills of one meter overlap when they share a day, except one shared boundary
    day (the last day of one is the first of the next), which Portfolio Manager allows."""
    (s1, e1), (s2, e2) = new, other
    shared = (min(e1, e2) - max(s1, s2)).days + 1
    if shared <= 0:
        return False
    # The shared day must be the last of one and the first of the other, and neither bill
    # may consist of that day alone.
    boundary = (s1 == e2 and s2 < s1 < e1) or (s2 == e1 and s1 < s2 < e2)
    return not (shared == 1 and boundary)


# ---- emissions, intensities, diversion -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Factor:
    carrier: Carrier
    region: str
    year: int
    method: FactorMethod
    value: Decimal  # kg CO2e per kWh (gross calorific basis for fuels)
    source: str
    version: int
    id: int = 0


def pick_factor(
    factors: Sequence[Factor], carrier: Carrier, region: str, year: int, method: FactorMethod
) -> Factor | None:
    """The factor of the year, else the latest earlier year, else the earliest later year;
    of a year, the highest version."""
    candidates = [
        f for f in factors if f.carrier is carrier and f.region == region and f.method is method
    ]
    if not candidates:
        return None
    exact_or_earlier = [f for f in candidates if f.year <= year]
    pool = exact_or_earlier or candidates
    best_year = max(f.year for f in pool) if exact_or_earlier else min(f.year for f in pool)
    return max((f for f in pool if f.year == best_year), key=lambda f: f.version)


@dataclass(slots=True)
class MonthEmissions:
    scope1_kg: Decimal = ZERO
    scope2_location_kg: Decimal = ZERO
    scope2_market_kg: Decimal = ZERO
    market_fallback: bool = False  # a market-based figure used the location factor
    missing: set[Carrier] | None = None  # carriers with consumption but no factor
    factor_ids: set[int] | None = None


def emissions(
    energy_kwh: dict[Carrier, Decimal], factors: Sequence[Factor], region: str, year: int
) -> MonthEmissions:
    """Scope 1 = Σ fuel kWh × factor (location and market alike); Scope 2 location-based =
    Σ kWh × location factor; market-based = Σ kWh × market factor, falling back to the
    location factor where no contractual factor exists (flagged)."""
    out = MonthEmissions(missing=set(), factor_ids=set())
    assert out.missing is not None and out.factor_ids is not None
    for carrier, kwh in energy_kwh.items():
        if carrier not in SCOPE_1 and carrier not in SCOPE_2:
            continue
        location = pick_factor(factors, carrier, region, year, FactorMethod.location)
        if location is None:
            if kwh:
                out.missing.add(carrier)
            continue
        out.factor_ids.add(location.id)
        if carrier in SCOPE_1:
            out.scope1_kg += kwh * location.value
            continue
        out.scope2_location_kg += kwh * location.value
        market = pick_factor(factors, carrier, region, year, FactorMethod.market)
        if market is None:
            out.market_fallback = out.market_fallback or bool(kwh)
            out.scope2_market_kg += kwh * location.value
        else:
            out.factor_ids.add(market.id)
            out.scope2_market_kg += kwh * market.value
    return out


def intensity(total: Decimal, denominator: Decimal | int | None) -> Decimal | None:
    """``total / denominator``; None when the denominator is unknown or not positive."""
    if denominator is None or Decimal(denominator) <= 0:
        return None
    return total / Decimal(denominator)


def diversion_rate(waste_kg: dict[Carrier, Decimal]) -> Decimal | None:
    """Share of waste collected separately for recycling: Σ separated streams / Σ all
    waste × 100; None when no waste was recorded."""
    total = sum((q for c, q in waste_kg.items() if c in WASTE), ZERO)
    if total <= 0:
        return None
    diverted = sum((q for c, q in waste_kg.items() if c in DIVERTED), ZERO)
    return diverted / total * 100


def add_months(into: dict[date, Decimal], more: dict[date, Decimal]) -> None:
    for month, value in more.items():
        into[month] = into.get(month, ZERO) + value


def group_sum(rows: Iterable[tuple[date, Carrier, Decimal]]) -> dict[date, dict[Carrier, Decimal]]:
    result: dict[date, dict[Carrier, Decimal]] = defaultdict(dict)
    for month, carrier, value in rows:
        result[month][carrier] = result[month].get(carrier, ZERO) + value
    return dict(result)
