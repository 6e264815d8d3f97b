"""The agenda's planned occurrences kept in ``pm_planned``: a new hour or a change recomputes
only the schedules whose inputs changed, a fresh process reads rows instead of expanding,
two refreshes at once leave one set of rows; counts per day and the first items of a feed
agree with the full list."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance import jobs
from facilities.maintenance.pm import actions, agenda, planned
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import upcoming
from facilities.maintenance.pm.schemas import ScheduleUpdate
from facilities.scheduler import ALL_JOBS, build_scheduler
from facilities.sites import actions as site_actions
from facilities.sites.schemas import ClosureCreate
from facilities.sustainability import actions as sustainability_actions
from facilities.sustainability.schemas import AssetReadingCreate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers

EVERYTHING = AgendaScope(None)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (schedule, asset) pairs computed from now on (calls of ``upcoming``)."""
    calls: list[tuple[int, int]] = []

    def counted(ctx: Any, schedule: dict[str, Any], asset_id: int, **kwargs: Any) -> Any:
        calls.append((schedule["id"], asset_id))
        return upcoming(ctx, schedule, asset_id, **kwargs)

    monkeypatch.setattr(planned, "upcoming", counted)
    return calls


async def _planned_rows(before: datetime | None = None) -> list[tuple[Any, ...]]:
    rows = await db.raw(
        "SELECT schedule, asset, occurrence_key FROM pm_planned WHERE start_at < {}"
        " ORDER BY schedule, asset, occurrence_key",
        before or datetime(9999, 1, 1, tzinfo=UTC),
    )
    return [(r["schedule"], r["asset"], r["occurrence_key"]) for r in rows]


async def _four_weeks(start: datetime) -> list[agenda.Item]:
    return await agenda.items(start=start, end=start + timedelta(days=28), scope=EVERYTHING)


async def test_only_a_changed_schedule_is_expanded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch)
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        made = []
        for day in ("MO", "WE"):
            asset = await assets_builders.asset(world.site.id)
            made.append(
                await helpers.schedule(
                    asset_id=asset.id,
                    rrule=f"FREQ=WEEKLY;BYDAY={day}",
                    dtstart_local="2027-01-04T09:00:00",
                    skip_closed_days=False,
                )
            )
        first = await _four_weeks(start)
        assert len(first) == 8 and len(calls) == 2
        # kept up to the horizon (98 days ahead, to the next midnight: 2027-04-13) and
        # 14–27 days beyond it, depending on the pair
        assert len(await _planned_rows(before=datetime(2027, 4, 13, tzinfo=UTC))) == 15 + 14
        assert 17 + 16 <= len(await _planned_rows()) <= 19 + 18
    with clock.pinned(start + timedelta(hours=1)):  # the next hour: nothing recomputed
        assert await _four_weeks(start) == first
        assert len(calls) == 2
        await actions.update_schedule(
            actor=await builders.system(),
            schedule_id=made[1].id,
            data=ScheduleUpdate(version=made[1].version, name="Renamed"),
        )
        changed = await _four_weeks(start)
        assert sorted({i.title for i in changed}) == ["Descale", "Renamed"]
        assert calls[2:] == [(made[1].id, made[1].asset_id)]


async def test_a_fresh_process_reads_rows_without_expanding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a restarted server does: the rows are current (the key matches), so its first
    request computes nothing."""
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
        )
        first = await _four_weeks(start)
        agenda.clear_cache()  # nothing per process
        calls = _counting(monkeypatch)
    with clock.pinned(start + timedelta(hours=5)):
        assert await _four_weeks(start) == first and calls == []


async def test_a_new_reading_recomputes_a_time_or_meter_schedule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A usage schedule's occurrences follow its asset's meter: a reading changes what was
    computed from, so that schedule is computed again."""
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        made = await helpers.schedule(
            asset_id=asset.id,
            mode="time_or_meter",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            meter_every=100,
            skip_closed_days=False,
        )
        first = await _four_weeks(start)
        assert [i.title for i in first] == ["Descale"] * 4
        calls = _counting(monkeypatch)
        await sustainability_actions.record_asset_reading(
            actor=await builders.system(),
            asset_id=asset.id,
            data=AssetReadingCreate(value=10, read_at=start),
        )
        assert await _four_weeks(start) == first
        assert calls == [(made.id, asset.id)]


async def test_a_closure_day_moves_a_planned_occurrence() -> None:
    """Sites' closure days are an input (no hook from sites writes maintenance's rows): a
    new one moves the occurrence of a schedule that skips closed days on the next read."""
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=True,
        )
        before = await _four_weeks(start)
        assert before[1].start.date() == date(2027, 1, 11)
        await site_actions.add_closure(
            actor=await builders.system(),
            site_id=world.site.id,
            data=ClosureCreate(day=date(2027, 1, 11), reason="Inventory"),
        )
        after = await _four_weeks(start)
        assert after[1].start.date() == date(2027, 1, 12)


async def test_a_stale_format_computes_every_pair_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        for _n in range(2):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=WEEKLY;BYDAY=MO",
                dtstart_local="2027-01-04T09:00:00",
                skip_closed_days=False,
            )
        first = await _four_weeks(start)
        calls = _counting(monkeypatch)
        monkeypatch.setattr(planned, "FORMAT", "test")
        assert await _four_weeks(start) == first and len(calls) == 2


async def test_two_refreshes_at_once_leave_one_set_of_rows() -> None:
    """Two processes refreshing at once (the in-process lock bypassed): the second finds
    the rows current under the write lock, or replaces them; never duplicates."""
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        for _n in range(3):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=DAILY",
                dtstart_local="2027-01-04T09:00:00",
                skip_closed_days=False,
            )
        key = await planned.current_key(start)
        end = start + timedelta(days=28)
        await asyncio.gather(planned._refresh(key, start, end), planned._refresh(key, start, end))
        rows = await _planned_rows()
        assert len(rows) == len(set(rows))
        # the pairs run out on different days (the horizon moving on recomputes a few a day)
        pairs = await db.raw("SELECT until FROM pm_planned_pair")
        assert len({str(r["until"]) for r in pairs}) == 3
        assert len(await _planned_rows(before=datetime(2027, 4, 13, tzinfo=UTC))) == 3 * 99
        state = await db.raw("SELECT stamp FROM pm_planned_state")
        assert [r["stamp"] for r in state] == [key]
        assert len(await _four_weeks(start)) == 3 * 28


async def test_a_window_past_the_horizon_extends_it(monkeypatch: pytest.MonkeyPatch) -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
        )
        await _four_weeks(start)
        later = start + timedelta(days=300)
        far = await agenda.items(start=later, end=later + timedelta(days=28), scope=EVERYTHING)
        assert len(far) == 4
        assert [i.start.weekday() for i in far] == [0] * 4


async def test_the_generation_job_leaves_generated_occurrences_out() -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        made = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
            lead_days=10,
        )
        await planned.refresh()
        assert (made.id, asset.id, "2027-01-04T09:00:00") in await _planned_rows()
        await jobs.generate_pm()
        rows = await _planned_rows()
        assert (made.id, asset.id, "2027-01-04T09:00:00") not in rows
        assert (made.id, asset.id, "2027-01-11T09:00:00") not in rows
        assert (made.id, asset.id, "2027-01-18T09:00:00") in rows
        state = await db.raw("SELECT stamp FROM pm_planned_state")
        assert state[0]["stamp"] == await planned.current_key(start)


async def test_counts_and_first_items_agree_with_the_full_list() -> None:
    world = await assets_builders.world()
    partner = await builders.partner_org("Counted GmbH")
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        for n in range(6):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=DAILY",
                dtstart_local=f"2027-01-04T{8 + n:02d}:00:00",
                skip_closed_days=False,
                partner_organisation_id=partner.id if n % 2 else None,
            )
        end = start + timedelta(days=10)
        for scope in (EVERYTHING, AgendaScope(None, partner.id)):
            every = await agenda.items(start=start, end=end, scope=scope)
            counts = await agenda.day_counts(start=start, end=end, scope=scope)
            by_day: dict[date, int] = {}
            for item in every:
                day = item.start.astimezone(agenda._zone(item.time_zone)).date()
                by_day[day] = by_day.get(day, 0) + 1
            assert {d: n for (d, _kind, _site), n in counts.items()} == by_day
            first, total = await agenda.first_items(start=start, end=end, scope=scope, limit=7)
            assert total == len(every) and first == every[:7]


async def test_first_items_take_ties_at_the_boundary_in_uid_order() -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    with clock.pinned(start):
        for _n in range(5):  # the same time each day: every start is a tie of five
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=DAILY",
                dtstart_local="2027-01-04T09:00:00",
                skip_closed_days=False,
            )
        end = start + timedelta(days=3)
        every = await agenda.items(start=start, end=end, scope=EVERYTHING)
        assert len(every) == 15
        for limit in (1, 4, 5, 7, 15, 20):
            first, total = await agenda.first_items(
                start=start, end=end, scope=EVERYTHING, limit=limit
            )
            assert total == 15 and first == every[:limit]


async def test_requests_at_once_share_one_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return upcoming(*args, **kwargs)

    monkeypatch.setattr(planned, "upcoming", counted)
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
        )
        agenda.clear_cache()
        answers = await asyncio.gather(*(_four_weeks(start) for _ in range(3)))
    assert len(calls) == 1 and answers[0] == answers[1] == answers[2] and len(answers[0]) == 4


async def test_the_refresh_job_expands_before_a_request_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await assets_builders.world()
    start = datetime(2027, 1, 4, 7, tzinfo=UTC)
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return upcoming(*args, **kwargs)

    monkeypatch.setattr(planned, "upcoming", counted)
    assert "maintenance.refresh_agenda" in {job.id for job in ALL_JOBS}
    with clock.pinned(start):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
            skip_closed_days=False,
        )
        await agenda.refresh()
        assert len(calls) == 1
        assert len(await _four_weeks(start)) == 4 and len(calls) == 1  # nothing expanded


def test_the_scheduler_run_alone_keeps_the_agenda_too() -> None:
    """The planned occurrences are shared rows: every scheduler keeps them current."""
    alone = {job.id for job in build_scheduler(serving=False).get_jobs()}
    assert "maintenance.refresh_agenda" in alone
