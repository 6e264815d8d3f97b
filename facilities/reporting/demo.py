"""Demo budgets and an expense line, so the budget page and the quarterly report show
something in ``make run``: this year's budget per cost category for some coworking sites
(through ``budgets.actions.set_budget``, which replaces a budget set again), a region-wide
maintenance budget for the field sites, and one invoice not tied to a work order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.reporting.budgets import actions
from facilities.reporting.enums import CostCategory, Split
from facilities.reporting.schemas import BudgetSet, ExpenseCreate
from facilities.reporting.tables import Expense
from facilities.settings import get_settings

# A year's budget of one coworking site per category (EUR); energy and cleaning weigh more in
# winter and in the first quarter's deep clean, so two are split by hand.
SITE_BUDGETS: dict[CostCategory, tuple[str, list[str] | None]] = {
    CostCategory.maintenance: ("12000", None),
    CostCategory.cleaning: ("18000", ["5400", "4200", "4200", "4200"]),
    CostCategory.catering: ("9000", None),
    CostCategory.facility_management: ("6000", None),
    CostCategory.connectivity: ("2400", None),
    CostCategory.energy: ("15000", ["5250", "2850", "2250", "4650"]),
    CostCategory.safety: ("1500", None),
    CostCategory.other: ("1000", None),
}


async def load_budgets(
    system: Principal, *, site_ids: list[int], region_id: int, say: Callable[[str], str]
) -> None:
    year = clock.now().date().year
    for site_id in site_ids:
        for category, (amount, quarters) in SITE_BUDGETS.items():
            await actions.set_budget(
                actor=system,
                data=BudgetSet(
                    year=year,
                    category=category,
                    amount=Decimal(amount),
                    site_id=site_id,
                    split=Split.manual if quarters else Split.even,
                    quarters=[Decimal(q) for q in quarters] if quarters else None,
                ),
            )
    await actions.set_budget(
        actor=system,
        data=BudgetSet(
            year=year,
            category=CostCategory.maintenance,
            amount=Decimal("40000"),
            region_id=region_id,
        ),
    )
    if site_ids and not await Expense.exists().where(Expense.site == site_ids[0]):
        spent = max(date(year, 1, 2), clock.now().date() - timedelta(days=20))
        await actions.add_expense(
            actor=system,
            data=ExpenseCreate(
                site_id=site_ids[0],
                category=CostCategory.other,
                spent_on=spent,
                amount=Decimal("480.00"),
                currency=get_settings().currency,
                description=say("Plumber's invoice for the kitchen tap (no work order)"),
            ),
        )
