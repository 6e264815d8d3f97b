"""A hand-computed data set for the operational KPIs (figures worked out in the comments and
in ``docs/kpis.md``). June 2026, a site in UTC, a 24/7 SLA policy that pauses on parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import StatusChange
from facilities.kit import clock
from facilities.kit.kpi import Period
from tests import assets_builders as ab
from tests import builders
from tests.services.sla import helpers as sla
from tests.workorders_builders import World, step, work_order, world

JUNE = Period(date(2026, 6, 1), date(2026, 7, 1))
AFTER = datetime(2026, 7, 10, tzinfo=UTC)  # "now" when the figures are read


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class Dataset:
    w: World
    ops: UserRead
    orders: dict[str, int]
    assets: dict[str, int]


async def _order(w: World, at: datetime, **values: Any) -> int:
    with clock.pinned(at):
        order = await work_order(
            w.site.id, partner_organisation_id=w.partner_org_id, priority="p1", **values
        )
    return order.id


async def _at(at: datetime, order_id: int, user: UserRead, action: str, **values: Any) -> None:
    with clock.pinned(at):
        await step(order_id, user, action, **values)


async def _status(at: datetime, user: UserRead, asset_id: int, status: str) -> None:
    with clock.pinned(at):
        await asset_actions.change_status(
            actor=builders.principal(user),
            asset_id=asset_id,
            data=msgspec.convert({"status": status}, StatusChange),
        )


async def build() -> Dataset:
    w = await world(time_zone="UTC")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    await sla.policy(
        priority="p1",
        response_minutes=45,
        attendance_minutes=60,
        resolution_minutes=150,
        calendar="24_7",
        pause_reasons=["parts"],
    )
    p, cm = w.partner, w.cm
    o: dict[str, int] = {}
    # WO1: repair 10:00-12:00 = 120 min; response 30 met, attendance 30 met, resolution 120 met
    o["wo1"] = await _order(w, utc(2026, 6, 1, 10))
    await _at(utc(2026, 6, 1, 10, 30), o["wo1"], p, "accept")
    await _at(utc(2026, 6, 1, 10, 30), o["wo1"], p, "start")
    await _at(utc(2026, 6, 1, 12), o["wo1"], p, "complete", note="Done")
    # WO2: on hold for parts 12:00-15:00: repair 10:00-16:00 = 360 min (held 180);
    # response 60 breached, attendance 60 met, resolution 360 - 180 paused = 180 breached
    o["wo2"] = await _order(w, utc(2026, 6, 2, 10))
    await _at(utc(2026, 6, 2, 11), o["wo2"], p, "accept")
    await _at(utc(2026, 6, 2, 11), o["wo2"], p, "start")
    await _at(utc(2026, 6, 2, 12), o["wo2"], p, "hold", hold_reason="parts", note="parts: filter")
    await _at(utc(2026, 6, 2, 15), o["wo2"], p, "resume")
    await _at(utc(2026, 6, 2, 16), o["wo2"], p, "complete", note="Done")
    # WO3: completed 10:00, reopened 14:00, completed 15:30: repair 120 + 90 = 210 min, not a
    # first-time fix; response 60 breached, attendance 60 met, resolution 210 breached
    o["wo3"] = await _order(w, utc(2026, 6, 3, 8))
    await _at(utc(2026, 6, 3, 9), o["wo3"], p, "accept")
    await _at(utc(2026, 6, 3, 9), o["wo3"], p, "start")
    await _at(utc(2026, 6, 3, 10), o["wo3"], p, "complete", note="Done")
    await _at(utc(2026, 6, 3, 14), o["wo3"], cm, "reopen", note="Still dripping")
    await _at(utc(2026, 6, 3, 14, 30), o["wo3"], p, "start")
    await _at(utc(2026, 6, 3, 15, 30), o["wo3"], p, "complete", note="Really done")
    # WO4: open at the end of June, due 25 June 09:00: age 10.625 days, 5.625 days late;
    # response 30 met, attendance 60 met
    o["wo4"] = await _order(w, utc(2026, 6, 20, 9), due_at="2026-06-25T09:00:00Z")
    await _at(utc(2026, 6, 20, 9, 30), o["wo4"], p, "accept")
    await _at(utc(2026, 6, 20, 10), o["wo4"], p, "start")
    # WO5: open, not yet due: age 2.5 days
    o["wo5"] = await _order(w, utc(2026, 6, 28, 12), due_at="2026-07-05T00:00:00Z")
    # WO6: cancelled: in no figure
    o["wo6"] = await _order(w, utc(2026, 6, 15))
    await _at(utc(2026, 6, 16), o["wo6"], cm, "cancel", note="Duplicate")
    # WO7: open and overdue at the end of June (completed in July): age 6 days, 5 days late;
    # response 120 and attendance 120 breached (June); its resolution is July's
    o["wo7"] = await _order(w, utc(2026, 6, 25), due_at="2026-06-26T00:00:00Z")
    await _at(utc(2026, 6, 25, 2), o["wo7"], p, "accept")
    await _at(utc(2026, 6, 25, 2), o["wo7"], p, "start")
    await _at(utc(2026, 7, 2, 12), o["wo7"], p, "complete", note="Done")
    # WO8: May: in no June figure
    o["wo8"] = await _order(w, utc(2026, 5, 1))
    await _at(utc(2026, 5, 1, 1), o["wo8"], p, "start")
    await _at(utc(2026, 5, 2), o["wo8"], p, "complete", note="Done")
    # At the other site (not the community manager's): a 60-minute repair
    with clock.pinned(utc(2026, 6, 5, 10)):
        other = await work_order(w.other_site.id, partner_organisation_id=w.partner_org_id)
    o["other"] = other.id
    await _at(utc(2026, 6, 5, 10), other.id, p, "start")
    await _at(utc(2026, 6, 5, 11), other.id, p, "complete", note="Done")

    # Assets: A critical, down 10 June 00-12 and 20-21 June: up 684 h of 720 → 95 %,
    # 2 failures; B medium, down 5-6 June: up 696 h, 1 failure. MTBF = 1380 h / 3 = 460 h.
    a: dict[str, int] = {}
    with clock.pinned(utc(2026, 5, 15)):
        # through the action: the asset's history starts "operational" at its creation
        a["critical"] = (await ab.asset(w.site.id, "Access point AP-1", criticality="critical")).id
        a["medium"] = (await ab.asset(w.site.id, "Dishwasher", criticality="medium")).id
    await _status(utc(2026, 6, 10), cm, a["critical"], "down")
    await _status(utc(2026, 6, 10, 12), cm, a["critical"], "operational")
    await _status(utc(2026, 6, 20), cm, a["critical"], "down")
    await _status(utc(2026, 6, 21), cm, a["critical"], "operational")
    await _status(utc(2026, 6, 5), cm, a["medium"], "down")
    await _status(utc(2026, 6, 6), cm, a["medium"], "operational")
    return Dataset(w=w, ops=ops, orders=o, assets=a)
