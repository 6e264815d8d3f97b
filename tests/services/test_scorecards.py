"""Partner scorecards on a small hand-computed dataset (formulas: docs/kpis.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.workorders import work
from facilities.maintenance.workorders.schemas import CostCreate
from facilities.services import visits as visit_jobs
from tests import builders
from tests.services import helpers as h
from tests.workorders_builders import step, work_order, world


async def _dataset(make_client: Any) -> Any:
    w = await world(time_zone="UTC")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    p = w.partner_org_id
    # WO1: created 1 June 10:00, accepted +30 min, completed +120 min; a 2 x 10.50 part
    with clock.pinned(h.utc(2026, 6, 1, 10)):
        wo1 = await work_order(w.site.id, partner_organisation_id=p)
    with clock.pinned(h.utc(2026, 6, 1, 10, 30)):
        await step(wo1.id, w.partner, "accept")
        await step(wo1.id, w.partner, "start")
        await work.add_cost(
            actor=builders.principal(w.partner),
            work_order_id=wo1.id,
            data=msgspec.convert(
                {"description": "Filter", "quantity": "2", "unit_cost": "10.50"}, CostCreate
            ),
        )
    with clock.pinned(h.utc(2026, 6, 1, 12)):
        await step(wo1.id, w.partner, "complete", note="Done")
    # WO2: created 2 June 10:00, accepted +60 min, completed, reopened, completed 3 June 10:00
    with clock.pinned(h.utc(2026, 6, 2, 10)):
        wo2 = await work_order(w.site.id, partner_organisation_id=p)
    with clock.pinned(h.utc(2026, 6, 2, 11)):
        await step(wo2.id, w.partner, "accept")
        await step(wo2.id, w.partner, "start")
    with clock.pinned(h.utc(2026, 6, 2, 14)):
        await step(wo2.id, w.partner, "complete", note="Done")
    with clock.pinned(h.utc(2026, 6, 2, 16)):
        await step(wo2.id, w.cm, "reopen", note="Still dripping")
        await step(wo2.id, w.partner, "start")
    with clock.pinned(h.utc(2026, 6, 3, 10)):
        await step(wo2.id, w.partner, "complete", note="Really done")
    # WO3: created 4 June 10:00, accepted +120 min, still open
    with clock.pinned(h.utc(2026, 6, 4, 10)):
        wo3 = await work_order(w.site.id, partner_organisation_id=p)
    with clock.pinned(h.utc(2026, 6, 4, 12)):
        await step(wo3.id, w.partner, "accept")
    # outside the period: not counted
    with clock.pinned(h.utc(2026, 7, 2, 10)):
        await work_order(w.site.id, partner_organisation_id=p)
    # Contracts: 50 per visit, and 1000 per month (30 days of June: 1000 x 30 x 12 / 365)
    with clock.pinned(h.utc(2026, 5, 31, 12)):
        visits_contract = await h.contract(
            p, [w.site.id], price_model="per_visit", price=Decimal("50")
        )
        await h.contract(
            p,
            [w.site.id],
            name="FM",
            contract_type="facility_management",
            price_model="fixed_monthly",
            price=Decimal("1000"),
        )
        await h.plan(visits_contract.id, dtstart_local="2026-06-01T08:00:00", lead_days=20)
    await visit_jobs.generate_visits(h.utc(2026, 5, 31, 12))  # 1, 8 and 15 June
    rows = await h.visits()
    assert len(rows) == 3
    cm = await builders.api(make_client, w.cm)
    with clock.pinned(h.utc(2026, 6, 20)):
        for visit, rating in zip(rows[:2], (4, 5), strict=True):
            answer = await cm.post(
                f"/api/v1/visits/{visit['id']}/sign-off", json={"done": True, "rating": rating}
            )
            assert answer.status_code == 200
    assert await visit_jobs.mark_missed(h.utc(2026, 6, 20)) == 1
    return w, ops


async def test_scorecard_figures(make_client: Any) -> None:
    w, ops = await _dataset(make_client)
    client = await builders.api(make_client, ops)
    with clock.pinned(h.utc(2026, 7, 10)):
        answer = await client.get(
            f"/api/v1/scorecards/{w.partner_org_id}",
            params={"start": "2026-06-01", "end": "2026-06-30"},
        )
    assert answer.status_code == 200, answer.text
    card = answer.json()
    assert card["work_orders"] == 3
    assert card["completed"] == 2
    assert card["median_response_minutes"] == 60.0  # 30, 60, 120
    assert card["median_resolution_minutes"] == 780.0  # (120 + 1440) / 2
    assert card["first_time_fix_rate"] == 0.5
    assert card["reopen_rate"] == 0.5
    assert card["visits_due"] == 3
    assert card["visits_missed"] == 1
    assert card["average_rating"] == 4.5
    assert Decimal(card["work_order_cost"]) == Decimal("21.00")
    assert Decimal(card["contract_cost"]) == Decimal("100") + Decimal("986.30")
    assert Decimal(card["total_cost"]) == Decimal("1107.30")
    assert [t["target"] for t in card["sla"]] == ["response", "attendance", "resolution"]
    if card["sla_available"]:  # the SLA domain's outcomes for this partner in June
        rows = await db.raw(
            "SELECT target, count(*) AS n FROM sla_outcome WHERE partner_organisation = {}"
            " AND achieved_at >= {} AND achieved_at < {} GROUP BY target",
            w.partner_org_id,
            h.utc(2026, 6, 1),
            h.utc(2026, 7, 1),
        )
        counts = {dict(r)["target"]: int(dict(r)["n"]) for r in rows}
        for target in card["sla"]:
            assert target["measured"] == counts.get(target["target"], 0)


async def test_scorecard_scoping_and_pages(make_client: Any) -> None:
    w, ops = await _dataset(make_client)
    partner = await builders.api(make_client, w.partner)
    with clock.pinned(h.utc(2026, 7, 10)):
        own = await partner.get(f"/api/v1/scorecards/{w.partner_org_id}")
        assert own.status_code == 200
        assert (await partner.get(f"/api/v1/scorecards/{w.stranger_org_id}")).status_code == 404
        assert [c["partner_id"] for c in (await partner.get("/api/v1/scorecards")).json()] == [
            w.partner_org_id
        ]
        ops_client = await builders.api(make_client, ops)
        every = (await ops_client.get("/api/v1/scorecards")).json()
        assert {c["partner_id"] for c in every} >= {w.partner_org_id, w.stranger_org_id}
        backwards = await ops_client.get(
            "/api/v1/scorecards", params={"start": "2026-06-30", "end": "2026-06-01"}
        )
        assert backwards.status_code == 422 and backwards.json()["fields"][0]["field"] == "end"
        cm = await builders.api(make_client, w.cm)
        assert (await cm.get("/api/v1/scorecards")).status_code == 403
        browser = await builders.browser_session(make_client, ops)
        listing = await browser.get(
            "/scorecards", params={"start": "2026-06-01", "end": "2026-06-30"}
        )
        assert listing.status_code == 200 and f"/scorecards/{w.partner_org_id}?" in listing.text
        assert 'data-label="Median response"' in listing.text  # named on a phone
        detail = await browser.get(
            f"/scorecards/{w.partner_org_id}", params={"start": "2026-06-01", "end": "2026-06-30"}
        )
        assert detail.status_code == 200 and "4.50" in detail.text
        assert 'data-label="Rate"' in detail.text  # the SLA table named on a phone
        partner_browser = await builders.browser_session(make_client, w.partner)
        redirected = await partner_browser.get("/scorecards")
        assert redirected.status_code == 303
        assert redirected.headers["location"].startswith(f"/scorecards/{w.partner_org_id}")
        assert (await partner_browser.get(f"/scorecards/{w.stranger_org_id}")).status_code == 404


async def _order(
    site_id: int, org_id: int, user: Any, created: Any, accept: Any, done: Any = None
) -> None:
    """An order of ``org_id`` created at ``created``, accepted ``accept`` later and, when
    ``done`` is given, completed that long after its creation."""
    with clock.pinned(created):
        order = await work_order(site_id, partner_organisation_id=org_id)
    with clock.pinned(created + accept):
        await step(order.id, user, "accept")
        await step(order.id, user, "start")
    if done is not None:
        with clock.pinned(created + done):
            await step(order.id, user, "complete", note="Done")


async def test_scorecard_medians_odd_and_even_counts_per_partner(make_client: Any) -> None:
    """Hand-computed medians for two partners listed together (the list reads all partners
    at once): an even count takes the mean of the two middle values, an odd count the
    middle one (docs/kpis.md), each partner only over its own orders of the period."""
    w = await world(time_zone="UTC")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    idle = await builders.partner_org()
    minutes = timedelta(minutes=1)
    a, b = w.partner_org_id, w.stranger_org_id
    # Partner A: responses 10, 21, 40, 70.5 min (even: (21 + 40) / 2 = 30.5);
    # resolutions 100, 200.5, 301 min (odd: 200.5); the fourth is not completed.
    for day, accept, done in (
        (1, 10 * minutes, 100 * minutes),
        (2, 21 * minutes, timedelta(minutes=200, seconds=30)),
        (3, 40 * minutes, 301 * minutes),
        (4, timedelta(minutes=70, seconds=30), None),
    ):
        await _order(w.site.id, a, w.partner, h.utc(2026, 6, day, 8), accept, done)
    # Partner B: responses 5.5, 6.5 min (even: 6.0); one resolution of 61 min (odd: 61.0)
    await _order(
        w.site.id,
        b,
        w.stranger,
        h.utc(2026, 6, 5, 8),
        timedelta(minutes=5, seconds=30),
        61 * minutes,
    )
    await _order(w.site.id, b, w.stranger, h.utc(2026, 6, 6, 8), timedelta(minutes=6, seconds=30))
    # Partner A in July, outside the period: not counted
    await _order(w.site.id, a, w.partner, h.utc(2026, 7, 2, 8), 999 * minutes, 9999 * minutes)
    client = await builders.api(make_client, ops)
    with clock.pinned(h.utc(2026, 7, 10)):
        answer = await client.get(
            "/api/v1/scorecards", params={"start": "2026-06-01", "end": "2026-06-30"}
        )
        single = await client.get(
            f"/api/v1/scorecards/{b}", params={"start": "2026-06-01", "end": "2026-06-30"}
        )
    assert answer.status_code == 200, answer.text
    cards = {c["partner_id"]: c for c in answer.json()}
    figures = {
        p: (
            cards[p]["work_orders"],
            cards[p]["median_response_minutes"],
            cards[p]["median_resolution_minutes"],
        )
        for p in (a, b, idle.id)
    }
    assert figures == {a: (4, 30.5, 200.5), b: (2, 6.0, 61.0), idle.id: (0, None, None)}
    assert single.json() == cards[b]


async def test_scorecard_pages_show_money_in_the_readers_language(make_client: Any) -> None:
    """Costs carry the installation's currency (``money`` filter): German "1.107,30 €"."""
    w, _ops = await _dataset(make_client)
    german = await builders.user(Role.ops_manager, locale="de")
    await builders.assign(german, regions=[w.site.region_id])
    browser = await builders.browser_session(make_client, german)
    period = {"start": "2026-06-01", "end": "2026-06-30"}
    with clock.pinned(h.utc(2026, 7, 10)):
        detail = await browser.get(f"/scorecards/{w.partner_org_id}", params=period)
        listing = await browser.get("/scorecards", params=period)
    assert detail.status_code == 200 and listing.status_code == 200
    text = detail.text.replace("\xa0", " ")
    for amount in ("21,00 €", "1.086,30 €", "1.107,30 €"):  # work orders, contracts, total
        assert amount in text, amount
    assert "1.107,30 €" in listing.text.replace("\xa0", " ")
