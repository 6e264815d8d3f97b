"""The agenda's fast refresh: when only schedules moved (created, edited, deactivated), only
their pairs are computed again and written, the others' rows stay as they are; anything
else moving at the same time takes the full path. Either way the rows are those a refresh
from nothing would write."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance.piccolo_migrations import (
    maintenance_2026_12_07t17_55_00_000000 as version_migration,
)
from facilities.maintenance.pm import actions, agenda, planned
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import upcoming
from facilities.maintenance.pm.schemas import ScheduleRead, ScheduleUpdate
from facilities.sites import actions as site_actions
from facilities.sites.schemas import ClosureCreate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers

START = datetime(2027, 1, 4, 7, tzinfo=UTC)


class Spy:
    """What the refreshes did from now on: the pairs expanded (calls of ``upcoming``) and
    how many refreshes took the full path (the real functions run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.expanded: list[tuple[int, int]] = []
        self.full = 0
        full_path = planned._refresh_all

        def counted(ctx: Any, schedule: dict[str, Any], asset_id: int, **kwargs: Any) -> Any:
            self.expanded.append((schedule["id"], asset_id))
            return upcoming(ctx, schedule, asset_id, **kwargs)

        async def counted_full(*args: Any) -> None:
            self.full += 1
            await full_path(*args)

        monkeypatch.setattr(planned, "upcoming", counted)
        monkeypatch.setattr(planned, "_refresh_all", counted_full)

    def reset(self) -> None:
        self.expanded.clear()
        self.full = 0


async def _weekly(
    site_id: int, day: str, asset_id: int | None = None, **values: Any
) -> ScheduleRead:
    """A weekly schedule on ``day`` at an asset (a new one at ``site_id`` if not given)."""
    if asset_id is None:
        asset_id = (await assets_builders.asset(site_id)).id
    return await helpers.schedule(
        asset_id=asset_id,
        rrule=f"FREQ=WEEKLY;BYDAY={day}",
        dtstart_local="2027-01-04T09:00:00",
        **{"skip_closed_days": False, **values},
    )


async def _edit(schedule: ScheduleRead | int, **changes: Any) -> ScheduleRead:
    schedule_id = schedule if isinstance(schedule, int) else schedule.id
    current = await helpers.get_schedule(schedule_id)
    return await actions.update_schedule(
        actor=await builders.system(),
        schedule_id=schedule_id,
        data=ScheduleUpdate(version=current.version, **changes),
    )


async def _rows() -> dict[tuple[int, int, str], int]:
    """Every planned row: (schedule, asset, occurrence key) → its row id."""
    rows = await db.raw("SELECT id, schedule, asset, occurrence_key FROM pm_planned")
    return {(r["schedule"], r["asset"], r["occurrence_key"]): r["id"] for r in rows}


async def _pairs() -> dict[tuple[int, int], int]:
    """Every pair → the schedule version it was computed from."""
    rows = await db.raw("SELECT schedule, asset, schedule_version FROM pm_planned_pair")
    return {(r["schedule"], r["asset"]): r["schedule_version"] for r in rows}


async def _four_weeks() -> list[agenda.Item]:
    return await agenda.items(start=START, end=START + timedelta(days=28), scope=AgendaScope(None))


async def _as_from_nothing() -> set[tuple[int, int, str]]:
    """The rows a refresh from empty tables writes (the tables emptied, then refreshed)."""
    for table in (planned.TABLE, planned.PAIRS, planned.STATE):
        await db.raw(f"DELETE FROM {table}")
    await planned.refresh()
    return set(await _rows())


async def test_an_edit_recomputes_only_that_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    world = await assets_builders.world()
    with clock.pinned(START):
        made = [await _weekly(world.site.id, day) for day in ("MO", "WE", "FR")]
        assert len(await _four_weeks()) == 12
        before = await _rows()
        spy = Spy(monkeypatch)
        edited = await _edit(made[1], rrule="FREQ=WEEKLY;BYDAY=TU")
        shown = await _four_weeks()
        # the calendar shows the new rule right after the edit
        assert sorted({i.start.weekday() for i in shown}) == [0, 1, 4]
        # the fast path: only the edited schedule's pair expanded and written again
        assert spy.full == 0 and spy.expanded == [(made[1].id, made[1].asset_id)]
        after = await _rows()
        others = {k: v for k, v in before.items() if k[0] != made[1].id}
        assert {k: v for k, v in after.items() if k[0] != made[1].id} == others
        assert not set(after) & {k for k in before if k[0] == made[1].id}  # Wednesdays gone
        pairs = await _pairs()
        assert pairs[(made[1].id, made[1].asset_id)] == edited.version == 2
        assert pairs[(made[0].id, made[0].asset_id)] == 1
        state = await db.raw("SELECT stamp FROM pm_planned_state")
        assert state[0]["stamp"] == await planned.current_key(START)
        assert set(after) == await _as_from_nothing()


async def test_a_new_schedule_and_a_deactivated_one(monkeypatch: pytest.MonkeyPatch) -> None:
    world = await assets_builders.world()
    category = await assets_builders.category()
    with clock.pinned(START):
        kept = await _weekly(world.site.id, "MO")
        ending = await _weekly(world.site.id, "WE")
        spare = await assets_builders.asset(world.site.id)  # an asset moves the stamp too
        assert len(await _four_weeks()) == 8
        before = await _rows()
        spy = Spy(monkeypatch)
        new = await _weekly(world.site.id, "TH", asset_id=spare.id)
        assert len(await _four_weeks()) == 12
        assert spy.full == 0 and spy.expanded == [(new.id, new.asset_id)]
        # a category's schedule over listed sites (``pm_schedule_site``, written with it)
        boilers = [
            await assets_builders.asset(site, category_id=category.id)
            for site in (world.site.id, world.other_site.id)
        ]
        await planned.refresh()  # the assets moved the stamp: a full refresh
        spy.reset()
        spread = await helpers.schedule(
            category_id=category.id,
            site_ids=[world.site.id],
            rrule="FREQ=WEEKLY;BYDAY=SA",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
        )
        assert len(await _four_weeks()) == 16
        assert spy.full == 0 and spy.expanded == [(spread.id, boilers[0].id)]
        spy.reset()
        await _edit(ending, active=False)
        shown = await _four_weeks()
        assert len(shown) == 12 and 2 not in {i.start.weekday() for i in shown}
        assert spy.full == 0 and spy.expanded == []
        rows = await _rows()
        assert not [k for k in rows if k[0] == ending.id]
        assert not [p for p in await _pairs() if p[0] == ending.id]
        assert {k: v for k, v in rows.items() if k[0] == kept.id} == {
            k: v for k, v in before.items() if k[0] == kept.id
        }
        assert set(rows) == await _as_from_nothing()


async def test_schedules_and_a_closure_at_once_take_the_full_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await assets_builders.world()
    with clock.pinned(START):
        closing = await _weekly(world.site.id, "MO", skip_closed_days=True)
        edited = await _weekly(world.site.id, "WE")
        await _four_weeks()
        spy = Spy(monkeypatch)
        await _edit(edited, rrule="FREQ=WEEKLY;BYDAY=TU")
        await site_actions.add_closure(
            actor=await builders.system(),
            site_id=world.site.id,
            data=ClosureCreate(day=date(2027, 1, 11), reason="Inventory"),
        )
        shown = await _four_weeks()
        assert spy.full == 1
        assert sorted(spy.expanded) == [
            (closing.id, closing.asset_id),
            (edited.id, edited.asset_id),
        ]
        days = [i.start.date() for i in shown if i.uid.startswith(f"pm-{closing.id}-")]
        assert days[1] == date(2027, 1, 12)  # moved past the closed Monday
        assert {i.start.weekday() for i in shown if i.uid.startswith(f"pm-{edited.id}-")} == {1}
        assert set(await _rows()) == await _as_from_nothing()


async def test_two_refreshes_at_once_after_edits() -> None:
    """Two processes refreshing at once (the in-process lock bypassed), one for the key
    after the first edit, one after the second: whichever writes second finds the state
    moved (then current, or the full path); the rows end as from nothing."""
    world = await assets_builders.world()
    with clock.pinned(START):
        made = [await _weekly(world.site.id, day) for day in ("MO", "WE", "FR")]
        await planned.refresh()
        await _edit(made[0], rrule="FREQ=WEEKLY;BYDAY=TU")
        first = await planned.current_key(START)
        await _edit(made[1], rrule="FREQ=WEEKLY;BYDAY=TH")
        second = await planned.current_key(START)
        end = START + timedelta(days=28)
        await asyncio.gather(
            planned._refresh(first, START, end), planned._refresh(second, START, end)
        )
        rows = await db.raw("SELECT schedule, asset, occurrence_key FROM pm_planned")
        assert len(rows) == len({(r["schedule"], r["asset"], r["occurrence_key"]) for r in rows})
        await planned.refresh()  # current again, whatever was written last
        state = await db.raw("SELECT stamp FROM pm_planned_state")
        assert state[0]["stamp"] == second
        shown = await _four_weeks()
        assert sorted({i.start.weekday() for i in shown}) == [1, 3, 4]
        assert set(await _rows()) == await _as_from_nothing()
        await asyncio.gather(
            planned._refresh(second, START, end), planned._refresh(second, START, end)
        )
        assert len(await _four_weeks()) == 12


async def test_pairs_stored_before_the_migration_are_computed_once_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An existing database: the column added to stored pairs (version 0), so the first
    refresh after it computes every pair again, and the next ones only what moved."""
    world = await assets_builders.world()
    with clock.pinned(START):
        made = [await _weekly(world.site.id, day) for day in ("MO", "WE")]
        await planned.refresh()
        # the table as before the migration, then the migration itself
        for statement in (
            "DROP INDEX pm_planned_pair_version",
            "DROP INDEX pm_schedule_active_version",
            "ALTER TABLE pm_planned_pair DROP COLUMN schedule_version",
        ):
            await db.raw(statement)
        await (await version_migration.forwards()).run()
        assert set((await _pairs()).values()) == {0}
        spy = Spy(monkeypatch)
        await _edit(made[0], rrule="FREQ=WEEKLY;BYDAY=TU")
        assert len(await _four_weeks()) == 8
        assert sorted(spy.expanded) == sorted((m.id, m.asset_id) for m in made)
        assert await _pairs() == {
            (made[0].id, made[0].asset_id): 2,
            (made[1].id, made[1].asset_id): 1,
        }
        spy.reset()
        await _edit(made[1], rrule="FREQ=WEEKLY;BYDAY=TH")
        assert len(await _four_weeks()) == 8
        assert spy.full == 0 and spy.expanded == [(made[1].id, made[1].asset_id)]
