"""The SLA of a work order: policy choice, outcomes recorded on accept/start/complete, the
panel on the work-order page and the API (scoped like the order)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.kit import clock
from facilities.services.sla import queries
from tests import builders
from tests import workorders_builders as wb
from tests.services.sla import helpers
from tests.services.sla.helpers import T0
from tests.sustainability.test_phone_tables import _unlabelled


async def _assigned(world: helpers.SlaWorld, **values: Any) -> int:
    order = await wb.work_order(world.w.site.id, priority=values.pop("priority", "p1"), **values)
    await wb.step(
        order.id,
        await _admin(),
        "assign",
        partner_organisation_id=world.w.partner_org_id,
        assignee_id=world.w.partner.id,
    )
    return order.id


async def _admin() -> UserRead:
    return await builders.user(Role.admin)


async def test_outcomes_recorded_on_accept_start_and_complete() -> None:
    world = await helpers.world()
    policy = await helpers.policy(
        response_minutes=30, attendance_minutes=60, resolution_minutes=120, calendar="24_7"
    )
    with clock.pinned(T0):
        order_id = await _assigned(world)
        clock.advance(timedelta(minutes=20))
        await wb.step(order_id, world.w.partner, "accept")
        clock.advance(timedelta(minutes=50))
        await wb.step(order_id, world.w.partner, "start")
        clock.advance(timedelta(minutes=40))
        await wb.step(order_id, world.w.partner, "complete", note="Descaled")
    rows = await helpers.outcomes(order_id)
    assert {t: (bool(r["met"]), r["elapsed_minutes"]) for t, r in rows.items()} == {
        "response": (True, 20),
        "attendance": (False, 70),
        "resolution": (True, 110),
    }
    assert rows["resolution"]["policy"] == policy.id
    assert rows["resolution"]["partner_organisation"] == world.w.partner_org_id


async def test_reopen_then_complete_replaces_the_resolution_outcome() -> None:
    world = await helpers.world()
    await helpers.policy(resolution_minutes=60, calendar="24_7")
    admin = await _admin()
    with clock.pinned(T0):
        order_id = await _assigned(world)
        await wb.step(order_id, world.w.partner, "start")
        clock.advance(timedelta(minutes=30))
        await wb.step(order_id, world.w.partner, "complete", note="Done")
        assert bool((await helpers.outcomes(order_id))["resolution"]["met"])
        clock.advance(timedelta(days=2))
        await wb.step(order_id, admin, "reopen", note="Still leaking")
        clock.advance(timedelta(minutes=45))
        await wb.step(order_id, world.w.partner, "start")
        await wb.step(order_id, world.w.partner, "complete", note="Done now")
    rows = await helpers.outcomes(order_id)
    assert len(rows) == 1
    assert (bool(rows["resolution"]["met"]), rows["resolution"]["elapsed_minutes"]) == (False, 75)


async def test_no_policy_no_outcome_and_no_sla() -> None:
    world = await helpers.world()
    await helpers.policy(priority="p2", resolution_minutes=60)
    with clock.pinned(T0):
        order_id = await _assigned(world, priority="p1")
        await wb.step(order_id, world.w.partner, "start")
    assert await helpers.outcomes(order_id) == {}
    sla = await queries.work_order_sla(builders.principal(world.w.cm), order_id)
    assert sla.policy is None and sla.targets == []


async def test_most_specific_policy_wins() -> None:
    world = await helpers.world()
    default = await helpers.policy(resolution_minutes=600)
    default_trade = await helpers.policy(trade="hvac", resolution_minutes=500)
    contract_id = await helpers.contract(world.w.partner_org_id, [world.w.site.id])
    by_contract = await helpers.policy(contract_id=contract_id, resolution_minutes=400)
    by_contract_trade = await helpers.policy(
        contract_id=contract_id, trade="hvac", resolution_minutes=300
    )
    # Another partner's contract at the same site does not apply to our partner's orders.
    other_contract = await helpers.contract(world.w.stranger_org_id, [world.w.site.id])
    await helpers.policy(contract_id=other_contract, resolution_minutes=100)
    cm = builders.principal(world.w.cm)
    with clock.pinned(T0):
        plain = await wb.work_order(world.w.site.id, priority="p1")
        hvac = await wb.work_order(world.w.site.id, priority="p1", trade="hvac")
        assert (await queries.work_order_sla(cm, plain.id)).policy.id == default.id  # type: ignore[union-attr]
        assert (await queries.work_order_sla(cm, hvac.id)).policy.id == default_trade.id  # type: ignore[union-attr]
        plain_assigned = await _assigned(world)
        hvac_assigned = await _assigned(world, trade="hvac")
        assert (await queries.work_order_sla(cm, plain_assigned)).policy.id == by_contract.id  # type: ignore[union-attr]
        assert (await queries.work_order_sla(cm, hvac_assigned)).policy.id == by_contract_trade.id  # type: ignore[union-attr]


async def test_api_and_panel_scoped_like_the_order(make_client: Any) -> None:
    world = await helpers.world()
    await helpers.policy(response_minutes=60, resolution_minutes=240)  # business hours
    with clock.pinned(T0):  # Monday 09:00 in Berlin
        order_id = await _assigned(world)
        clock.advance(timedelta(minutes=30))
        partner_api = await builders.api(make_client, world.w.partner)
        response = await partner_api.get(f"/api/v1/work-orders/{order_id}/sla")
        assert response.status_code == 200, response.text
        body = response.json()
        assert [(t["target"], t["elapsed_minutes"], t["state"]) for t in body["targets"]] == [
            ("response", 30, "running"),
            ("resolution", 30, "running"),
        ]
        assert body["targets"][0]["due_at"].startswith("2026-11-23T09:00:00")  # 10:00 Berlin
        stranger = await builders.api(make_client, world.w.stranger)
        assert (await stranger.get(f"/api/v1/work-orders/{order_id}/sla")).status_code == 404
        other_cm = await builders.user(Role.community_manager)
        await builders.assign(other_cm, sites=[world.w.other_site.id])
        other = await builders.api(make_client, other_cm)
        assert (await other.get(f"/api/v1/work-orders/{order_id}/sla")).status_code == 404
        assert (await other.get("/api/v1/work-orders/999999/sla")).status_code == 404
        page = await (await builders.browser_session(make_client, world.w.cm)).get(
            f"/work-orders/{order_id}"
        )
        assert page.status_code == 200, page.text
        assert 'id="sla"' in page.text and "Response" in page.text and "Running" in page.text
        # on a phone each figure says what it is (it read "8h / 1m (0 %) / 7h 58m")
        panel = page.text.split('id="sla"', 1)[1].split("</section>", 1)[0]
        assert "<td" in panel and _unlabelled(panel) == []
        assert 'data-label="Remaining"' in panel
