"""The stored monthly figures (``meter_month``): calendarised consumption, cost and CO2e per
meter and site-local month, rewritten inside the transaction of every write that changes
them (a reading, a bill, an interval import, a new emission factor, a meter's settings), so
results and reports read a few rows per meter instead of recomputing from readings, bills
and millions of interval values on every request.

Which entries a month takes (``source``): the bills where a bill touches the month, else
the interval data where there is some, else the register readings (see docs/kpis.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.sustainability import calc
from facilities.sustainability.enums import SCOPE_1, SCOPE_2, USAGE, Carrier, FactorMethod
from facilities.sustainability.queries import (
    dec,
    factors_for,
    opt_dec,
    period_rows,
    reading_of,
    reading_rows,
    to_date,
)
from facilities.sustainability.tables import Meter, MeterMonth
from facilities.sustainability.units import to_reporting_unit

COLUMNS = (
    "meter, month, interval_quantity, quantity, cost, estimated, source, scope1_kg,"
    " location_kg, market_kg, market_fallback, missing_factor, location_factor, market_factor"
)


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a site-local calendar month begins and ends (exclusive)."""
    following = calc._next_month(month)
    begins = datetime(month.year, month.month, 1, tzinfo=zone).astimezone(UTC)
    ends = datetime(following.year, following.month, 1, tzinfo=zone).astimezone(UTC)
    return begins, ends


async def _meters(meter_ids: list[int]) -> list[dict[str, Any]]:
    rows = await Meter.select(
        Meter.id,
        Meter.site,
        Meter.site.time_zone.as_alias("time_zone"),
        Meter.site.country.as_alias("country"),
        Meter.carrier,
        Meter.unit,
        Meter.register_digits,
        Meter.correction_factor,
        Meter.calorific_value,
        Meter.market_factor,
    ).where(Meter.id.is_in(meter_ids))
    return [dict(r) for r in rows]


async def _interval_sums(meter: dict[str, Any], months: Iterable[date]) -> dict[date, float]:
    """The sum of a meter's interval values in each site-local month (a range scan of the
    unique index per month)."""
    zone = ZoneInfo(meter["time_zone"])
    sums: dict[date, float] = {}
    for month in sorted(months):
        begins, ends = month_bounds(month, zone)
        rows = await db.raw(
            "SELECT SUM(quantity) AS total, COUNT(*) AS n FROM meter_interval"
            " WHERE meter = {} AND starts_at >= {} AND starts_at < {}",
            meter["id"],
            begins,
            ends,
        )
        if rows and rows[0]["n"]:
            sums[month] = float(rows[0]["total"])
    return sums


def meter_months(
    meter: dict[str, Any],
    readings: list[calc.Reading],
    periods: list[calc.Period],
    interval_sums: dict[date, float],
) -> dict[date, tuple[Decimal, Decimal | None, bool, str]]:
    """One meter → per month (quantity in the reporting unit, cost, estimated, source)."""
    carrier = Carrier(meter["carrier"])
    zone = ZoneInfo(meter["time_zone"])
    from_readings = calc.calendarise_readings(readings, meter["register_digits"], zone)
    from_bills = calc.calendarise_periods(periods)
    any_cost = any(p.cost is not None for p in periods)
    result: dict[date, tuple[Decimal, Decimal | None, bool, str]] = {}
    for month in sorted(set(from_readings) | set(from_bills) | set(interval_sums)):
        cost: Decimal | None = None
        if month in from_bills:
            quantity, bill_cost, estimated = from_bills[month]
            cost, source = (bill_cost if any_cost else None), "bill"
        elif month in interval_sums:
            quantity, estimated, source = Decimal(repr(interval_sums[month])), False, "interval"
        else:
            quantity, estimated = from_readings[month]
            source = "reading"
        converted = to_reporting_unit(
            quantity,
            carrier=carrier,
            unit=meter["unit"],
            correction_factor=opt_dec(meter["correction_factor"]),
            calorific_value=opt_dec(meter["calorific_value"]),
        )
        result[month] = (converted, cost, estimated, source)
    return result


def _co2(
    carrier: Carrier,
    kwh: Decimal,
    factors: list[calc.Factor],
    region: str,
    year: int,
    supplier: Decimal | None = None,
) -> tuple[Decimal, Decimal, Decimal, bool, bool, int | None, int | None]:
    """(scope 1, location, market, market fallback, missing, location id, market id).
    ``supplier``: the meter's own market-based factor, before the region's."""
    zero = calc.ZERO
    if carrier not in SCOPE_1 and carrier not in SCOPE_2:
        return zero, zero, zero, False, False, None, None
    location = calc.pick_factor(factors, carrier, region, year, FactorMethod.location)
    if location is None:
        return zero, zero, zero, False, bool(kwh), None, None
    if carrier in SCOPE_1:
        return kwh * location.value, zero, zero, False, False, location.id, None
    location_kg = kwh * location.value
    if supplier is not None:
        return zero, location_kg, kwh * supplier, False, False, location.id, None
    market = calc.pick_factor(factors, carrier, region, year, FactorMethod.market)
    if market is None:
        return zero, location_kg, location_kg, bool(kwh), False, location.id, None
    return zero, location_kg, kwh * market.value, False, False, location.id, market.id


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


async def refresh(
    meter_ids: Iterable[int],
    interval_months: dict[int, set[date]] | None = None,
    interval_added: dict[int, dict[date, float]] | None = None,
) -> None:
    """Rewrite the stored months of these meters (inside the caller's transaction).
    ``interval_months``: months whose interval sums must be read again (after an import
    that replaced stored values); ``interval_added``: per month the sum of interval values
    added beside the stored ones (an import that replaced none), added to the stored sums
    without reading ``meter_interval``; the other months keep their stored interval sums."""
    ids = sorted(set(meter_ids))
    if not ids:
        return
    # An asset's operating-hours or counter meter has no monthly figures (enums.USAGE).
    meters = [m for m in await _meters(ids) if Carrier(m["carrier"]) not in USAGE]
    stored: dict[int, dict[date, float]] = defaultdict(dict)
    for row in await MeterMonth.select(
        MeterMonth.meter, MeterMonth.month, MeterMonth.interval_quantity
    ).where(MeterMonth.meter.is_in(ids) & MeterMonth.interval_quantity.is_not_null()):
        stored[row["meter"]][to_date(row["month"])] = float(row["interval_quantity"])
    readings: dict[int, list[calc.Reading]] = defaultdict(list)
    for row in await reading_rows(ids):
        readings[row["meter"]].append(reading_of(row))
    periods: dict[int, list[calc.Period]] = defaultdict(list)
    for row in await period_rows(ids):
        periods[row["meter"]].append(
            calc.Period(
                starts_on=to_date(row["starts_on"]),
                ends_on=to_date(row["ends_on"]),
                quantity=dec(row["quantity"]),
                estimated=bool(row["estimated"]),
                cost=opt_dec(row["cost"]),
            )
        )
    factors = await factors_for({m["country"] for m in meters})
    out: list[tuple[Any, ...]] = []
    for meter in meters:
        sums = stored[meter["id"]]
        touched = (interval_months or {}).get(meter["id"])
        if touched:
            fresh = await _interval_sums(meter, touched)
            for month in touched:
                sums.pop(month, None)
            sums.update(fresh)
        for month, added in (interval_added or {}).get(meter["id"], {}).items():
            sums[month] = sums.get(month, 0.0) + added
        carrier = Carrier(meter["carrier"])
        figures = meter_months(meter, readings[meter["id"]], periods[meter["id"]], sums)
        for month, (quantity, cost, estimated, source) in figures.items():
            s1, loc, mkt, fallback, missing, loc_id, mkt_id = _co2(
                carrier,
                quantity,
                factors,
                meter["country"],
                month.year,
                opt_dec(meter["market_factor"]),
            )
            out.append(
                (
                    meter["id"],
                    month,
                    sums.get(month),
                    _q(quantity),
                    None if cost is None else cost.quantize(Decimal("0.01")),
                    estimated,
                    source,
                    _q(s1),
                    _q(loc),
                    _q(mkt),
                    fallback,
                    missing,
                    loc_id,
                    mkt_id,
                )
            )
    async with db.transaction():
        await MeterMonth.delete().where(MeterMonth.meter.is_in(ids))
        marks = ", ".join("{}" for _ in COLUMNS.split(","))
        insert = f"INSERT INTO meter_month ({COLUMNS}) VALUES ({marks})"  # noqa: S608
        await db.executemany(insert, out)


async def refresh_carrier(carrier: Carrier, region: str) -> None:
    """After an emission factor changed: every meter of the carrier at sites in the
    region (country) gets its CO2e rewritten."""
    rows = await Meter.select(Meter.id).where(
        (Meter.carrier == carrier.value) & (Meter.site.country == region)
    )
    await refresh([r["id"] for r in rows])


async def refresh_all() -> None:
    """Every meter (``facilities demo`` and the migration of existing data)."""
    ids = [r["id"] for r in await Meter.select(Meter.id)]
    for start in range(0, len(ids), 200):
        await refresh(ids[start : start + 200])
