"""Monthly results of a site or of every site the caller sees: calendarised consumption per
carrier, cost, Scope 1, Scope 2 location- and market-based, intensities, diversion. Reads only
(computed from readings and bills on each request; see docs/kpis.md for every formula)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities.accounts.principal import Principal
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope
from facilities.sites.tables import Site
from facilities.sustainability import calc
from facilities.sustainability.enums import ENERGY, WASTE, Carrier, reporting_unit
from facilities.sustainability.queries import (
    METER_COLUMNS,
    dec,
    factors_for,
    opt_dec,
    opt_float,
    period_rows,
    reading_of,
    reading_rows,
    to_date,
)
from facilities.sustainability.schemas import CarrierMonth, Intensities, MonthResult, ResultsRead
from facilities.sustainability.tables import Meter, Occupancy
from facilities.sustainability.units import to_reporting_unit


def meter_months(
    meter: dict[str, Any], readings: list[calc.Reading], periods: list[calc.Period]
) -> dict[date, tuple[Decimal, Decimal | None, bool]]:
    """One meter → per month (quantity in the reporting unit, cost, estimated).

    Bills are authoritative: a month touched by a bill of the meter takes the bills'
    figures; other months take the register readings' figures."""
    carrier = Carrier(meter["carrier"])
    zone = ZoneInfo(meter["time_zone"])
    from_readings = calc.calendarise_readings(readings, meter["register_digits"], zone)
    from_bills = calc.calendarise_periods(periods)
    result: dict[date, tuple[Decimal, Decimal | None, bool]] = {}
    for month in sorted(set(from_readings) | set(from_bills)):
        cost: Decimal | None
        if month in from_bills:
            quantity, cost, estimated = from_bills[month]
            cost = cost if any(p.cost is not None for p in periods) else None
        else:
            quantity, estimated = from_readings[month]
            cost = None
        converted = to_reporting_unit(
            quantity,
            carrier=carrier,
            unit=meter["unit"],
            correction_factor=opt_dec(meter["correction_factor"]),
            calorific_value=opt_dec(meter["calorific_value"]),
        )
        result[month] = (converted, cost, estimated)
    return result


class _Bucket:
    """Figures of one month (or the year) summed over sites."""

    def __init__(self) -> None:
        self.quantity: dict[Carrier, Decimal] = defaultdict(Decimal)
        self.cost: dict[Carrier, Decimal | None] = {}
        self.estimated: dict[Carrier, bool] = defaultdict(bool)
        self.scope1 = calc.ZERO
        self.location = calc.ZERO
        self.market = calc.ZERO
        self.fallback = False
        self.missing: set[Carrier] = set()
        self.visits: int | None = None
        self.visited_kg = calc.ZERO  # location-based CO2e of the site-months with visits

    def add_visits(self, visits: int | None, location_kg: Decimal) -> None:
        if visits is not None:
            self.visits = (self.visits or 0) + visits
            self.visited_kg += location_kg


def _result(month: date, bucket: _Bucket, area: Decimal | None, desks: int | None) -> MonthResult:
    energy = sum((q for c, q in bucket.quantity.items() if c in ENERGY), calc.ZERO)
    location = bucket.scope1 + bucket.location
    market = bucket.scope1 + bucket.market
    waste = {c: q for c, q in bucket.quantity.items() if c in WASTE}

    def per(total: Decimal, denominator: Decimal | int | None) -> float | None:
        value = calc.intensity(total, denominator)
        return None if value is None else float(value)

    return MonthResult(
        month=month,
        carriers=[
            CarrierMonth(
                carrier=carrier,
                quantity=float(bucket.quantity[carrier]),
                unit=reporting_unit(carrier),
                cost=opt_float(bucket.cost.get(carrier)),
                estimated=bucket.estimated[carrier],
            )
            for carrier in Carrier
            if carrier in bucket.quantity
        ],
        energy_kwh=float(energy),
        scope1_kg=float(bucket.scope1),
        scope2_location_kg=float(bucket.location),
        scope2_market_kg=float(bucket.market),
        market_fallback=bucket.fallback,
        missing_factors=sorted(bucket.missing),
        visits=bucket.visits,
        intensities=Intensities(
            energy_kwh_per_m2=per(energy, area),
            co2e_location_kg_per_m2=per(location, area),
            co2e_market_kg_per_m2=per(market, area),
            co2e_location_kg_per_desk=per(location, desks),
            co2e_location_kg_per_visit=per(bucket.visited_kg, bucket.visits),
        ),
        diversion_rate=opt_float(calc.diversion_rate(waste)),
    )


async def results(actor: Principal, *, year: int, site_id: int | None = None) -> ResultsRead:
    """Monthly consumption, cost, Scope 1 and 2 (both methods) and intensities for one site
    or every site the caller sees, for a calendar year (site-local months)."""
    if not 1990 <= year <= 2100:
        raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
    sites_query = Site.select(Site.id, Site.country, Site.floor_area_m2, Site.desks, Site.archived)
    if site_id is not None:
        await scope.require_site(actor, site_id)
        sites_query = sites_query.where(Site.id == site_id)
    else:
        visible = await scope.visible_site_ids(actor)
        if visible is not None:
            sites_query = sites_query.where(Site.id.is_in(sorted(visible) or [0]))
        sites_query = sites_query.where(Site.archived.eq(False))
    sites = {r["id"]: dict(r) for r in await sites_query}
    meters = (
        [dict(r) for r in await Meter.select(*METER_COLUMNS).where(Meter.site.is_in(sorted(sites)))]
        if sites
        else []
    )
    meter_ids = [m["id"] for m in meters]
    readings: dict[int, list[calc.Reading]] = defaultdict(list)
    for row in await reading_rows(meter_ids):
        readings[row["meter"]].append(reading_of(row))
    periods: dict[int, list[calc.Period]] = defaultdict(list)
    for row in await period_rows(meter_ids):
        periods[row["meter"]].append(
            calc.Period(
                starts_on=to_date(row["starts_on"]),
                ends_on=to_date(row["ends_on"]),
                quantity=dec(row["quantity"]),
                estimated=bool(row["estimated"]),
                cost=opt_dec(row["cost"]),
            )
        )
    occupancy = await Occupancy.select(Occupancy.site, Occupancy.month, Occupancy.visits).where(
        Occupancy.site.is_in(sorted(sites) or [0])
        & (Occupancy.month >= date(year, 1, 1))
        & (Occupancy.month <= date(year, 12, 1))
    )
    visits: dict[tuple[int, date], int] = {
        (r["site"], to_date(r["month"])): r["visits"] for r in occupancy
    }
    factors = await factors_for({s["country"] for s in sites.values()})

    # site → month → carrier → (quantity, cost, estimated)
    per_site: dict[int, dict[date, dict[Carrier, tuple[Decimal, Decimal | None, bool]]]]
    per_site = defaultdict(lambda: defaultdict(dict))
    for meter in meters:
        for month, figures in meter_months(
            meter, readings[meter["id"]], periods[meter["id"]]
        ).items():
            if month.year != year:
                continue
            carrier = Carrier(meter["carrier"])
            q, c, e = per_site[meter["site"]][month].get(carrier, (calc.ZERO, None, False))
            cost = c if figures[1] is None else (c or calc.ZERO) + figures[1]
            per_site[meter["site"]][month][carrier] = (q + figures[0], cost, e or figures[2])

    month_keys = [date(year, m, 1) for m in range(1, 13)]
    buckets = {m: _Bucket() for m in month_keys}
    total = _Bucket()
    factor_ids: set[int] = set()
    for sid, site in sites.items():
        for month in month_keys:
            bucket = buckets[month]
            site_visits = visits.get((sid, month))
            carriers = per_site.get(sid, {}).get(month, {})
            for carrier, (quantity, cost, estimated) in carriers.items():
                for target in (bucket, total):
                    target.quantity[carrier] += quantity
                    if cost is not None:
                        target.cost[carrier] = (target.cost.get(carrier) or calc.ZERO) + cost
                    target.estimated[carrier] = target.estimated[carrier] or estimated
            energy = {c: q for c, (q, _c, _e) in carriers.items() if c in ENERGY}
            co2 = calc.emissions(energy, factors, site["country"], year)
            assert co2.missing is not None and co2.factor_ids is not None
            factor_ids |= co2.factor_ids
            for target in (bucket, total):
                target.scope1 += co2.scope1_kg
                target.location += co2.scope2_location_kg
                target.market += co2.scope2_market_kg
                target.fallback = target.fallback or co2.market_fallback
                target.missing |= co2.missing
                target.add_visits(site_visits, co2.scope1_kg + co2.scope2_location_kg)

    areas = [dec(s["floor_area_m2"]) for s in sites.values() if s["floor_area_m2"] is not None]
    area = sum(areas, calc.ZERO) if areas and len(areas) == len(sites) else None
    desk_counts = [s["desks"] for s in sites.values() if s["desks"] is not None]
    desks = sum(desk_counts) if desk_counts and len(desk_counts) == len(sites) else None
    return ResultsRead(
        year=year,
        site_id=site_id,
        site_count=len(sites),
        floor_area_m2=float(area) if area is not None else None,
        desks=desks,
        months=[_result(m, buckets[m], area, desks) for m in month_keys],
        total=_result(date(year, 1, 1), total, area, desks),
        factor_ids=sorted(factor_ids),
    )
