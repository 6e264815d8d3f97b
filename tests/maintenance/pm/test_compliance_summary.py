"""PM compliance's maintained totals (``pm.compliance_summary``) follow every write of the
work-order actions: after a sequence of creations, lifecycle steps, edits and a change of
grace days, the totals equal a recomputation from ``work_order``, and the per-site figures
read from them equal the live count over the whole period. The scorecards' history marks
(``completed_once``, ``reopened_once``) agree with the histories' events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.rows import aware, aware_or_none
from facilities.maintenance.pm import actions as pm_actions
from facilities.maintenance.pm import compliance, compliance_summary
from facilities.maintenance.pm.generation import generate_due
from facilities.maintenance.pm.schemas import ScheduleUpdate
from facilities.maintenance.workorders import actions
from facilities.maintenance.workorders.actions import milliseconds_since
from facilities.maintenance.workorders.schemas import TransitionRequest, WorkOrderUpdate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def _rows() -> list[tuple[Any, ...]]:
    rows = await db.raw(
        "SELECT grain, period_start, site, on_time, late, pending FROM pm_compliance_summary"
        " ORDER BY grain, period_start, site"
    )
    return [
        (r["grain"], str(r["period_start"])[:10], r["site"], r["on_time"], r["late"], r["pending"])
        for r in rows
    ]


async def _live(start: date, end: date) -> dict[Any, tuple[int, ...]]:
    groups: dict[Any, compliance.Tally] = {}
    await compliance._live(start, end, clock.now(), "site", "", groups, {})
    return {k: (t.due, t.on_time, t.late, t.missed, t.open) for k, t in groups.items()}


async def _step(actor: Any, order_id: int, action: str, **extra: Any) -> None:
    version = (await db.raw("SELECT version FROM work_order WHERE id = {}", order_id))[0]
    data = TransitionRequest(action=action, version=version["version"], note="n", **extra)
    await actions.transition(actor=actor, work_order_id=order_id, data=data)


async def test_totals_equal_the_recomputation_after_a_sequence_of_writes() -> None:
    world = await assets_builders.world()
    partner = await builders.partner_org("Cool GmbH")
    with clock.pinned(utc(2026, 12, 1)):
        first = await assets_builders.asset(world.site.id)
        second = await assets_builders.asset(world.other_site.id)
        schedule = await helpers.schedule(
            asset_id=first.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T08:00:00",
            grace_days=1,
            skip_closed_days=False,
        )
        await helpers.schedule(
            asset_id=second.id,
            rrule="FREQ=WEEKLY;BYDAY=TH",
            dtstart_local="2027-01-07T08:00:00",
            grace_days=2,
            skip_closed_days=False,
        )
    await generate_due(utc(2027, 4, 30))  # created in batches: the batch listener
    orders = await helpers.work_orders(schedule.id)
    assert len(orders) >= 16
    actor = builders.principal(await builders.user(Role.admin))
    # on time, late, late then reopened, cancelled, and one moved to another month
    for index, hours in ((0, 20), (1, 60), (2, 50), (5, 100)):
        order = orders[index]
        with clock.pinned(order["due_at"] + timedelta(hours=hours)):
            await _step(actor, order["id"], "assign", partner_organisation_id=partner.id)
            await _step(actor, order["id"], "start")
            await _step(actor, order["id"], "complete")
    with clock.pinned(orders[2]["due_at"] + timedelta(days=5)):
        await _step(actor, orders[2]["id"], "reopen")
        await _step(actor, orders[3]["id"], "cancel")
        version = await db.raw("SELECT version FROM work_order WHERE id = {}", orders[4]["id"])
        await actions.update_work_order(
            actor=actor,
            work_order_id=orders[4]["id"],
            data=WorkOrderUpdate(
                version=version[0]["version"], due_at=orders[4]["due_at"] + timedelta(days=40)
            ),
        )
    start, end = date(2027, 1, 1), date(2027, 5, 1)
    with clock.pinned(utc(2027, 3, 3, 12)):
        maintained = await _rows()
        await compliance_summary.rebuild()
        assert await _rows() == maintained
        read = await compliance.compute(actor, start=start, end=end)
        assert {
            r.key: (r.due, r.on_time, r.late, r.missed, r.open_not_yet_overdue) for r in read.rows
        } == await _live(start, end)
        assert read.total.late == 2 and read.total.on_time == 1
    # A wider grace turns the 60-hour completion into an on-time one, for every past order.
    current = await helpers.get_schedule(schedule.id)
    await pm_actions.update_schedule(
        actor=await builders.system(),
        schedule_id=schedule.id,
        data=msgspec.convert({"version": current.version, "grace_days": 3}, ScheduleUpdate),
    )
    with clock.pinned(utc(2027, 3, 3, 12)):
        maintained = await _rows()
        await compliance_summary.rebuild()
        assert await _rows() == maintained
        for period in ((start, end), (date(2027, 1, 9), date(2027, 3, 17))):
            read = await compliance.compute(actor, start=period[0], end=period[1])
            assert {
                r.key: (r.due, r.on_time, r.late, r.missed, r.open_not_yet_overdue)
                for r in read.rows
            } == await _live(*period)
        read = await compliance.compute(actor, start=start, end=end)
        assert (read.total.on_time, read.total.late) == (2, 1)
        assert read.total.missed > 0 and read.total.open_not_yet_overdue > 0
    # The scorecards' marks agree with the histories (complete, reopen events) too.
    marks = await db.raw(
        "SELECT count(*) AS n FROM work_order w WHERE"
        " (CASE WHEN w.completed_once THEN 1 ELSE 0 END) <> (CASE WHEN EXISTS (SELECT 1 FROM"
        " work_order_event e WHERE e.work_order = w.id AND e.action = 'complete') THEN 1 ELSE 0"
        " END) OR (CASE WHEN w.reopened_once THEN 1 ELSE 0 END) <> (CASE WHEN EXISTS (SELECT 1"
        " FROM work_order_event e WHERE e.work_order = w.id AND e.action = 'reopen') THEN 1"
        " ELSE 0 END)"
    )
    assert marks[0]["n"] == 0
    assert (await db.raw("SELECT count(*) AS n FROM work_order WHERE reopened_once"))[0]["n"] == 1
    # ... and so do the durations kept with the times (accepted by "start", completed,
    # reopened: no resolution until completed again)
    rows = await db.raw(
        "SELECT created_at, accepted_at, completed_at, response_ms, resolution_ms"
        " FROM work_order WHERE schedule = {}",
        schedule.id,
    )
    kept = [(r["response_ms"], r["resolution_ms"]) for r in rows]
    assert kept == [
        (
            milliseconds_since(aware(r["created_at"]), aware_or_none(r["accepted_at"])),
            milliseconds_since(aware(r["created_at"]), aware_or_none(r["completed_at"])),
        )
        for r in rows
    ]
    assert sum(1 for response, _ in kept if response) == 4
    assert sum(1 for _, resolution in kept if resolution) == 3
