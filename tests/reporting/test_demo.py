"""``facilities demo`` sets this year's budgets and an invoice (once), and the partners' weekly
capacity, so the budget page, the quarterly report and the capacity page show something; the
demo partner sees the roll-out board."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facilities.accounts.tables import PartnerOrganisation
from facilities.kit import clock
from facilities.reporting.tables import Budget, Expense
from tests import builders


async def test_demo_budgets_report_and_capacity(make_client: Any) -> None:
    from facilities.demo import DEMO_PASSWORD, PARTNERS, load_demo

    await load_demo()
    counts = (await Budget.count(), await Expense.count())
    await load_demo()
    assert (await Budget.count(), await Expense.count()) == counts
    assert counts == (3 * 8 + 1, 1)
    stated = await PartnerOrganisation.count().where(
        PartnerOrganisation.weekly_capacity_minutes.is_not_null()
    )
    assert stated == len(PARTNERS)
    client = make_client()
    login = await client.post(
        "/login",
        data={
            "email": "ops@demo.facilities",
            "password": DEMO_PASSWORD,
            "_csrf_token": await builders.csrf(client),
            "next": "/",
        },
    )
    assert login.status_code == 303, login.text
    today = clock.now().date()
    report = await client.get(
        "/api/v1/reporting/budget-report",
        params={"year": today.year, "quarter": (today.month - 1) // 3 + 1},
    )
    assert report.status_code == 200, report.text
    assert Decimal(report.json()["year_total"]["budget"]) == 3 * 64_900 + 40_000
    capacity = await client.get("/api/v1/reporting/capacity")
    assert capacity.status_code == 200, capacity.text
    assert any(r["capacity_minutes"] for r in capacity.json()["rows"])
    # The demo partner's login sees the Wi-Fi 7 roll-out (its organisation installs it).
    partner = make_client()
    login = await partner.post(
        "/login",
        data={
            "email": "partner@demo.facilities",
            "password": DEMO_PASSWORD,
            "_csrf_token": await builders.csrf(partner),
            "next": "/",
        },
    )
    assert login.status_code == 303, login.text
    rollouts = (await partner.get("/api/v1/rollouts")).json()
    assert len(rollouts) == 1 and sum(rollouts[0]["counts"].values()) > 0, rollouts
    board = await partner.get(f"/rollouts/{rollouts[0]['id']}")
    assert board.status_code == 200 and "/work-orders/" in board.text
