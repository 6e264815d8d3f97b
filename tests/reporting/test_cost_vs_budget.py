"""Cost against budget (``cost_vs_budget``) on a hand-computed data set, read on 31 March 2026
for March (31 days; the previous period is 29 January – 28 February, also 31 days, all in Q1):

* site A (the community manager's): maintenance budget 3,600 for 2026, even → 900 in Q1 (90
  days), prorated to March's 31 days = 310.00; labour 90 min × 60/h = 90.00 on 10 March, a
  2 × 10.50 part = 21.00 entered on 10 March, a catering invoice of 39.00 on 5 March: 150.00
  → 150 ÷ 310 = 48.39 %. February: an expense of 62.00 → 62 ÷ 310 = 20.00 %.
* site B (foreign to the community manager): budget 1,800 → 450 in Q1 → 155.00; an expense
  of 500.00 on 6 March.
* the region: budget 3,600 (other) → 310.00, counted only when both sites are in scope.

The region's figure for its ops manager: (150 + 500) ÷ (310 + 155 + 310) = 650 ÷ 775 =
83.87 %. The community manager's figure, whatever the scope asked for: 48.39 %.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.workorders import work
from facilities.maintenance.workorders.schemas import CostCreate, TimeCreate
from facilities.reporting.budgets import actuals as actuals_module
from facilities.reporting.settings import ReportingSettings
from tests import builders
from tests.workorders_builders import step, work_order, world

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def labour_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ReportingSettings(labour_rate=Decimal("60"))
    monkeypatch.setattr(actuals_module, "reporting_settings", lambda: settings)


async def _dataset(make_client: Any) -> Any:
    w = await world(time_zone="UTC")
    region = w.site.region_id
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region])
    with clock.pinned(datetime(2026, 3, 10, 9, tzinfo=UTC)):
        order = await work_order(w.site.id, partner_organisation_id=w.partner_org_id)
        await step(order.id, w.partner, "accept")
        await step(order.id, w.partner, "start")
        me = builders.principal(w.partner)
        await work.add_time(
            actor=me,
            work_order_id=order.id,
            data=TimeCreate(minutes=90, work_date=date(2026, 3, 10)),
        )
        await work.add_cost(
            actor=me,
            work_order_id=order.id,
            data=msgspec.convert(
                {"description": "Filter", "quantity": "2", "unit_cost": "10.50"}, CostCreate
            ),
        )
    client = await builders.api(make_client, ops)
    for body in (
        {"site_id": w.site.id, "category": "maintenance", "amount": "3600"},
        {"site_id": w.other_site.id, "category": "maintenance", "amount": "1800"},
        {"region_id": region, "category": "other", "amount": "3600"},
    ):
        answer = await client.put("/api/v1/reporting/budgets", json={"year": 2026, **body})
        assert answer.status_code in (200, 201), answer.text
    for site, day, amount in (
        (w.site.id, "2026-03-05", "39.00"),
        (w.site.id, "2026-02-10", "62.00"),
        (w.other_site.id, "2026-03-06", "500.00"),
    ):
        answer = await client.post(
            "/api/v1/reporting/expenses",
            json={
                "site_id": site,
                "category": "catering",
                "spent_on": day,
                "amount": amount,
                "currency": "EUR",
            },
        )
        assert answer.status_code == 201, answer.text
    return w, order, client


def _tile(body: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in body["tiles"] if t["name"] == "cost_vs_budget")


async def test_region_figure_previous_period_trend_and_lines(make_client: Any) -> None:
    w, order, ops = await _dataset(make_client)
    region = w.site.region_id
    with clock.pinned(NOW):
        answer = await ops.get(f"/api/v1/reporting/regions/{region}/dashboard", params=MARCH)
        assert answer.status_code == 200, answer.text
        tile = _tile(answer.json())
        assert tile["unit"] == "percent" and tile["better"] == "lower"
        assert tile["value"] == 83.87  # 650 / 775
        # February: A's 62 against A's 310, B's 155 and the region's 310
        assert tile["previous"] == round(100 * 62 / 775, 2)
        assert len(tile["trend"]) == 8 and tile["trend"][-1] == 83.87
        assert tile["trend"][0] is None  # August 2025: no budget for 2025
        drill = await ops.get(tile["records_url"])
        site_board = await ops.get(f"/api/v1/reporting/sites/{w.site.id}/dashboard", params=MARCH)
    assert _tile(site_board.json())["value"] == 48.39  # a site's dashboard: no region budget
    assert drill.status_code == 200, drill.text
    found = drill.json()
    assert found["count"] == 4
    assert [(r["kind"], r["value"]) for r in found["items"]] == [
        ("expense", 500.0),
        ("labour", 90.0),
        ("expense", 39.0),
        ("parts", 21.0),
    ]
    assert sum(r["value"] for r in found["items"]) == 650.0
    labour = found["items"][1]
    assert labour["id"] == order.id and labour["url"] == f"/work-orders/{order.id}"


async def test_community_manager_never_counts_a_foreign_site(make_client: Any) -> None:
    w, _order, _ops = await _dataset(make_client)
    cm = await builders.api(make_client, w.cm)
    region = w.site.region_id
    with clock.pinned(NOW):
        boards = [
            await cm.get("/api/v1/reporting/dashboard", params=MARCH),
            await cm.get(f"/api/v1/reporting/regions/{region}/dashboard", params=MARCH),
            await cm.get(f"/api/v1/reporting/sites/{w.site.id}/dashboard", params=MARCH),
        ]
        records = await cm.get(
            "/api/v1/reporting/records",
            params={"kpi": "cost_vs_budget", "region_id": region, **MARCH},
        )
        foreign = await cm.get(
            "/api/v1/reporting/records",
            params={"kpi": "cost_vs_budget", "site_id": w.other_site.id, **MARCH},
        )
        report = await cm.get(
            "/api/v1/reporting/budget-report", params={"year": 2026, "quarter": 1}
        )
    for board in boards:
        assert board.status_code == 200, board.text
        tile = _tile(board.json())
        # 150 / 310: neither B's 500 and 155 nor the region's 310 (it covers B)
        assert tile["value"] == 48.39
        assert tile["previous"] == 20.0  # 62 / 310
    assert records.status_code == 200, records.text
    assert {r["site_id"] for r in records.json()["items"]} == {w.site.id}
    assert sum(r["value"] for r in records.json()["items"]) == 150.0
    assert foreign.status_code == 404
    # the quarterly report agrees: the site's 900 for Q1, not the region's
    assert report.status_code == 200, report.text
    assert Decimal(report.json()["quarter_total"]["budget"]) == Decimal("900.00")
    assert Decimal(report.json()["quarter_total"]["actual"]) == Decimal("212.00")


async def test_same_actuals_as_the_quarterly_report(make_client: Any) -> None:
    """One implementation: the quarter's actual in the report equals the lines behind the
    dashboard's figure for the same days."""
    w, _order, ops = await _dataset(make_client)
    with clock.pinned(NOW):
        report = await ops.get(
            "/api/v1/reporting/budget-report",
            params={"year": 2026, "quarter": 1, "region_id": w.site.region_id},
        )
        drill = await ops.get(
            "/api/v1/reporting/records",
            params={
                "kpi": "cost_vs_budget",
                "region_id": w.site.region_id,
                "start": "2026-01-01",
                "end": "2026-03-31",
            },
        )
    actual = Decimal(report.json()["quarter_total"]["actual"])
    assert actual == Decimal("712.00")  # 90 + 21 + 39 + 62 + 500
    assert Decimal(str(sum(r["value"] for r in drill.json()["items"]))) == actual
    # Q1's budget: A 900 + B 450 + the region 900
    assert Decimal(report.json()["quarter_total"]["budget"]) == Decimal("2250.00")
