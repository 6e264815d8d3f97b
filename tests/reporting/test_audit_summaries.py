"""The audit trail's summaries are stored words, read later by people in their own languages:
a status change names the statuses and a budget its category in the installation's language
(kit.i18n), never the raw codes ("assigned → accepted", "2026 facility_management: 6000.00")
that the audit trail showed on a German installation."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets.enums import AssetStatus
from facilities.assets.schemas import StatusChange
from facilities.kit import clock
from facilities.reporting.budgets import actions as budget_actions
from facilities.reporting.schemas import BudgetSet, ExpenseCreate
from facilities.settings import get_settings
from tests import assets_builders, builders
from tests.workorders_builders import step, work_order, world

WORDS = {
    "en": {
        "order": "Assigned → Accepted",
        "asset": "Operational → Down",
        "budget": "2026 Facility management: 6000.00",
        "expense": "Other: 480.00",
    },
    "de": {
        "order": "Zugewiesen → Angenommen",
        "asset": "In Betrieb → Ausgefallen",
        "budget": "2026 Facility-Management: 6000.00",
        "expense": "Sonstiges: 480.00",
    },
}


async def _summary(action: str) -> str:
    rows = await db.raw(
        "SELECT summary FROM audit_event WHERE action = {} ORDER BY id DESC LIMIT 1", action
    )
    return str(rows[0]["summary"])


@pytest.fixture(params=["en", "de"])
def installation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(get_settings(), "default_locale", request.param)
    return str(request.param)


async def test_a_work_orders_status_change_in_words(installation: str) -> None:
    w = await world()
    order = await work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await step(order.id, w.partner, "accept")
    assert await _summary("work_order.accept") == f"{order.title}: {WORDS[installation]['order']}"


async def test_an_assets_status_change_in_words(installation: str) -> None:
    w = await assets_builders.world()
    asset = await assets_builders.asset(w.site.id, name="Boiler")
    await asset_actions.change_status(
        actor=builders.principal(w.ops),
        asset_id=asset.id,
        data=StatusChange(status=AssetStatus.down, note="leaking"),
    )
    assert await _summary("asset.status") == f"Boiler: {WORDS[installation]['asset']}"


async def test_a_devices_status_change_in_words(installation: str) -> None:
    w = await assets_builders.world()
    asset = await assets_builders.asset(w.site.id, name="Access point")
    await asset_actions.record_monitored_status(
        asset_id=asset.id, status=AssetStatus.down, note="silent", at=clock.now()
    )
    assert await _summary("asset.status") == f"Access point: {WORDS[installation]['asset']}"


async def test_a_budget_and_an_expense_name_their_category_and_currency(
    installation: str,
) -> None:
    w = await assets_builders.world()
    actor = builders.principal(w.ops)
    currency = get_settings().currency
    budget = msgspec.convert(
        {"year": 2026, "site_id": w.site.id, "category": "facility_management", "amount": "6000"},
        BudgetSet,
    )
    await budget_actions.set_budget(actor=actor, data=budget)
    assert await _summary("budget.set") == f"{WORDS[installation]['budget']} {currency}"
    expense = msgspec.convert(
        {
            "site_id": w.site.id,
            "category": "other",
            "spent_on": "2026-11-17",
            "amount": "480",
            "currency": currency,
        },
        ExpenseCreate,
    )
    await budget_actions.add_expense(actor=actor, data=expense)
    expected = f"{date(2026, 11, 17)} {WORDS[installation]['expense']} {currency}"
    assert await _summary("expense.create") == expected
