"""Monthly results of a site or of every site the caller sees: calendarised consumption per
carrier, cost, Scope 1, Scope 2 location- and market-based, intensities, diversion. Reads only:
the stored monthly figures of each meter (``monthly``, kept up to date by every write), summed
per site and month; see docs/kpis.md for every formula."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
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
from facilities.sustainability.tables import MeterMonth


async def refrigerant_rows(site_ids: list[int], year: int) -> list[dict[str, Any]]:
    """Refrigerant top-ups (maintenance part lines of kind ``refrigerant``) on work orders
    of the sites, recorded in the year (a day's margin each side: months are site-local)."""
    if not site_ids:
        return []
    listed = ",".join(str(int(s)) for s in site_ids)
    # Raw SQL: an IN list of hundreds of sites costs Piccolo more to build than to run.
    rows = await db.raw(
        "SELECT c.id AS id, c.gas AS gas, c.quantity AS quantity, c.created_at AS created_at,"  # noqa: S608
        " c.work_order AS work_order, w.site AS site, s.time_zone AS time_zone"
        " FROM work_order_cost c JOIN work_order w ON w.id = c.work_order"
        " JOIN site s ON s.id = w.site"
        f" WHERE c.kind = 'refrigerant' AND w.site IN ({listed})"
        " AND c.created_at >= {} AND c.created_at < {}",
        datetime(year - 1, 12, 31, tzinfo=UTC),
        datetime(year + 1, 1, 2, tzinfo=UTC),
    )
    result = []
    for row in rows:
        local = aware(row["created_at"]).astimezone(ZoneInfo(row["time_zone"]))
        gas = refrigerants.canonical(row["gas"] or "")
        if local.year == year and gas is not None:
            result.append({**dict(row), "gas": gas, "month": date(year, local.month, 1)})
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


async def target_totals(
    site_ids: list[int], years: set[int]
) -> dict[int, dict[int, tuple[Decimal, Decimal]]]:
    """Per year and site, the energy (kWh) and Scope 1 + Scope 2 location-based CO2e (kg,
    with refrigerant top-ups): the two target metrics (``targets``) as the sites' ``results``
    totals count them, read for every site and year at once (one grouped query, and the
    top-ups per year)."""
    found: dict[int, dict[int, tuple[Decimal, Decimal]]] = {y: {} for y in years}
    if not site_ids or not years:
        return found
    listed = ",".join(str(int(s)) for s in site_ids)
    carriers = ",".join(f"'{c.value}'" for c in sorted(ENERGY, key=lambda c: c.value))
    ordered = sorted(years)
    ranges = " OR ".join(["(mm.month >= {} AND mm.month <= {})"] * len(ordered))
    rows = await db.raw(
        "SELECT m.site AS site, mm.month AS month,"  # noqa: S608
        f" SUM(CASE WHEN m.carrier IN ({carriers}) THEN mm.quantity ELSE 0 END) AS kwh,"
        " SUM(mm.scope1_kg + mm.location_kg) AS co2e"
        f" FROM meter_month mm JOIN meter m ON m.id = mm.meter WHERE m.site IN ({listed})"
        f" AND ({ranges}) GROUP BY m.site, mm.month",
        *[d for y in ordered for d in (date(y, 1, 1), date(y, 12, 1))],
    )
    for row in rows:
        per_site = found.get(to_date(row["month"]).year)
        if per_site is None:
            continue
        kwh, co2e = per_site.get(int(row["site"]), (calc.ZERO, calc.ZERO))
        per_site[int(row["site"])] = (kwh + dec(row["kwh"] or 0), co2e + dec(row["co2e"] or 0))
    for year in ordered:
        per_site = found[year]
        for row in await refrigerant_rows(site_ids, year):
            kwh, co2e = per_site.get(row["site"], (calc.ZERO, calc.ZERO))
            top_up = dec(row["quantity"]) * refrigerants.gwp(row["gas"])
            per_site[row["site"]] = (kwh, co2e + top_up)
    return found


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


_GROUPED = (
    "SELECT mm.month AS month, m.carrier AS carrier, mm.location_factor AS location_factor,"
    " mm.market_factor AS market_factor, SUM(mm.quantity) AS quantity, SUM(mm.cost) AS cost,"
    " MAX(CASE WHEN mm.estimated THEN 1 ELSE 0 END) AS estimated,"
    " SUM(mm.scope1_kg) AS scope1_kg, SUM(mm.location_kg) AS location_kg,"
    " SUM(mm.market_kg) AS market_kg,"
    " MAX(CASE WHEN mm.market_fallback THEN 1 ELSE 0 END) AS market_fallback,"
    " MAX(CASE WHEN mm.missing_factor THEN 1 ELSE 0 END) AS missing_factor,"
    " SUM(CASE WHEN o.visits IS NULL THEN 0 ELSE mm.scope1_kg + mm.location_kg END)"
    " AS visited_kg"
    " FROM meter_month mm JOIN meter m ON m.id = mm.meter"
    " LEFT JOIN occupancy o ON o.site = m.site AND o.month = mm.month"
    " WHERE m.site IN ({sites}) AND mm.month >= {{}} AND mm.month <= {{}}"
    " GROUP BY mm.month, m.carrier, mm.location_factor, mm.market_factor"
)


async def _grouped_rows(site_ids: list[int], first: date, last: date) -> list[dict[str, Any]]:
    """The stored monthly figures of the sites summed per month and carrier (and the
    factors used) in SQL; ``visited_kg`` is the Scope 1 + Scope 2 location-based CO2e of the
    site-months that have a member-visit figure."""
    if not site_ids:
        return []
    listed = ",".join(str(int(s)) for s in site_ids)
    return [dict(r) for r in await db.raw(_GROUPED.format(sites=listed), first, last)]


async def _visits(site_ids: list[int], first: date, last: date) -> dict[date, int]:
    """Member visits of the sites per month (months without any figure are absent)."""
    if not site_ids:
        return {}
    listed = ",".join(str(int(s)) for s in site_ids)
    rows = await db.raw(
        f"SELECT month, SUM(visits) AS visits FROM occupancy WHERE site IN ({listed})"  # noqa: S608
        " AND month >= {} AND month <= {} GROUP BY month",
        first,
        last,
    )
    return {to_date(r["month"]): int(r["visits"]) for r in rows}


async def _visited(site_ids: list[int], first: date, last: date) -> set[tuple[int, date]]:
    """The (site, month) pairs that have a member-visit figure."""
    if not site_ids:
        return set()
    listed = ",".join(str(int(s)) for s in site_ids)
    rows = await db.raw(
        f"SELECT site, month FROM occupancy WHERE site IN ({listed})"  # noqa: S608
        " AND month >= {} AND month <= {}",
        first,
        last,
    )
    return {(int(r["site"]), to_date(r["month"])) for r in rows}


def _add(target: _Bucket, source: _Bucket) -> None:
    for carrier, quantity in source.quantity.items():
        target.quantity[carrier] += quantity
    for carrier, cost in source.cost.items():
        if cost is not None:
            target.cost[carrier] = (target.cost.get(carrier) or calc.ZERO) + cost
    for carrier, estimated in source.estimated.items():
        target.estimated[carrier] = target.estimated[carrier] or estimated
    target.scope1 += source.scope1
    target.refrigerant += source.refrigerant
    target.location += source.location
    target.market += source.market
    target.fallback = target.fallback or source.fallback
    target.missing |= source.missing
    if source.visits is not None:
        target.visits = (target.visits or 0) + source.visits
    target.visited_kg += source.visited_kg


async def results(
    actor: Principal, *, year: int, site_id: int | None = None, region_id: int | None = None
) -> ResultsRead:
    """Monthly consumption, cost, Scope 1 and 2 (both methods) and intensities for one site,
    the sites of a region, or every site the caller sees, for a calendar year (site-local
    months). The stored monthly figures are summed per month and carrier in SQL (a few
    dozen rows whatever the number of sites); refrigerant top-ups are added per site-month."""
    found = await results_of_years(
        actor, first=year, last=year, site_id=site_id, region_id=region_id
    )
    return found[0]


async def results_of_years(
    actor: Principal,
    *,
    first: int,
    last: int,
    site_id: int | None = None,
    region_id: int | None = None,
) -> list[ResultsRead]:
    """``results`` of each year first..last, read together (one grouped query for all the
    years: the report's year and the year before)."""
    for year in (first, last):
        if not 1990 <= year <= 2100:
            raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
    sites = {r["id"]: r for r in await report_sites(actor, site_id=site_id, region_id=region_id)}
    site_ids = sorted(sites)
    years = list(range(first, last + 1))
    begin, end = date(first, 1, 1), date(last, 12, 1)
    buckets = {date(y, m, 1): _Bucket() for y in years for m in range(1, 13)}
    factor_ids: dict[int, set[int]] = {y: set() for y in years}
    for row in await _grouped_rows(site_ids, begin, end):
        month = to_date(row["month"])
        bucket = buckets.get(month)
        if bucket is None:
            continue
        carrier = Carrier(row["carrier"])
        bucket.quantity[carrier] += dec(row["quantity"])
        if row["cost"] is not None:
            bucket.cost[carrier] = (bucket.cost.get(carrier) or calc.ZERO) + dec(row["cost"])
        bucket.estimated[carrier] = bucket.estimated[carrier] or bool(row["estimated"])
        bucket.scope1 += dec(row["scope1_kg"])
        bucket.location += dec(row["location_kg"])
        bucket.market += dec(row["market_kg"])
        bucket.fallback = bucket.fallback or bool(row["market_fallback"])
        if row["missing_factor"]:
            bucket.missing.add(carrier)
        bucket.visited_kg += dec(row["visited_kg"] or 0)
        factor_ids[month.year] |= {f for f in (row["location_factor"], row["market_factor"]) if f}
    for month, count in (await _visits(site_ids, begin, end)).items():
        if month in buckets:
            buckets[month].visits = count
    top_ups = [row for year in years for row in await refrigerant_rows(site_ids, year)]
    visited = await _visited(sorted({row["site"] for row in top_ups}), begin, end)
    for row in top_ups:
        co2e = dec(row["quantity"]) * refrigerants.gwp(row["gas"])
        bucket = buckets[row["month"]]
        bucket.scope1 += co2e
        bucket.refrigerant += co2e
        if (row["site"], row["month"]) in visited:
            bucket.visited_kg += co2e

    areas = [dec(s["floor_area_m2"]) for s in sites.values() if s["floor_area_m2"] is not None]
    area = sum(areas, calc.ZERO) if areas and len(areas) == len(sites) else None
    desk_counts = [s["desks"] for s in sites.values() if s["desks"] is not None]
    desks = sum(desk_counts) if desk_counts and len(desk_counts) == len(sites) else None
    found = []
    for year in years:
        month_keys = [date(year, m, 1) for m in range(1, 13)]
        total = _Bucket()
        for month in month_keys:
            _add(total, buckets[month])
        found.append(
            ResultsRead(
                year=year,
                site_id=site_id,
                region_id=region_id,
                site_count=len(sites),
                floor_area_m2=float(area) if area is not None else None,
                desks=desks,
                months=[_result(m, buckets[m], area, desks) for m in month_keys],
                total=_result(date(year, 1, 1), total, area, desks),
                factor_ids=sorted(factor_ids[year]),
            )
        )
    return found
