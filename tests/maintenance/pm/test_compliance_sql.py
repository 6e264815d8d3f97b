"""PM compliance is counted by the database: its deadline rules agree with ``outcome`` at
the edges (completed exactly at the deadline, a second after it; open exactly at it)."""

from __future__ import annotations

from datetime import timedelta

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.rows import aware
from facilities.maintenance.pm import compliance_summary
from facilities.maintenance.pm.compliance import compute, outcome
from facilities.maintenance.pm.generation import generate_due
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def test_sql_counts_agree_with_outcome_at_the_deadline() -> None:
    world = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            grace_days=3,
            skip_closed_days=False,
        )
    await generate_due(utc(2027, 4, 30))
    orders = await helpers.work_orders(schedule.id)
    assert len(orders) == 4
    deadlines = [
        o["due_at"]
        for o in await db.raw(
            "SELECT due_at FROM work_order WHERE schedule = {} ORDER BY due_at", schedule.id
        )
    ]
    due = [aware(d) for d in deadlines]
    grace = timedelta(days=3)
    completions = [due[0] + grace, due[1] + grace + timedelta(seconds=1), None, None]
    for order, done in zip(sorted(orders, key=lambda o: o["id"]), completions, strict=True):
        if done is not None:
            await db.raw(
                "UPDATE work_order SET status = 'completed', completed_at = {} WHERE id = {}",
                done,
                order["id"],
            )
            # the raw UPDATE bypasses the lifecycle, whose hook keeps the totals
            await compliance_summary.refresh_orders([order["id"]])
    now = due[2] + grace  # the March order's deadline is exactly now: still open
    expected = [outcome(d, c, 3, now) for d, c in zip(due, completions, strict=True)]
    assert expected == ["on_time", "late", "open", "open"]
    admin = builders.principal(await builders.user(Role.admin))
    with clock.pinned(now):
        result = await compute(admin, start=utc(2027, 1, 1).date(), end=utc(2027, 5, 1).date())
    total = result.total
    assert (total.due, total.on_time, total.late, total.missed) == (2, 1, 1, 0)
    assert total.open_not_yet_overdue == 2
    with clock.pinned(now + timedelta(seconds=1)):
        later = await compute(admin, start=utc(2027, 1, 1).date(), end=utc(2027, 5, 1).date())
    assert (later.total.missed, later.total.open_not_yet_overdue) == (1, 1)
    by_schedule = await compute(
        admin, start=utc(2027, 1, 1).date(), end=utc(2027, 5, 1).date(), group_by="schedule"
    )
    assert [r.key for r in by_schedule.rows] == [schedule.id]
