"""Actual costs per cost category and quarter of a year, over a set of sites, derived from
what the product knows (formulas in ``docs/kpis.md``, "Budgets and actuals"):

* **work-order labour** (maintenance): Σ minutes logged × ``FACILITIES_LABOUR_RATE`` / 60,
  by the day the time was worked;
* **parts and other costs** on work orders (maintenance): Σ quantity × unit cost, by the day
  the line was entered;
* **contract fees**: a fixed monthly price × the contract's days in the quarter × 12 / 365,
  shared equally by the contract's sites; a per-visit price × the visits done in the quarter
  at the site; in the category of the contract's type (cleaning, catering, …);
* **energy bills** from sustainability's bill periods (read only): the bill's cost spread
  evenly over its days (both dates included), for energy carriers (energy) and the others
  (water, waste: other);
* **manual expense lines**, by the day they were spent.

Quarters are the site's own: an instant (a part line, a visit) falls in the quarter of its
local date in the site's time zone (grouped per time zone); dates are local already.

Every sum is grouped in SQL; only the contracts' day counting and the bills' spreading,
a few rows per site, run in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.kit.rows import dict_rows, to_date
from facilities.reporting.enums import CONTRACT_CATEGORY, CostCategory
from facilities.reporting.settings import reporting_settings

CENT = Decimal("0.01")
ENERGY_CARRIERS = (
    "electricity_grid",
    "solar_generation",
    "natural_gas",
    "district_heating",
    "heating_oil",
)

Totals = dict[tuple[str, int], Decimal]  # (category, quarter) → amount


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter (both included)."""
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, last - timedelta(days=1)


def _quarter(column: str) -> str:
    if db.is_sqlite():
        return f"((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)"
    return f"CAST(EXTRACT(QUARTER FROM {column}) AS INTEGER)"


async def _zones(site_ids: list[int]) -> dict[str, list[int]]:
    """The scope's sites by time zone."""
    rows = await dict_rows(f"SELECT id, time_zone FROM site WHERE id IN {_sites(site_ids)}")  # noqa: S608
    zones: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        zones[str(row["time_zone"] or "UTC")].append(int(row["id"]))
    return zones


def _local_quarters(
    zone: str, year: int, end: date
) -> tuple[str, list[datetime], datetime, datetime]:
    """For instants at sites of ``zone``: the SQL of their quarter (``{col}`` for the
    column, three placeholders for the starts of Q2, Q3 and Q4 at local midnight), those
    starts, and the UTC bounds of the local year up to ``end`` (exclusive, a local day)."""
    tz = ZoneInfo(zone)

    def instant(day: date) -> datetime:
        return datetime.combine(day, time(), tz).astimezone(UTC)

    starts = [instant(date(year, month, 1)) for month in (4, 7, 10)]
    return (
        "(CASE WHEN {col} < {} THEN 1 WHEN {col} < {} THEN 2 WHEN {col} < {} THEN 3 ELSE 4 END)",
        starts,
        instant(date(year, 1, 1)),
        instant(end),
    )


def _sites(site_ids: list[int]) -> str:
    return "(" + ",".join(str(int(s)) for s in site_ids) + ")"


def _add(totals: Totals, category: str, quarter: int, amount: Any) -> None:
    totals[(category, quarter)] = totals.get((category, quarter), Decimal("0")) + Decimal(
        str(amount or 0)
    )


def spread(
    first: date, last: date, amount: Decimal, year: int, until: date | None = None
) -> dict[int, Decimal]:
    """An amount over the days ``first``..``last`` (both included), the year's share per
    quarter up to ``until`` (pure)."""
    days = (last - first).days + 1
    if days <= 0:
        return {}
    shares: dict[int, Decimal] = {}
    for q in range(1, 5):
        q_first, q_last = quarter_bounds(year, q)
        lo, hi = max(first, q_first), min(last, q_last, until or q_last)
        if hi >= lo:
            shares[q] = amount * ((hi - lo).days + 1) / days
    return shares


async def actuals(site_ids: list[int], year: int, until: date) -> Totals:
    """Costs of the year up to ``until`` (included): nothing in the future counts yet, not
    even the rest of a fixed fee or of a bill already entered."""
    totals: Totals = {}
    if not site_ids or until < date(year, 1, 1):
        return totals
    sites = _sites(site_ids)
    start, end = date(year, 1, 1), min(date(year + 1, 1, 1), until + timedelta(days=1))
    last = end - timedelta(days=1)
    maintenance = CostCategory.maintenance.value
    rate = reporting_settings().labour_rate
    if rate:
        for row in await dict_rows(
            f"SELECT {_quarter('t.work_date')} AS q, SUM(t.minutes) AS minutes"  # noqa: S608
            " FROM work_order_time t JOIN work_order w ON w.id = t.work_order"
            f" WHERE w.site IN {sites} AND t.work_date >= {{}} AND t.work_date < {{}}"
            " GROUP BY 1",
            start,
            end,
        ):
            _add(totals, maintenance, int(row["q"]), Decimal(str(row["minutes"])) * rate / 60)
    # Instants (a part line's entry, a visit's start) fall in the quarter of the site's own
    # calendar: one grouped statement per time zone of the scope's sites.
    for zone, zone_sites in (await _zones(site_ids)).items():
        quarter, starts, lower, upper = _local_quarters(zone, year, end)
        in_zone = _sites(zone_sites)
        for row in await dict_rows(
            "SELECT " + quarter.replace("{col}", "c.created_at") + " AS q,"  # noqa: S608
            " SUM(c.quantity * c.unit_cost) AS amount"
            " FROM work_order_cost c JOIN work_order w ON w.id = c.work_order"
            f" WHERE w.site IN {in_zone} AND c.created_at >= {{}} AND c.created_at < {{}}"
            " GROUP BY 1",
            *starts,
            lower,
            upper,
        ):
            _add(totals, maintenance, int(row["q"]), row["amount"])
        for row in await dict_rows(
            "SELECT "  # noqa: S608 - fixed fragments, integer site ids
            + quarter.replace("{col}", "v.scheduled_for")
            + " AS q, k.contract_type,"
            " SUM(k.price) AS amount FROM service_visit v"
            " JOIN service_contract k ON k.id = v.contract"
            f" WHERE v.site IN {in_zone} AND v.status = 'done' AND k.price_model = 'per_visit'"
            " AND v.scheduled_for >= {} AND v.scheduled_for < {} GROUP BY 1, 2",
            *starts,
            lower,
            upper,
        ):
            category = CONTRACT_CATEGORY.get(str(row["contract_type"]), CostCategory.other).value
            _add(totals, category, int(row["q"]), row["amount"])
    await _fixed_fees(totals, sites, year, last)
    await _bills(totals, sites, year, last)
    for row in await dict_rows(
        f"SELECT {_quarter('e.spent_on')} AS q, e.category, SUM(e.amount) AS amount"  # noqa: S608
        f" FROM expense e WHERE e.site IN {sites} AND e.spent_on >= {{}} AND e.spent_on < {{}}"
        " GROUP BY 1, 2",
        start,
        end,
    ):
        _add(totals, str(row["category"]), int(row["q"]), row["amount"])
    return {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in totals.items()}


async def _fixed_fees(totals: Totals, sites: str, year: int, until: date) -> None:
    rows = await dict_rows(
        "SELECT k.id, k.contract_type, k.price, k.start_date, k.end_date,"  # noqa: S608
        " (SELECT COUNT(*) FROM service_contract_site a WHERE a.contract = k.id) AS all_sites,"
        f" (SELECT COUNT(*) FROM service_contract_site a WHERE a.contract = k.id"
        f" AND a.site IN {sites}) AS our_sites"
        " FROM service_contract k WHERE k.price_model = 'fixed_monthly' AND k.price IS NOT NULL"
        " AND k.status <> 'draft' AND k.start_date <= {} AND k.end_date >= {}",
        date(year, 12, 31),
        date(year, 1, 1),
    )
    for row in rows:
        ours, every = int(row["our_sites"] or 0), int(row["all_sites"] or 0)
        if not ours or not every:
            continue
        first, last = to_date(row["start_date"]), min(to_date(row["end_date"]), until)
        category = CONTRACT_CATEGORY.get(str(row["contract_type"]), CostCategory.other).value
        per_day = Decimal(str(row["price"])) * 12 / 365 * ours / every
        for q in range(1, 5):
            q_first, q_last = quarter_bounds(year, q)
            lo, hi = max(first, q_first), min(last, q_last)
            if hi >= lo:
                _add(totals, category, q, per_day * ((hi - lo).days + 1))


async def _bills(totals: Totals, sites: str, year: int, until: date) -> None:
    rows = await dict_rows(
        "SELECT p.starts_on, p.ends_on, p.cost, m.carrier FROM meter_period p"  # noqa: S608
        f" JOIN meter m ON m.id = p.meter WHERE m.site IN {sites} AND p.cost IS NOT NULL"
        " AND p.starts_on <= {} AND p.ends_on >= {}",
        date(year, 12, 31),
        date(year, 1, 1),
    )
    by: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        category = (
            CostCategory.energy.value
            if row["carrier"] in ENERGY_CARRIERS
            else CostCategory.other.value
        )
        first, last = to_date(row["starts_on"]), to_date(row["ends_on"])
        for q, share in spread(first, last, Decimal(str(row["cost"])), year, until).items():
            by[(category, q)] += share
    for (category, q), amount in by.items():
        _add(totals, category, q, amount)
