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

**One implementation for every view.** Each source is one ``FROM … WHERE`` over the scope
and a run of consecutive periods (``_sources``), grouped two ways: per site, category and
period (``amounts``: the budget report's quarters, the dashboard's ``cost_vs_budget`` and its
trend) and per line (``lines``: a work order's labour or parts, a contract's visits or fee at
a site, a bill, an expense; the drill-down behind the dashboard's figure). The lines of a
period add up to its amount.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

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
# (site, category, period index) → amount, not rounded
Amounts = dict[tuple[int, str, int], Decimal]


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter (both included)."""
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, last - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Periods:
    """Consecutive periods of local days: period ``i`` is ``[bounds[i], bounds[i + 1])``;
    nothing after ``until`` (a day, included) counts."""

    bounds: tuple[date, ...]
    until: date

    @property
    def first(self) -> date:
        return self.bounds[0]

    @property
    def end(self) -> date:
        """The first day not counted."""
        return min(self.bounds[-1], self.until + timedelta(days=1))

    def overlaps(self, first: date, last: date) -> dict[int, int]:
        """Days of ``first``..``last`` (both included) in each period, up to ``until``."""
        days: dict[int, int] = {}
        for index in range(len(self.bounds) - 1):
            lo = max(first, self.bounds[index])
            hi = min(last, self.bounds[index + 1] - timedelta(days=1), self.end - timedelta(days=1))
            if hi >= lo:
                days[index] = (hi - lo).days + 1
        return days


def _which(values: list[Any]) -> str:
    """The SQL of the period index of ``{col}`` (placeholders for the inner bounds)."""
    if not values:
        return "0"
    steps = " ".join(f"WHEN {{col}} < {{}} THEN {i}" for i in range(len(values)))
    return f"(CASE {steps} ELSE {len(values)} END)"


@dataclass(frozen=True, slots=True)
class Source:
    """One kind of actual line as SQL: ``body`` (``FROM … WHERE …``), the period index,
    the category, the summed amount (× ``factor``), and the line it belongs to."""

    kind: str
    body: str
    args: tuple[Any, ...]
    period: str
    period_args: tuple[Any, ...]
    category: str
    amount: str
    line_id: str
    site: str
    title: str
    factor: Decimal = Decimal(1)


def _sites(site_ids: list[int]) -> str:
    return "(" + ",".join(str(int(s)) for s in site_ids) + ")"


async def _zones(site_ids: list[int]) -> dict[str, list[int]]:
    """The scope's sites by time zone."""
    rows = await dict_rows(f"SELECT id, time_zone FROM site WHERE id IN {_sites(site_ids)}")  # noqa: S608
    zones: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        zones[str(row["time_zone"] or "UTC")].append(int(row["id"]))
    return zones


def _instant(zone: str, day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


async def _sources(site_ids: list[int], periods: Periods) -> list[Source]:
    sites = _sites(site_ids)
    inner = list(periods.bounds[1:-1])
    start, end = periods.first, periods.end
    by_day = _which(inner)
    sources: list[Source] = []
    rate = reporting_settings().labour_rate
    if rate:
        sources.append(
            Source(
                "labour",
                "FROM work_order_time t JOIN work_order w ON w.id = t.work_order"
                f" WHERE w.site IN {sites} AND t.work_date >= {{}} AND t.work_date < {{}}",
                (start, end),
                by_day.replace("{col}", "t.work_date"),
                tuple(inner),
                f"'{CostCategory.maintenance.value}'",
                "t.minutes",
                "w.id",
                "w.site",
                "w.title",
                rate / 60,
            )
        )
    # Instants (a part line's entry, a visit's start) fall in the period of the site's own
    # calendar: one source per time zone of the scope's sites.
    for zone, zone_sites in (await _zones(site_ids)).items():
        in_zone = _sites(zone_sites)
        edges = tuple(_instant(zone, day) for day in inner)
        lower, upper = _instant(zone, start), _instant(zone, end)
        sources.append(
            Source(
                "parts",
                "FROM work_order_cost c JOIN work_order w ON w.id = c.work_order"
                f" WHERE w.site IN {in_zone} AND c.created_at >= {{}} AND c.created_at < {{}}",
                (lower, upper),
                by_day.replace("{col}", "c.created_at"),
                edges,
                f"'{CostCategory.maintenance.value}'",
                "c.quantity * c.unit_cost",
                "w.id",
                "w.site",
                "w.title",
            )
        )
        sources.append(
            Source(
                "visits",
                "FROM service_visit v JOIN service_contract k ON k.id = v.contract"
                f" WHERE v.site IN {in_zone} AND v.status = 'done'"
                " AND k.price_model = 'per_visit'"
                " AND v.scheduled_for >= {} AND v.scheduled_for < {}",
                (lower, upper),
                by_day.replace("{col}", "v.scheduled_for"),
                edges,
                "k.contract_type",
                "k.price",
                "k.id",
                "v.site",
                "k.name",
            )
        )
    sources.append(
        Source(
            "expense",
            f"FROM expense e WHERE e.site IN {sites} AND e.spent_on >= {{}} AND e.spent_on < {{}}",
            (start, end),
            by_day.replace("{col}", "e.spent_on"),
            tuple(inner),
            "e.category",
            "e.amount",
            "e.id",
            "e.site",
            "e.description",
        )
    )
    return sources


def _category(kind: str, value: Any) -> str:
    if kind == "visits":
        return CONTRACT_CATEGORY.get(str(value), CostCategory.other).value
    return str(value)


@dataclass(frozen=True, slots=True)
class Share:
    """A prorated line computed in Python: a fixed fee's share for one site, a bill."""

    kind: str  # "fee" | "bill"
    id: int
    site: int
    category: str
    title: str
    parent: int  # the meter of a bill (its page); the contract of a fee
    amounts: dict[int, Decimal]  # period index → amount
    span: tuple[date, date] | None = None  # a bill's first and last day


async def _fees(site_ids: list[int], periods: Periods) -> list[Share]:
    """Fixed monthly fees: price × 12 / 365 a day, shared equally by the contract's sites;
    one share per contract and site of the scope."""
    if periods.end <= periods.first:
        return []
    rows = await dict_rows(
        "SELECT k.id, k.name, k.contract_type, k.price, k.start_date, k.end_date, a.site,"  # noqa: S608
        " (SELECT COUNT(*) FROM service_contract_site b WHERE b.contract = k.id) AS all_sites"
        " FROM service_contract k JOIN service_contract_site a ON a.contract = k.id"
        f" WHERE a.site IN {_sites(site_ids)} AND k.price_model = 'fixed_monthly'"
        " AND k.price IS NOT NULL AND k.status <> 'draft'"
        " AND k.start_date < {} AND k.end_date >= {}",
        periods.end,
        periods.first,
    )
    shares = []
    for row in rows:
        every = int(row["all_sites"] or 0)
        if not every:
            continue
        per_day = Decimal(str(row["price"])) * 12 / 365 / every
        days = periods.overlaps(to_date(row["start_date"]), to_date(row["end_date"]))
        if days:
            shares.append(
                Share(
                    "fee",
                    int(row["id"]),
                    int(row["site"]),
                    CONTRACT_CATEGORY.get(str(row["contract_type"]), CostCategory.other).value,
                    str(row["name"]),
                    int(row["id"]),
                    {i: per_day * n for i, n in days.items()},
                )
            )
    return shares


async def _bills(site_ids: list[int], periods: Periods) -> list[Share]:
    """Energy, water and waste bills, each spread evenly over its days (both included)."""
    if periods.end <= periods.first:
        return []
    rows = await dict_rows(
        "SELECT p.id, p.meter, p.starts_on, p.ends_on, p.cost, m.carrier, m.name, m.site"  # noqa: S608
        f" FROM meter_period p JOIN meter m ON m.id = p.meter WHERE m.site IN {_sites(site_ids)}"
        " AND p.cost IS NOT NULL AND p.starts_on < {} AND p.ends_on >= {}",
        periods.end,
        periods.first,
    )
    shares = []
    for row in rows:
        first, last = to_date(row["starts_on"]), to_date(row["ends_on"])
        length = (last - first).days + 1
        days = periods.overlaps(first, last)
        if length <= 0 or not days:
            continue
        cost = Decimal(str(row["cost"]))
        shares.append(
            Share(
                "bill",
                int(row["id"]),
                int(row["site"]),
                CostCategory.energy.value
                if row["carrier"] in ENERGY_CARRIERS
                else CostCategory.other.value,
                str(row["name"]),
                int(row["meter"]),
                {i: cost * n / length for i, n in days.items()},
                (first, last),
            )
        )
    return shares


async def amounts(site_ids: list[int], periods: Periods) -> Amounts:
    """The actual costs of the sites per site, category and period (not rounded)."""
    found: Amounts = defaultdict(Decimal)
    if not site_ids or periods.end <= periods.first:
        return found
    for source in await _sources(site_ids, periods):
        for row in await dict_rows(
            f"SELECT {source.site} AS site, {source.period} AS p,"
            f" {source.category} AS category, SUM({source.amount}) AS amount {source.body}"
            " GROUP BY 1, 2, 3",
            *source.period_args,
            *source.args,
        ):
            key = (int(row["site"]), _category(source.kind, row["category"]), int(row["p"]))
            found[key] += Decimal(str(row["amount"] or 0)) * source.factor
    for share in [*await _fees(site_ids, periods), *await _bills(site_ids, periods)]:
        for index, amount in share.amounts.items():
            found[(share.site, share.category, index)] += amount
    return found


def year_periods(year: int, until: date) -> Periods:
    quarters = [date(year, m, 1) for m in (1, 4, 7, 10)]
    return Periods((*quarters, date(year + 1, 1, 1)), until)


async def actuals(site_ids: list[int], year: int, until: date) -> Totals:
    """Costs of the year per category and quarter up to ``until`` (included): nothing in the
    future counts yet, not even the rest of a fixed fee or of a bill already entered."""
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for (_site, category, index), amount in (
        await amounts(site_ids, year_periods(year, until))
    ).items():
        totals[(category, index + 1)] += amount
    return {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in totals.items()}


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # labour | parts | visits | fee | bill | expense
    id: int  # the work order, contract, bill or expense
    site: int
    category: str
    title: str
    amount: Decimal
    parent: int  # the record whose page shows the line (a bill's meter)
    span: tuple[date, date] | None = None  # a bill's first and last day


async def lines(
    site_ids: list[int], first: date, last: date, until: date, *, limit: int, offset: int
) -> tuple[int, Decimal, list[Line]]:
    """The lines behind the actual cost of ``first``..``last`` (up to ``until``): how many,
    their total, and one page of them, the largest first."""
    periods = Periods((first, last + timedelta(days=1)), until)
    if not site_ids or periods.end <= periods.first:
        return 0, Decimal(0), []
    count, total, top = 0, Decimal(0), []
    wanted = offset + limit
    for source in await _sources(site_ids, periods):
        grouped = (
            f"SELECT {source.line_id} AS id, {source.site} AS site,"
            f" {source.category} AS category, MIN({source.title}) AS title,"
            f" SUM({source.amount}) AS amount {source.body}"
            " GROUP BY 1, 2, 3"
        )
        head = await dict_rows(
            f"SELECT COUNT(*) AS n, SUM(g.amount) AS amount FROM ({grouped}) g",  # noqa: S608
            *source.args,
        )
        count += int(head[0]["n"] or 0)
        total += Decimal(str(head[0]["amount"] or 0)) * source.factor
        for row in await dict_rows(
            f"{grouped} ORDER BY amount DESC, id LIMIT {int(wanted)}", *source.args
        ):
            top.append(
                Line(
                    source.kind,
                    int(row["id"]),
                    int(row["site"]),
                    _category(source.kind, row["category"]),
                    str(row["title"] or ""),
                    Decimal(str(row["amount"] or 0)) * source.factor,
                    int(row["id"]),
                )
            )
    for share in [*await _fees(site_ids, periods), *await _bills(site_ids, periods)]:
        amount = sum(share.amounts.values(), Decimal(0))
        count += 1
        total += amount
        top.append(
            Line(
                share.kind,
                share.id,
                share.site,
                share.category,
                share.title,
                amount,
                share.parent,
                share.span,
            )
        )
    top.sort(key=lambda line: (-line.amount, line.kind, line.id, line.site))
    return count, total, top[offset : offset + limit]
