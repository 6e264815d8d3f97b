"""Whether each target was met, recorded when its event happens.

A work-order listener (``facilities.maintenance.hooks``), so it runs inside the transition's
transaction: ``accept`` (and ``start``, which implies accepting) settles ``response``,
``start`` settles ``attendance``, ``complete`` settles ``resolution``. One ``sla_outcome``
row per (work order, target): response and attendance keep their first achievement; a
completion after a reopen replaces the resolution row (the last completion counts).
Orders without a policy get no rows. Partner scorecards read this table.
"""

from __future__ import annotations

from facilities import db
from facilities.kit import clock as wall
from facilities.kit.rows import aware
from facilities.maintenance.hooks import WorkOrderChange
from facilities.maintenance.tables import WorkOrder
from facilities.services.sla import queries
from facilities.services.sla.enums import ClockState, Target

SETTLES = {
    "accept": (Target.response,),
    "start": (Target.response, Target.attendance),
    "complete": (Target.resolution,),
}


async def record_outcomes(change: WorkOrderChange) -> None:
    targets = SETTLES.get(change.action)
    if not targets:
        return
    row = (
        await WorkOrder.select(
            WorkOrder.id,
            WorkOrder.site,
            WorkOrder.priority,
            WorkOrder.trade,
            WorkOrder.status,
            WorkOrder.partner_organisation,
            WorkOrder.created_at,
            WorkOrder.hold_reason,
        )
        .where(WorkOrder.id == change.work_order_id)
        .first()
    )
    if row is None:
        return
    facts = queries.OrderFacts(
        id=row["id"],
        site_id=row["site"],
        priority=row["priority"],
        trade=row["trade"],
        status=row["status"],
        partner_organisation_id=row["partner_organisation"],
        created_at=aware(row["created_at"]),
        hold_reason=row["hold_reason"] or "",
    )
    evaluated = (await queries.evaluate([facts], now=wall.now())).get(facts.id)
    if evaluated is None:
        return
    for clock in evaluated.clocks:
        if clock.target not in targets or clock.achieved_at is None:
            continue
        replace = clock.target is Target.resolution
        await db.raw(
            "INSERT INTO sla_outcome (work_order, target, policy, target_minutes, due_at,"  # noqa: S608 - fixed SQL
            " achieved_at, met, elapsed_minutes, partner_organisation, site, created_at)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
            " ON CONFLICT (work_order, target) DO "
            + (
                "UPDATE SET policy = excluded.policy, target_minutes = excluded.target_minutes,"
                " due_at = excluded.due_at, achieved_at = excluded.achieved_at,"
                " met = excluded.met, elapsed_minutes = excluded.elapsed_minutes,"
                " partner_organisation = excluded.partner_organisation,"
                " created_at = excluded.created_at"
                if replace
                else "NOTHING"
            ),
            facts.id,
            clock.target.value,
            evaluated.policy.id,
            clock.minutes,
            clock.due_at,
            clock.achieved_at,
            clock.state is ClockState.met,
            clock.elapsed_minutes,
            change.partner_organisation_id,
            facts.site_id,
            wall.now(),
        )
