"""Escalation: in order (assignee → community manager → ops manager), each level once,
recorded on the work order, notified through the outbox; candidates chosen in SQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.services.sla.jobs import escalate
from facilities.settings import get_settings
from tests import builders
from tests import workorders_builders as wb
from tests.services.sla import helpers
from tests.services.sla.helpers import T0


async def _order(world: helpers.SlaWorld, **values: Any) -> int:
    order = await wb.work_order(world.w.site.id, priority="p1", **values)
    await wb.step(
        order.id,
        await builders.user(Role.admin),
        "assign",
        partner_organisation_id=world.w.partner_org_id,
        assignee_id=world.w.partner.id,
    )
    return order.id


async def test_escalates_in_order_each_level_once() -> None:
    world = await helpers.world()
    await helpers.policy(resolution_minutes=60, calendar="24_7", overrun_percent=50)
    with clock.pinned(T0):
        order_id = await _order(world)
    for minutes, expected in (
        (30, []),
        (50, [("resolution", 1, "at_risk", 1)]),
        (55, [("resolution", 1, "at_risk", 1)]),  # again: nothing new
        (61, [("resolution", 1, "at_risk", 1), ("resolution", 2, "breached", 1)]),
        (70, [("resolution", 1, "at_risk", 1), ("resolution", 2, "breached", 1)]),
        (
            90,
            [
                ("resolution", 1, "at_risk", 1),
                ("resolution", 2, "breached", 1),
                ("resolution", 3, "breached", 1),
            ],
        ),
        (
            200,
            [
                ("resolution", 1, "at_risk", 1),
                ("resolution", 2, "breached", 1),
                ("resolution", 3, "breached", 1),
            ],
        ),
    ):
        with clock.pinned(T0 + timedelta(minutes=minutes)):
            await escalate()
        assert await helpers.escalations(order_id) == expected, minutes
    mails = await helpers.sla_mails()
    assert [(m["event"], m["user"]) for m in mails] == [
        ("sla_at_risk", world.w.partner.id),
        ("sla_breached", world.w.cm.id),
        ("sla_breached", world.ops.id),
    ]
    events = await db.raw(
        "SELECT note FROM work_order_event WHERE work_order = {} AND action = 'escalate' ORDER BY id",
        order_id,
    )
    assert [e["note"] for e in events] == [
        "SLA Resolution: At risk, Level 1 · assignee",
        "SLA Resolution: Breached, Level 2 · community manager",
        "SLA Resolution: Breached, Level 3 · ops manager",
    ]
    with clock.pinned(T0 + timedelta(minutes=300)):
        assert (await escalate()).candidates == 0  # fully escalated: not even a candidate


async def test_already_breached_climbs_one_level_per_run() -> None:
    world = await helpers.world()
    await helpers.policy(response_minutes=10, resolution_minutes=60, calendar="24_7")
    with clock.pinned(T0):
        order_id = await _order(world)
    with clock.pinned(T0 + timedelta(hours=5)):
        first = await escalate()
        assert (first.escalated, dict(first.levels)) == (2, {1: 2})
        second = await escalate()
        assert dict(second.levels) == {2: 2}
        third = await escalate()
        assert dict(third.levels) == {3: 2}
        assert (await escalate()).escalated == 0
    assert [(t, lvl) for t, lvl, _s, _n in await helpers.escalations(order_id)] == [
        ("resolution", 1),
        ("response", 1),
        ("resolution", 2),
        ("response", 2),
        ("resolution", 3),
        ("response", 3),
    ]


async def test_met_paused_and_closed_orders_do_not_escalate() -> None:
    world = await helpers.world()
    await helpers.policy(
        response_minutes=10, resolution_minutes=60, calendar="24_7", pause_reasons=["parts"]
    )
    with clock.pinned(T0):
        done = await _order(world)
        paused = await _order(world)
        cancelled = await _order(world)
        await wb.step(done, world.w.partner, "start")
        await wb.step(paused, world.w.partner, "start")
        clock.advance(timedelta(minutes=5))
        await wb.step(done, world.w.partner, "complete", note="ok")
        await wb.step(paused, world.w.partner, "hold", hold_reason="parts", note="pump")
        await wb.step(cancelled, await builders.user(Role.admin), "cancel", note="dupe")
    with clock.pinned(T0 + timedelta(hours=3)):
        run = await escalate()
    assert run.escalated == 0
    for order_id in (done, paused, cancelled):
        assert await helpers.escalations(order_id) == []


async def test_no_assignee_means_the_partner_organisation_and_nobody_is_still_recorded() -> None:
    world = await helpers.world()
    colleague = await builders.user(Role.partner, partner_id=world.w.partner_org_id)
    await helpers.policy(resolution_minutes=60, calendar="24_7")
    with clock.pinned(T0):
        order = await wb.work_order(world.w.site.id, priority="p1")
        await wb.step(
            order.id,
            await builders.user(Role.admin),
            "assign",
            partner_organisation_id=world.w.partner_org_id,
        )
        unassigned = await wb.work_order(world.w.other_site.id, priority="p1")
    with clock.pinned(T0 + timedelta(minutes=55)):
        await escalate()
    assert {m["user"] for m in await helpers.sla_mails()} == {world.w.partner.id, colleague.id}
    assert await helpers.escalations(unassigned.id) == [("resolution", 1, "at_risk", 0)]


async def test_escalations_page_and_api_are_scoped(make_client: Any) -> None:
    world = await helpers.world()
    await helpers.policy(resolution_minutes=60, calendar="24_7")
    with clock.pinned(T0):
        order_id = await _order(world)
    with clock.pinned(T0 + timedelta(minutes=61)):
        await escalate()
        await escalate()
    ops_api = await builders.api(make_client, world.ops)
    listed = (await ops_api.get("/api/v1/facility-services/escalations?level=2")).json()
    assert [(e["work_order_id"], e["level"]) for e in listed["items"]] == [(order_id, 2)]
    partner = await builders.api(make_client, world.w.partner)
    assert (await partner.get("/api/v1/facility-services/escalations")).json()["total"] == 2
    stranger = await builders.api(make_client, world.w.stranger)
    assert (await stranger.get("/api/v1/facility-services/escalations")).json()["total"] == 0
    other_cm = await builders.user(Role.community_manager)
    await builders.assign(other_cm, sites=[world.w.other_site.id])
    other = await builders.api(make_client, other_cm)
    assert (await other.get("/api/v1/facility-services/escalations")).json()["total"] == 0
    page = await (await builders.browser_session(make_client, world.ops)).get(
        f"/escalations?site_id={world.w.site.id}"
    )
    assert page.status_code == 200 and f"#{order_id}" in page.text
    panel = await (await builders.browser_session(make_client, world.w.cm)).get(
        f"/work-orders/{order_id}"
    )
    assert "Level 2 · community manager" in panel.text


async def test_the_history_line_is_in_the_installations_language(monkeypatch: Any) -> None:
    """The job writes the order's history in FACILITIES_DEFAULT_LOCALE (kit.i18n), in words,
    never codes such as "at_risk" or "community_manager"."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    world = await helpers.world()
    await helpers.policy(resolution_minutes=60, calendar="24_7", overrun_percent=50)
    with clock.pinned(T0):
        order_id = await _order(world)
    with clock.pinned(T0 + timedelta(minutes=50)):
        await escalate()
    [event] = await db.raw(
        "SELECT note FROM work_order_event WHERE work_order = {} AND action = 'escalate'",
        order_id,
    )
    assert event["note"] == "SLA Behebung: Gefährdet, Stufe 1 · Zuständige Person"
