"""Repairs' maintained totals (``workorders.repair_summary``) follow every lifecycle step
that moves a repair: completion, verification, reopen (the old day is emptied), a second
completion on another day; and they always equal a recomputation from ``work_order``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.maintenance.workorders import repair_summary
from tests.workorders_builders import World, step, work_order, world


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def _rows() -> list[tuple[Any, ...]]:
    rows = await db.raw(
        "SELECT day, site, kind, repairs, timed, repair_minutes, first_time"
        f" FROM {repair_summary.TABLE} ORDER BY day, site, kind"
    )
    return [
        (
            str(r["day"])[:10],
            int(r["site"]),
            r["kind"],
            int(r["repairs"]),
            int(r["timed"]),
            round(float(r["repair_minutes"]), 3),
            int(r["first_time"]),
        )
        for r in rows
    ]


async def _order(w: World, at: datetime, site_id: int, **values: Any) -> int:
    with clock.pinned(at):
        order = await work_order(site_id, partner_organisation_id=w.partner_org_id, **values)
    return order.id


async def _at(at: datetime, order_id: int, user: Any, action: str, **values: Any) -> None:
    with clock.pinned(at):
        await step(order_id, user, action, **values)


async def _same_as_rebuilt() -> list[tuple[Any, ...]]:
    kept = await _rows()
    await repair_summary.rebuild()
    assert await _rows() == kept
    return kept


async def test_totals_follow_completion_reopen_and_a_second_completion() -> None:
    w = await world(time_zone="UTC")
    site, other = w.site.id, w.other_site.id
    a = await _order(w, utc(2026, 6, 1, 10), site)
    await _at(utc(2026, 6, 1, 10, 30), a, w.partner, "start")
    await _at(utc(2026, 6, 1, 12), a, w.partner, "complete", note="Done")
    assert await _same_as_rebuilt() == [("2026-06-01", site, "corrective", 1, 1, 120.0, 1)]

    # across midnight, at the other site, an inspection follow-up: its UTC day of completion
    b = await _order(w, utc(2026, 6, 1, 23), other, kind="inspection_follow_up")
    await _at(utc(2026, 6, 1, 23, 30), b, w.partner, "start")
    await _at(utc(2026, 6, 2, 0, 30), b, w.partner, "complete", note="Done")
    # a preventive order is no repair
    c = await _order(w, utc(2026, 6, 1, 9), site, kind="preventive")
    await _at(utc(2026, 6, 1, 10), c, w.partner, "start")
    await _at(utc(2026, 6, 1, 11), c, w.partner, "complete", note="Done")
    await _at(utc(2026, 6, 1, 13), a, w.cm, "verify")
    assert await _same_as_rebuilt() == [
        ("2026-06-01", site, "corrective", 1, 1, 120.0, 1),
        ("2026-06-02", other, "inspection_follow_up", 1, 1, 90.0, 1),
    ]

    # reopened two days later: out of its day; completed again: in the new day, with the
    # time between the completion and the reopen left out, and no first-time fix
    await _at(utc(2026, 6, 3, 9), a, w.cm, "reopen", note="Still dripping")
    assert await _same_as_rebuilt() == [
        ("2026-06-02", other, "inspection_follow_up", 1, 1, 90.0, 1),
    ]
    await _at(utc(2026, 6, 3, 10), a, w.partner, "start")
    await _at(utc(2026, 6, 3, 11), a, w.partner, "complete", note="Really done")
    assert await _same_as_rebuilt() == [
        ("2026-06-02", other, "inspection_follow_up", 1, 1, 90.0, 1),
        ("2026-06-03", site, "corrective", 1, 1, 240.0, 0),  # 120 + 2 × 60
    ]


async def test_rebuild_of_some_sites_keeps_the_others() -> None:
    w = await world(time_zone="UTC")
    for site in (w.site.id, w.other_site.id):
        order = await _order(w, utc(2026, 6, 1, 10), site)
        await _at(utc(2026, 6, 1, 10), order, w.partner, "start")
        await _at(utc(2026, 6, 1, 11), order, w.partner, "complete", note="Done")
    kept = await _rows()
    assert len(kept) == 2
    await db.raw(f"DELETE FROM {repair_summary.TABLE}")
    await repair_summary.rebuild([w.site.id])
    assert await _rows() == [row for row in kept if row[1] == w.site.id]
