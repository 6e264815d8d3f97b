"""Budgets against actuals on a hand-computed quarter (Q1 2026, read on 31 March 2026):
labour 90 min × 60/h = 90.00 and a 2 × 10.50 part = 21.00 (maintenance 111.00); a cleaning
contract of 1,000 a month for two sites, this site's half of 90 days × 12 / 365 = 1,479.45;
an electricity bill of 610.00 for 1 March – 30 April, March's 31 of 61 days = 310.00 (April's
share is in the future: not yet counted); a catering invoice of 250.00. The quarterly report
on the web, as PDF and XLSX, and the bad input that must get a clear answer."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from pypdf import PdfReader

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.workorders import work
from facilities.maintenance.workorders.schemas import CostCreate, TimeCreate
from facilities.reporting.budgets import actuals as actuals_module
from facilities.reporting.settings import ReportingSettings
from facilities.sustainability import actions as sustainability
from facilities.sustainability.schemas import PeriodCreate
from tests import builders
from tests.reporting.xlsx_reader import sheets
from tests.services import helpers as services
from tests.sustainability import helpers as energy
from tests.workorders_builders import step, work_order, world

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def labour_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ReportingSettings(labour_rate=Decimal("60"))
    monkeypatch.setattr(actuals_module, "reporting_settings", lambda: settings)


async def _dataset(make_client: Any) -> Any:
    w = await world(time_zone="UTC")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    with clock.pinned(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        order = await work_order(w.site.id, partner_organisation_id=w.partner_org_id)
        await step(order.id, w.partner, "accept")
        await step(order.id, w.partner, "start")
        me = builders.principal(w.partner)
        await work.add_time(
            actor=me,
            work_order_id=order.id,
            data=TimeCreate(minutes=90, work_date=date(2026, 2, 10)),
        )
        await work.add_cost(
            actor=me,
            work_order_id=order.id,
            data=msgspec.convert(
                {"description": "Filter", "quantity": "2", "unit_cost": "10.50"}, CostCreate
            ),
        )
    with clock.pinned(datetime(2025, 12, 1, tzinfo=UTC)):
        await services.contract(
            w.partner_org_id,
            [w.site.id, w.other_site.id],
            price_model="fixed_monthly",
            price=Decimal("1000"),
            end_date=date(2026, 12, 31),
        )
    meter = await energy.meter(w.site.id)
    await sustainability.add_period(
        actor=await builders.system(),
        meter_id=meter.id,
        data=PeriodCreate(
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 4, 30),
            quantity=6100.0,
            cost=Decimal("610.00"),
        ),
    )
    client = await builders.api(make_client, ops)
    for body in (
        {"category": "maintenance", "amount": "400"},
        {"category": "cleaning", "amount": "6000", "split": "manual", "quarters": ["1500"] * 4},
        {"category": "energy", "amount": "1000"},
    ):
        answer = await client.put(
            "/api/v1/reporting/budgets", json={"year": 2026, "site_id": w.site.id, **body}
        )
        assert answer.status_code in (200, 201), answer.text
    answer = await client.post(
        "/api/v1/reporting/expenses",
        json={
            "site_id": w.site.id,
            "category": "catering",
            "spent_on": "2026-02-05",
            "amount": "250.00",
            "currency": "EUR",
        },
    )
    assert answer.status_code == 201, answer.text
    return w, ops, client


def _lines(lines: list[dict[str, Any]]) -> dict[str, tuple[Decimal, ...]]:
    return {
        line["category"]: (
            Decimal(line["budget"]),
            Decimal(line["actual"]),
            Decimal(line["variance"]),
        )
        for line in lines
    }


async def test_quarter_budget_actual_variance_and_forecast(make_client: Any) -> None:
    w, _ops, client = await _dataset(make_client)
    with clock.pinned(NOW):
        answer = await client.get(
            "/api/v1/reporting/budget-report",
            params={"year": 2026, "quarter": 1, "site_id": w.site.id},
        )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    q = _lines(report["quarter_lines"])
    assert q["maintenance"] == (Decimal("100.00"), Decimal("111.00"), Decimal("11.00"))
    assert q["cleaning"] == (Decimal("1500.00"), Decimal("1479.45"), Decimal("-20.55"))
    assert q["energy"] == (Decimal("250.00"), Decimal("310.00"), Decimal("60.00"))
    assert q["catering"] == (Decimal("0.00"), Decimal("250.00"), Decimal("250.00"))
    assert Decimal(report["quarter_total"]["actual"]) == Decimal("2150.45")
    year = {line["category"]: line for line in report["year_lines"]}
    assert report["elapsed_days"] == 90
    assert Decimal(year["energy"]["actual"]) == Decimal("310.00")  # April: not yet
    assert Decimal(year["energy"]["forecast"]) == Decimal("1257.22")  # 310 / 90 × 365
    assert Decimal(year["cleaning"]["budget"]) == Decimal("6000.00")


async def test_report_as_page_pdf_and_xlsx(make_client: Any) -> None:
    w, ops, _client = await _dataset(make_client)
    browser = await builders.browser_session(make_client, ops)
    query = {"year": 2026, "quarter": 1, "sites": f"site:{w.site.id}"}
    with clock.pinned(NOW):
        page = await browser.get("/reporting/budget", params=query)
        pdf = await browser.get("/reporting/budget.pdf", params=query)
        xlsx = await browser.get("/reporting/budget.xlsx", params=query)
    assert page.status_code == 200 and "1,479.45" in page.text
    assert 'data-label="Actual">1,479.45<' in page.text  # a phone stacks the cells: named
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "1,479.45" in text and "Budget report" in text
    assert xlsx.status_code == 200
    rows = sheets(xlsx.content)["Q1 2026"]
    assert rows[0] == ("Category", "Budget", "Actual", "Variance")
    assert ("Cleaning", 1500.0, 1479.45, -20.55) in rows


async def test_bad_budgets_and_expenses_are_refused(make_client: Any) -> None:
    w, _ops, client = await _dataset(make_client)
    base = {"year": 2026, "site_id": w.site.id, "category": "safety"}
    cases = [
        ({**base, "amount": "-5"}, "amount"),
        (
            {**base, "amount": "100", "split": "manual", "quarters": ["10", "20", "30", "30"]},
            "quarters",
        ),
        (
            {**base, "amount": "100", "split": "manual", "quarters": ["-10", "60", "25", "25"]},
            "quarters",
        ),
        ({"year": 2026, "category": "safety", "amount": "100"}, "site_id"),
        ({**base, "site_id": w.other_site.id + 1000, "amount": "1"}, "site_id"),
    ]
    for body, field in cases:
        answer = await client.put("/api/v1/reporting/budgets", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in answer.text and "Expected" not in answer.text
    wrong_currency = await client.post(
        "/api/v1/reporting/expenses",
        json={
            "site_id": w.site.id,
            "category": "other",
            "spent_on": "2026-02-05",
            "amount": "5",
            "currency": "USD",
        },
    )
    assert wrong_currency.status_code == 422 and "currency" in wrong_currency.text
    assert "EUR" in wrong_currency.json()["message"] + str(wrong_currency.json()["fields"])
    answer = await client.put(
        "/api/v1/reporting/budgets",
        json={**base, "amount": "100", "split": "manual", "quarters": ["10", "20", "30", "40"]},
    )
    assert answer.status_code in (200, 201) and answer.json()["quarters"] == [
        "10.00",
        "20.00",
        "30.00",
        "40.00",
    ]


async def test_expense_with_invoice_through_the_upload_checks(make_client: Any) -> None:
    w, ops, _client = await _dataset(make_client)
    browser = await builders.browser_session(make_client, ops)
    token = await builders.csrf(browser, "/reporting/budget")
    fields = {
        "_csrf_token": token,
        "site_id": str(w.site.id),
        "category": "other",
        "spent_on": "2026-02-06",
        "amount": "12,50",
        "currency": "EUR",
    }
    good = await browser.post(
        "/reporting/expenses",
        data=fields,
        files={"attachment": ("invoice.pdf", PDF, "application/pdf")},
    )
    assert good.status_code == 303, good.text
    bad = await browser.post(
        "/reporting/expenses",
        data=fields,
        files={"attachment": ("invoice.exe", b"MZ\x90\x00nope", "application/pdf")},
    )
    assert bad.status_code == 422 and "PDF" in bad.text
    from facilities import db

    rows = await db.raw("SELECT id, amount FROM expense WHERE storage_key IS NOT NULL")
    assert len(rows) == 1 and Decimal(str(rows[0]["amount"])) == Decimal("12.50")
    got = await browser.get(f"/reporting/expenses/{rows[0]['id']}/attachment")
    assert got.status_code == 200 and got.content == PDF


async def test_costs_fall_in_the_quarter_of_the_sites_own_calendar() -> None:
    """A part entered at 23:30 UTC on 31 March is 01:30 on 1 April in Berlin: Q2 there, Q1 at
    a site in UTC. One entered at 23:30 UTC on 31 December 2025 is 2026's Q1 in Berlin (and
    not in 2026 at all in UTC)."""
    berlin = await world(time_zone="Europe/Berlin")
    utc_site = await builders.site(berlin.site.region_id, time_zone="UTC")
    me = builders.principal(berlin.partner)
    for site_id, at, unit_cost in (
        (berlin.site.id, datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "10.00"),
        (utc_site.id, datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "1.00"),
        (berlin.site.id, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "100.00"),
        (utc_site.id, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "1000.00"),
    ):
        with clock.pinned(at):
            order = await work_order(site_id, partner_organisation_id=berlin.partner_org_id)
            await step(order.id, berlin.partner, "accept")
            await step(order.id, berlin.partner, "start")
            await work.add_cost(
                actor=me,
                work_order_id=order.id,
                data=msgspec.convert(
                    {"description": "Part", "quantity": "1", "unit_cost": unit_cost}, CostCreate
                ),
            )
    berlin_only = await actuals_module.actuals([berlin.site.id], 2026, date(2026, 12, 31))
    # Berlin's New Year part in Q1, its 1 April part in Q2
    assert berlin_only == {
        ("maintenance", 1): Decimal("100.00"),
        ("maintenance", 2): Decimal("10.00"),
    }
    both = await actuals_module.actuals([berlin.site.id, utc_site.id], 2026, date(2026, 12, 31))
    assert both[("maintenance", 1)] == Decimal("101.00")
    only_utc = await actuals_module.actuals([utc_site.id], 2026, date(2026, 12, 31))
    assert only_utc == {("maintenance", 1): Decimal("1.00")}
