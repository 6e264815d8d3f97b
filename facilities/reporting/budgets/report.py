"""The quarterly budget report: per cost category the quarter's budget, actual and variance,
and the year so far with a run-rate forecast to the year's end.

``forecast = actual of the year so far ÷ days elapsed × days of the year`` (the year so far
ends today, or at the year's end for a past year; none for a future year). Budgets of the
scope: a site's own; for a region (or every site) its sites' budgets plus the region's when
every site of the region is in scope (a community manager never counts a region's budget,
which covers sites they do not see).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import dict_rows
from facilities.reporting import queries
from facilities.reporting.budgets.actuals import actuals
from facilities.reporting.budgets.kpi import budget_regions
from facilities.reporting.enums import COST_CATEGORY_LABELS, CostCategory
from facilities.reporting.schemas import BudgetReportRead, CostLine
from facilities.reporting.settings import reporting_settings
from facilities.settings import get_settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


async def budgets(
    site_ids: list[int], region_ids: list[int], year: int
) -> dict[tuple[str, int], Decimal]:
    """(category, quarter) → budget over the sites' and regions' budgets of the year."""
    if not site_ids and not region_ids:
        return {}
    where = []
    if site_ids:
        where.append("site IN (" + ",".join(str(int(s)) for s in site_ids) + ")")
    if region_ids:
        where.append("region IN (" + ",".join(str(int(r)) for r in region_ids) + ")")
    rows = await dict_rows(
        "SELECT category, SUM(q1) AS q1, SUM(q2) AS q2, SUM(q3) AS q3, SUM(q4) AS q4"  # noqa: S608
        f" FROM budget WHERE year = {{}} AND ({' OR '.join(where)}) GROUP BY category",
        year,
    )
    found: dict[tuple[str, int], Decimal] = {}
    for row in rows:
        for q in range(1, 5):
            found[(str(row["category"]), q)] = Decimal(str(row[f"q{q}"] or 0)).quantize(CENT)
    return found


def _line(
    category: str, label: str, budget: Decimal, actual: Decimal, forecast: Decimal | None = None
) -> CostLine:
    return CostLine(
        category=category,
        label=label,
        budget=budget,
        actual=actual,
        variance=(actual - budget).quantize(CENT),
        forecast=forecast,
    )


def elapsed_days(year: int, today: date) -> int:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if today < first:
        return 0
    return (min(today, last) - first).days + 1


async def budget_report(
    principal: Principal,
    *,
    year: int,
    quarter: int,
    region_id: int | None = None,
    site_id: int | None = None,
) -> BudgetReportRead:
    if not 2000 <= year <= 2100:
        raise RuleViolation("year", _("Choose a year between 2000 and 2100."))
    if quarter not in (1, 2, 3, 4):
        raise RuleViolation("quarter", _("Choose a quarter from 1 to 4."))
    label, sites = await queries.scope_sites(principal, region_id=region_id, site_id=site_id)
    site_ids = [int(str(s["id"])) for s in sites]
    # a region's budgets only when every site of the region is in scope (``budget_regions``)
    region_ids = await budget_regions(sites, site_id=site_id)
    planned = await budgets(site_ids, region_ids, year)
    today = clock.now().date()
    spent = await actuals(site_ids, year, today)
    elapsed = elapsed_days(year, today)
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    q_lines, y_lines = [], []
    for category in CostCategory:
        name = category.value
        title = _(COST_CATEGORY_LABELS[category])
        q_budget = planned.get((name, quarter), ZERO)
        q_actual = spent.get((name, quarter), ZERO)
        y_budget = sum((planned.get((name, q), ZERO) for q in range(1, 5)), ZERO)
        y_actual = sum((spent.get((name, q), ZERO) for q in range(1, 5)), ZERO)
        forecast = (
            (y_actual / elapsed * days_in_year).quantize(CENT, ROUND_HALF_UP) if elapsed else None
        )
        q_lines.append(_line(name, title, q_budget, q_actual))
        y_lines.append(_line(name, title, y_budget, y_actual, forecast))
    total_forecast = sum((line.forecast or ZERO for line in y_lines), ZERO) if elapsed else None
    return BudgetReportRead(
        year=year,
        quarter=quarter,
        scope=label or _("All my sites"),
        currency=get_settings().currency,
        site_ids=site_ids,
        quarter_lines=q_lines,
        year_lines=y_lines,
        quarter_total=_line(
            "total",
            _("Total"),
            sum((x.budget for x in q_lines), ZERO),
            sum((x.actual for x in q_lines), ZERO),
        ),
        year_total=_line(
            "total",
            _("Total"),
            sum((x.budget for x in y_lines), ZERO),
            sum((x.actual for x in y_lines), ZERO),
            total_forecast,
        ),
        elapsed_days=elapsed,
        labour_rate=reporting_settings().labour_rate,
    )
