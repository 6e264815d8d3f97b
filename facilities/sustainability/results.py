"""Monthly results of a site or of every site the caller sees: calendarised consumption per
carrier, cost, Scope 1, Scope 2 location- and market-based, intensities, diversion. Reads only:
the stored monthly figures of each meter (``monthly``, kept up to date by every write), summed
per site and month; see docs/kpis.md for every formula."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.tables import WorkOrderCost
from facilities.sites import scope
from facilities.sites.tables import Site
from facilities.sustainability import calc, refrigerants
from facilities.sustainability.enums import ENERGY, WASTE, Carrier, reporting_unit
from facilities.sustainability.queries import (
    aware,
    dec,
    opt_float,
    to_date,
)
from facilities.sustainability.schemas import CarrierMonth, Intensities, MonthResult, ResultsRead
from facilities.sustainability.tables import MeterMonth, Occupancy


@dataclass(slots=True)
class _Co2:
    scope1: Decimal = calc.ZERO
    location: Decimal = calc.ZERO
    market: Decimal = calc.ZERO
    fallback: bool = False
    missing: set[Carrier] = field(default_factory=set)
    refrigerant: Decimal = calc.ZERO  # part of scope1


async def refrigerant_rows(site_ids: list[int], year: int) -> list[dict[str, Any]]:
    """Refrigerant top-ups (maintenance part lines of kind ``refrigerant``) on work orders
    of the sites, recorded in the year (a day's margin each side: months are site-local)."""
    if not site_ids:
        return []
    rows = await WorkOrderCost.select(
        WorkOrderCost.id,
        WorkOrderCost.gas,
        WorkOrderCost.quantity,
        WorkOrderCost.created_at,
        WorkOrderCost.work_order,
        WorkOrderCost.work_order.site.as_alias("site"),
        WorkOrderCost.work_order.site.time_zone.as_alias("time_zone"),  # type: ignore[union-attr]
    ).where(
        (WorkOrderCost.kind == "refrigerant")
        & WorkOrderCost.work_order.site.is_in(site_ids)
        & (WorkOrderCost.created_at >= datetime(year - 1, 12, 31, tzinfo=UTC))
        & (WorkOrderCost.created_at < datetime(year + 1, 1, 2, tzinfo=UTC))
    )
    result = []
    for row in rows:
        local = aware(row["created_at"]).astimezone(ZoneInfo(row["time_zone"]))
        gas = refrigerants.canonical(row["gas"] or "")
        if local.year == year and gas is not None:
            result.append({**row, "gas": gas, "month": date(year, local.month, 1)})
    return result


async def monthly_rows(site_ids: list[int], first: date, last: date) -> list[dict[str, Any]]:
    """The stored monthly figures (``monthly``) of the sites' meters, months first..last."""
    if not site_ids:
        return []
    rows = await MeterMonth.select(
        MeterMonth.meter,
        MeterMonth.meter.site.as_alias("site"),
        MeterMonth.meter.carrier.as_alias("carrier"),
        MeterMonth.month,
        MeterMonth.quantity,
        MeterMonth.cost,
        MeterMonth.estimated,
        MeterMonth.source,
        MeterMonth.scope1_kg,
        MeterMonth.location_kg,
        MeterMonth.market_kg,
        MeterMonth.market_fallback,
        MeterMonth.missing_factor,
        MeterMonth.location_factor,
        MeterMonth.market_factor,
    ).where(
        MeterMonth.meter.site.is_in(site_ids)
        & (MeterMonth.month >= first)
        & (MeterMonth.month <= last)
    )
    return [dict(r) for r in rows]


async def energy_kwh_by_site(site_ids: list[int], first: date, last: date) -> dict[int, float]:
    """Energy (kWh, every carrier of ``ENERGY``) per site over the stored monthly figures
    whose month (its first day) lies in first..last: one grouped query for all the sites, the
    same sum as ``results(...).months[i].energy_kwh`` added up month by month. Sites without
    figures are absent (the caller reads them as 0)."""
    if not site_ids:
        return {}
    listed = ",".join(str(int(s)) for s in site_ids)
    carriers = ",".join(f"'{c.value}'" for c in sorted(ENERGY, key=lambda c: c.value))
    rows = await db.raw(
        "SELECT m.site AS site, SUM(mm.quantity) AS kwh FROM meter_month mm"  # noqa: S608
        f" JOIN meter m ON m.id = mm.meter WHERE m.site IN ({listed})"
        f" AND m.carrier IN ({carriers}) AND mm.month >= {{}} AND mm.month <= {{}}"
        " GROUP BY m.site",
        first,
        last,
    )
    return {int(r["site"]): float(r["kwh"] or 0) for r in rows}


class _Bucket:
    """Figures of one month (or the year) summed over sites."""

    def __init__(self) -> None:
        self.quantity: dict[Carrier, Decimal] = defaultdict(Decimal)
        self.cost: dict[Carrier, Decimal | None] = {}
        self.estimated: dict[Carrier, bool] = defaultdict(bool)
        self.scope1 = calc.ZERO
        self.refrigerant = calc.ZERO
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
        scope1_refrigerant_kg=float(bucket.refrigerant),
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


async def report_sites(
    actor: Principal, *, site_id: int | None = None, region_id: int | None = None
) -> list[dict[str, Any]]:
    """The sites a result covers: one site (404 outside the caller's scope), a region's
    active sites (404 likewise), or every active site the caller sees."""
    query = Site.select(
        Site.id, Site.code, Site.name, Site.country, Site.floor_area_m2, Site.desks
    ).order_by(Site.code)
    if site_id is not None:
        await scope.require_site(actor, site_id)
        return [dict(r) for r in await query.where(Site.id == site_id)]
    if region_id is not None:
        await scope.require_region(actor, region_id)
        query = query.where(Site.region == region_id)
    visible = await scope.visible_site_ids(actor)
    if visible is not None:
        query = query.where(Site.id.is_in(sorted(visible) or [0]))
    return [dict(r) for r in await query.where(Site.archived.eq(False))]


async def results(
    actor: Principal, *, year: int, site_id: int | None = None, region_id: int | None = None
) -> ResultsRead:
    """Monthly consumption, cost, Scope 1 and 2 (both methods) and intensities for one site,
    the sites of a region, or every site the caller sees, for a calendar year (site-local
    months)."""
    if not 1990 <= year <= 2100:
        raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
    sites = {r["id"]: r for r in await report_sites(actor, site_id=site_id, region_id=region_id)}
    stored = await monthly_rows(sorted(sites), date(year, 1, 1), date(year, 12, 1))
    occupancy = await Occupancy.select(Occupancy.site, Occupancy.month, Occupancy.visits).where(
        Occupancy.site.is_in(sorted(sites) or [0])
        & (Occupancy.month >= date(year, 1, 1))
        & (Occupancy.month <= date(year, 12, 1))
    )
    visits: dict[tuple[int, date], int] = {
        (r["site"], to_date(r["month"])): r["visits"] for r in occupancy
    }

    # site → month → carrier → (quantity, cost, estimated); site → month → CO2e
    per_site: dict[int, dict[date, dict[Carrier, tuple[Decimal, Decimal | None, bool]]]]
    per_site = defaultdict(lambda: defaultdict(dict))
    co2_of: dict[tuple[int, date], _Co2] = defaultdict(_Co2)
    factor_ids: set[int] = set()
    for row in stored:
        month = to_date(row["month"])
        carrier = Carrier(row["carrier"])
        site_months = per_site[row["site"]][month]
        q, c, e = site_months.get(carrier, (calc.ZERO, None, False))
        cost = c if row["cost"] is None else (c or calc.ZERO) + dec(row["cost"])
        site_months[carrier] = (q + dec(row["quantity"]), cost, e or bool(row["estimated"]))
        co2 = co2_of[(row["site"], month)]
        co2.scope1 += dec(row["scope1_kg"])
        co2.location += dec(row["location_kg"])
        co2.market += dec(row["market_kg"])
        co2.fallback = co2.fallback or bool(row["market_fallback"])
        if row["missing_factor"]:
            co2.missing.add(carrier)
        factor_ids |= {f for f in (row["location_factor"], row["market_factor"]) if f}
    for row in await refrigerant_rows(sorted(sites), year):
        co2e = dec(row["quantity"]) * refrigerants.gwp(row["gas"])
        co2 = co2_of[(row["site"], row["month"])]
        co2.scope1 += co2e
        co2.refrigerant += co2e

    month_keys = [date(year, m, 1) for m in range(1, 13)]
    buckets = {m: _Bucket() for m in month_keys}
    total = _Bucket()
    for sid in sites:
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
            co2 = co2_of.get((sid, month)) or _Co2()
            for target in (bucket, total):
                target.scope1 += co2.scope1
                target.refrigerant += co2.refrigerant
                target.location += co2.location
                target.market += co2.market
                target.fallback = target.fallback or co2.fallback
                target.missing |= co2.missing
                target.add_visits(site_visits, co2.scope1 + co2.location)

    areas = [dec(s["floor_area_m2"]) for s in sites.values() if s["floor_area_m2"] is not None]
    area = sum(areas, calc.ZERO) if areas and len(areas) == len(sites) else None
    desk_counts = [s["desks"] for s in sites.values() if s["desks"] is not None]
    desks = sum(desk_counts) if desk_counts and len(desk_counts) == len(sites) else None
    return ResultsRead(
        year=year,
        site_id=site_id,
        region_id=region_id,
        site_count=len(sites),
        floor_area_m2=float(area) if area is not None else None,
        desks=desks,
        months=[_result(m, buckets[m], area, desks) for m in month_keys],
        total=_result(date(year, 1, 1), total, area, desks),
        factor_ids=sorted(factor_ids),
    )
