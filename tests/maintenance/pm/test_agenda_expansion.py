"""The agenda's kept expansion: a new hour or a change recomputes only the schedules whose
inputs changed; counts per day and the first items of a feed agree with the full list."""

from __future__ import annotations

import asyncio
from array import array
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from facilities.kit import clock
from facilities.maintenance.pm import actions, agenda
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import upcoming
from facilities.maintenance.pm.schemas import ScheduleUpdate
from facilities.scheduler import ALL_JOBS, build_scheduler
from facilities.sustainability import actions as sustainability_actions
from facilities.sustainability.schemas import AssetReadingCreate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers

EVERYTHING = AgendaScope(None)


def _kept() -> dict[tuple[int, int], object]:
    return dict(agenda._kept)


async def _four_weeks(start: datetime) -> list[agenda.Item]:
    return await agenda.items(start=start, end=start + timedelta(days=28), scope=EVERYTHING)


async def test_only_a_changed_schedule_is_expanded_again() -> None:
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
        assert len(first) == 8
        kept = _kept()
    with clock.pinned(start + timedelta(hours=1)):  # the next hour: nothing recomputed
        assert await _four_weeks(start) == first
        assert all(agenda._kept[key] is value for key, value in kept.items())
        await actions.update_schedule(
            actor=await builders.system(),
            schedule_id=made[1].id,
            data=ScheduleUpdate(version=made[1].version, name="Renamed"),
        )
        changed = await _four_weeks(start)
        assert sorted({i.title for i in changed}) == ["Descale", "Renamed"]
        mondays = [key for key in kept if key[0] == made[0].id]
        assert all(agenda._kept[key] is kept[key] for key in mondays)
        assert all(agenda._kept[key] is not kept[key] for key in kept if key not in mondays)


async def test_a_new_reading_recomputes_a_time_or_meter_schedule() -> None:
    """A usage schedule's occurrences follow its asset's meter: a reading changes what was
    computed from, so the kept expansion of that schedule is computed again."""
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
        kept = _kept()
        await sustainability_actions.record_asset_reading(
            actor=await builders.system(),
            asset_id=asset.id,
            data=AssetReadingCreate(value=10, read_at=start),
        )
        assert await _four_weeks(start) == first
        assert all(agenda._kept[key] is not kept[key] for key in kept if key[0] == made.id)


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

    monkeypatch.setattr(agenda, "upcoming", counted)
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

    monkeypatch.setattr(agenda, "upcoming", counted)
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


def test_the_scheduler_run_alone_does_not_keep_the_agenda() -> None:
    alone = {job.id for job in build_scheduler(serving=False).get_jobs()}
    serving = {job.id for job in build_scheduler().get_jobs()}
    assert serving - alone == {"maintenance.refresh_agenda"}


@pytest.mark.parametrize(
    "keys",
    [
        ["2027-01-04T09:00:00", "2027-03-28T02:30:00", "1969-12-31T23:59:59"],
        ["meter:3"],
        ["2027-01-04T09:00:00", "meter:4"],
        ["2027-01-04 09:00:00"],  # not the keys' own form: kept as text
    ],
)
def test_kept_occurrences_read_back_as_the_items_they_were(keys: list[str]) -> None:
    starts = [
        datetime(2027, 1, 4, 8, 0, 0, 123456, tzinfo=UTC) + timedelta(days=n)
        for n in range(len(keys))
    ]
    kept = agenda._Expanded(
        signature=b"",
        until=starts[-1],
        partner=7,
        schedule_id=3,
        title="Descale",
        minutes=45,
        site_id=2,
        site_name="Mannheim",
        time_zone="Europe/Berlin",
        space_id=None,
        asset_id=5,
        starts=array("q", [agenda._micros(s) for s in starts]),
        keys=agenda._packed_keys(keys),
    )
    assert [kept.item(n) for n in range(len(keys))] == [
        agenda.Item(
            uid=f"pm-3-5-{key}",
            title="Descale",
            start=start,
            minutes=45,
            site_id=2,
            site_name="Mannheim",
            time_zone="Europe/Berlin",
            space_id=None,
            asset_id=5,
            work_order_id=None,
            status="planned",
            partner_id=7,
        )
        for key, start in zip(keys, starts, strict=True)
    ]
