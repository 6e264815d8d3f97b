"""The dashboard's cost against budget (``cost_vs_budget``), a ``kit.kpi`` definition.

Actual costs are the quarterly budget report's (``actuals.amounts``, one implementation);
the budget is prorated to the period by days: each quarter's budget spread evenly over the
quarter's days, the period taking the share of its days (up to today, like the actuals).

Which budgets count: the scope's sites' own budgets, and a region's budgets only when every
site of the region is in the scope (a region budget covers all its sites, so a community
manager who sees some of them, or a single site's dashboard, never counts it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi, KpiValue, Period, percent
from facilities.kit.rows import dict_rows
from facilities.reporting import queries
from facilities.reporting.budgets.actuals import Periods, amounts, quarter_bounds

NAME = "cost_vs_budget"


async def budget_regions(rows: list[dict[str, Any]], *, site_id: int | None) -> list[int]:
    """The regions whose budgets count for a scope's sites: those with every site in it
    (none for one site's dashboard, as in the quarterly budget report)."""
    if site_id is not None or not rows:
        return []
    ours = {int(str(r["id"])) for r in rows}
    regions = sorted({int(str(r["region"])) for r in rows})
    every = await dict_rows(
        "SELECT id, region FROM site WHERE region IN ("  # noqa: S608
        + ",".join(str(r) for r in regions)
        + ")"
    )
    outside = {int(r["region"]) for r in every if int(r["id"]) not in ours}
    return [r for r in regions if r not in outside]


async def prorated(
    site_ids: list[int], region_ids: list[int], periods: Periods
) -> dict[tuple[str, int], dict[int, Decimal]]:
    """(``site`` | ``region``, id) → period index → the budget prorated by days."""
    found: dict[tuple[str, int], dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if (not site_ids and not region_ids) or periods.end <= periods.first:
        return found
    where = []
    if site_ids:
        where.append("site IN (" + ",".join(str(int(s)) for s in site_ids) + ")")
    if region_ids:
        where.append("region IN (" + ",".join(str(int(r)) for r in region_ids) + ")")
    last = periods.end - timedelta(days=1)
    rows = await dict_rows(
        "SELECT site, region, year, SUM(q1) AS q1, SUM(q2) AS q2, SUM(q3) AS q3,"  # noqa: S608
        " SUM(q4) AS q4 FROM budget WHERE year >= {} AND year <= {}"
        f" AND ({' OR '.join(where)}) GROUP BY site, region, year",
        periods.first.year,
        last.year,
    )
    for row in rows:
        owner = (
            ("site", int(row["site"]))
            if row["site"] is not None
            else ("region", int(row["region"]))
        )
        for q in range(1, 5):
            q_first, q_last = quarter_bounds(int(row["year"]), q)
            length = (q_last - q_first).days + 1
            amount = Decimal(str(row[f"q{q}"] or 0))
            for index, days in periods.overlaps(q_first, q_last).items():
                found[owner][index] += amount * days / length
    return found


def _periods(spans: list[Period], today: date) -> Periods:
    """Consecutive spans (the dashboard's trend) as one run of periods up to today."""
    return Periods((*(s.start for s in spans), spans[-1].end), today)


async def trend(
    rows: list[dict[str, Any]], spans: list[Period], *, site_id: int | None
) -> list[KpiValue]:
    """The figure of each consecutive span for a scope's sites (``queries.scope_sites``):
    one run of the actuals and one budget query for all the spans."""
    site_ids = sorted(int(str(r["id"])) for r in rows)
    periods = _periods(spans, clock.now().date())
    regions = await budget_regions(rows, site_id=site_id)
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for (_site, _category, index), amount in (await amounts(site_ids, periods)).items():
        spent[index] += amount
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for by_period in (await prorated(site_ids, regions, periods)).values():
        for index, amount in by_period.items():
            planned[index] += amount
    return [_value(None, "", spent[i], planned[i]) for i in range(len(spans))]


def _value(subject: str | None, label: str, actual: Decimal, budget: Decimal) -> KpiValue:
    num, den = round(float(actual), 2), round(float(budget), 2)
    return KpiValue(subject, label, percent(num, den), num, den)


async def compute(principal: Principal, period: Period) -> list[KpiValue]:
    """Every site the caller sees: one value per site (its own budgets) and the total (with
    the budgets of the regions the caller sees whole)."""
    _label, rows = await queries.scope_sites(principal)
    if not rows:
        return [KpiValue(None, "", None)]
    site_ids = sorted(int(str(r["id"])) for r in rows)
    periods = _periods([period], clock.now().date())
    regions = await budget_regions(rows, site_id=None)
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for (site, _category, _index), amount in (await amounts(site_ids, periods)).items():
        spent[site] += amount
    budget = await prorated(site_ids, regions, periods)
    values = [
        _value(
            f"site:{int(str(r['id']))}",
            str(r["name"]),
            spent[int(str(r["id"]))],
            sum(budget.get(("site", int(str(r["id"]))), {}).values(), Decimal(0)),
        )
        for r in rows
    ]
    total_budget = sum((sum(v.values(), Decimal(0)) for v in budget.values()), Decimal(0))
    total = _value(None, "", sum(spent.values(), Decimal(0)), total_budget)
    return [total, *[v for v in values if v.numerator or v.denominator]]


DEFINITION = Kpi(
    name=NAME,
    title=N_("Cost against budget"),
    unit="percent",
    section=N_("Budgets"),
    better="lower",
    meaning=N_(
        "How much of the budget for the period has been spent: the actual costs (the same "
        "as the quarterly budget report's) against the budget prorated to the period. A figure "
        "below 100 % means less spent than budgeted."
    ),
    formula=N_(
        "Σ actual costs ÷ Σ prorated budget × 100 %; prorated budget = Σ over the quarters "
        "of each quarter's budget × the period's days in that quarter ÷ the quarter's days"
    ),
    population=N_(
        "Actual cost lines of the sites in scope (work-order labour and parts, contract fees "
        "and visits, energy and water bills, expense lines; every cost category) on the days "
        "of the period up to today, and the budgets of those sites, plus a region's budgets "
        "when every site of the region is in scope."
    ),
    edge_cases=N_(
        "A region's budget is not counted on a single site's dashboard nor when some of the "
        "region's sites are not in scope (it covers sites the reader does not see). Days after "
        "today count neither cost nor budget. Costs at a site without a budget still count. "
        "No budget for the period: no figure (—). The list behind the figure is the cost "
        "lines; a fixed fee and a bill appear with their share of the period."
    ),
    compute=compute,
)
