"""Routing of new work to the contracted partner."""

from __future__ import annotations

from datetime import date
from typing import Any

from facilities.kit import clock
from facilities.maintenance.enums import ProblemCategory
from facilities.maintenance.tables import WorkOrder
from facilities.services.routing import route
from tests import builders
from tests import maintenance_builders as mb
from tests.services import helpers as h
from tests.workorders_builders import work_order, world


async def test_route_rules() -> None:
    w = await world(time_zone="Europe/Berlin")
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await h.contract(
            w.partner_org_id,
            [w.site.id],
            contract_type="maintenance",
            trades=["hvac", "electrical"],
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
        )
        assert await route(w.site.id, "hvac") == w.partner_org_id
        assert await route(w.site.id, "plumbing") is None  # trade not covered
        assert await route(w.other_site.id, "hvac") is None  # site not covered
        assert await route(w.site.id, None) is None  # no trade: triage
    # 30 June 23:30 UTC is already 1 July in Berlin: the contract has ended there
    with clock.pinned(h.utc(2026, 6, 30, 21, 59)):
        assert await route(w.site.id, "hvac") == w.partner_org_id
    with clock.pinned(h.utc(2026, 6, 30, 22, 30)):
        assert await route(w.site.id, "hvac") is None


async def test_most_specific_contract_wins() -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await h.contract(
            w.stranger_org_id,
            [w.site.id, w.other_site.id],
            name="FM everywhere",
            contract_type="facility_management",
            trades=["plumbing"],
        )
        await h.contract(
            w.partner_org_id,
            [w.site.id],
            name="Plumbing here",
            contract_type="maintenance",
            trades=["plumbing"],
        )
        assert await route(w.site.id, "plumbing") == w.partner_org_id
        assert await route(w.other_site.id, "plumbing") == w.stranger_org_id
        assert await route(w.site.id, "general") == w.stranger_org_id


async def test_draft_contract_does_not_route() -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await h.contract(w.partner_org_id, [w.site.id], status="draft")
        assert await route(w.site.id, "cleaning") is None


async def test_work_order_creation_is_routed(make_client: Any) -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await h.contract(w.partner_org_id, [w.site.id], contract_type="cleaning")
        routed = await work_order(w.site.id, trade="cleaning")
        assert routed.partner_organisation_id == w.partner_org_id
        assert routed.status == "assigned"
        unmatched = await work_order(w.site.id, trade="elevators")
        assert unmatched.partner_organisation_id is None and unmatched.status == "open"
        explicit = await work_order(
            w.site.id, trade="cleaning", partner_organisation_id=w.stranger_org_id
        )
        assert explicit.partner_organisation_id == w.stranger_org_id
        # through the API, as a community manager
        cm = await builders.api(make_client, w.cm)
        created = await cm.post(
            "/api/v1/work-orders",
            json={"title": "Floor is sticky", "site_id": w.site.id, "trade": "cleaning"},
        )
        assert created.status_code == 201, created.text
        assert created.json()["partner_organisation_id"] == w.partner_org_id


async def test_accepted_problem_report_goes_to_the_contracted_partner(make_client: Any) -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await h.contract(w.partner_org_id, [w.site.id], contract_type="cleaning")
        created = await mb.report(
            site_id=w.site.id, category=ProblemCategory.dirty, description="Sticky floor"
        )
        cm = await builders.api(make_client, w.cm)
        accepted = await cm.post(f"/api/v1/problem-reports/{created.report.id}/accept")
        assert accepted.status_code == 200, accepted.text
        order = await WorkOrder.select().first()
        assert order is not None
        assert order["partner_organisation"] == w.partner_org_id
        assert order["status"] == "assigned"
        partner = await builders.api(make_client, w.partner)
        mine = await partner.get(f"/api/v1/work-orders/{order['id']}")
        assert mine.status_code == 200
