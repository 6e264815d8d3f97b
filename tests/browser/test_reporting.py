"""Reporting pages at phone (390 px) and desk (1366 px) width: the dashboard, the records
behind a figure, the budget report, site comparison and subscriptions never scroll sideways;
axe finds no serious problem. ``FACILITIES_SHOTS=/some/dir`` also saves screenshots."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from facilities.reporting.budgets import actions as budget_actions
from facilities.reporting.enums import CostCategory
from facilities.reporting.schemas import BudgetSet
from tests import builders
from tests.browser.helpers import sign_in
from tests.reporting.kpi_dataset import build

pytestmark = pytest.mark.browser

JUNE = "start=2026-06-01&end=2026-06-30"
PAGES = {
    "dashboard": f"/reporting?{JUNE}",
    "records": f"/reporting/records?kpi=mttr&{JUNE}",
    "budget": "/reporting/budget?year=2026&quarter=2",
    "benchmark": f"/reporting/benchmark?kpi=backlog&per=m2&{JUNE}",
    "subscriptions": "/reporting/subscriptions",
    "help": "/help/kpis",
}
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}


async def test_reporting_pages_fit_phone_and_desk(new_context: Any) -> None:
    data = await build()
    admin = builders.principal(data.ops)
    for category, amount in ((CostCategory.maintenance, "4000"), (CostCategory.cleaning, "9000")):
        await budget_actions.set_budget(
            actor=admin,
            data=BudgetSet(
                year=2026, category=category, amount=Decimal(amount), site_id=data.w.site.id
            ),
        )
    shots = os.environ.get("FACILITIES_SHOTS")
    for size_name, size in SIZES.items():
        context = await new_context(viewport=size, screen=size, is_mobile=size_name == "phone")
        page = await context.new_page()
        await sign_in(page, data.ops.email)
        for name, url in PAGES.items():
            answer = await page.goto(url)
            assert answer is not None and answer.status == 200, (name, answer and answer.status)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test's own dir
                await page.screenshot(path=f"{shots}/{name}-{size_name}.png", full_page=True)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = await page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
                ".right > document.documentElement.clientWidth + 1).slice(0, 3)"
                ".map(e => e.tagName + '.' + e.className)"
            )
            assert overflow <= 0, f"{name} at {size_name} scrolls sideways by {overflow}px {wide}"
        pdf = await page.request.get("/reporting/budget.pdf?year=2026&quarter=2")
        assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
        if shots:
            Path(f"{shots}/budget.pdf").write_bytes(await pdf.body())  # noqa: ASYNC240
