"""Generation rules: processes racing, catch-up, lead time, seasons, floating, meters,
category programmes, edits, checklist versions."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import actions, generation
from facilities.maintenance.pm.generation import generate_due
from facilities.maintenance.pm.schemas import ScheduleUpdate
from facilities.maintenance.tables import ChecklistTemplate, ChecklistTemplateVersion
from facilities.scheduler import ALL_JOBS, build_scheduler
from facilities.settings import get_settings
from facilities.sustainability import actions as sustainability_actions
from facilities.sustainability.schemas import AssetReadingCreate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc

RUNNER = (
    "import asyncio, sys\n"
    "from datetime import datetime\n"
    "from facilities import db\n"
    "from facilities.maintenance.pm.generation import generate_due\n"
    "async def main():\n"
    "    await db.open_database()\n"
    "    try:\n"
    "        result = await generate_due(datetime.fromisoformat(sys.argv[1]))\n"
    "        print(result.created)\n"
    "    finally:\n"
    "        await db.close_database()\n"
    "asyncio.run(main())\n"
)


async def _berlin_site(**values: object):  # type: ignore[no-untyped-def]
    region = await builders.region()
    return await builders.site(region.id, time_zone="Europe/Berlin", holiday_country="DE", **values)


@pytest.mark.slow
async def test_two_processes_create_no_duplicates() -> None:
    site = await _berlin_site()
    category = await assets_builders.category()
    with clock.pinned(utc(2026, 12, 1)):
        for _ in range(40):
            await assets_builders.asset(site.id, category_id=category.id)
        schedule = await helpers.schedule(
            category_id=category.id,
            site_ids=[site.id],
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T09:00:00",
        )
    now = "2027-12-31T00:00:00+00:00"
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RUNNER,
            now,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-2000:] for o in outputs]
    created = [int(o[0].decode().split()[-1]) for o in outputs]
    orders = await helpers.work_orders(schedule.id)
    # 52 Mondays in 2027 from 4 January; Easter Monday and Whit Monday move to Tuesday.
    assert len(orders) == 40 * 52
    assert sum(created) == len(orders)
    keys = {(o["asset"], o["occurrence_key"]) for o in orders}
    assert len(keys) == len(orders)
    assert await helpers.count("work_order_event") == len(orders)
    assert (await generate_due(utc(2027, 12, 31))).created == 0


async def test_catch_up_after_downtime_creates_every_missed_one() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id, rrule="FREQ=WEEKLY;BYDAY=WE", dtstart_local="2027-01-06T10:00:00"
        )
    assert (await generate_due(utc(2027, 1, 7))).created == 1
    # The scheduler was down for four weeks.
    result = await generate_due(utc(2027, 2, 4))
    assert result.created == 4 and result.skipped == 0
    keys = [o["occurrence_key"] for o in await helpers.occurrences(schedule.id)]
    assert keys == [f"2027-{d}T10:00:00" for d in ("01-06", "01-13", "01-20", "01-27", "02-03")]


async def test_catch_up_latest_only_marks_the_others_skipped() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=WE",
            dtstart_local="2027-01-06T10:00:00",
            catch_up="latest_only",
        )
    assert (await generate_due(utc(2027, 1, 7))).created == 1
    result = await generate_due(utc(2027, 2, 4))
    assert (result.created, result.skipped) == (1, 3)
    rows = await helpers.occurrences(schedule.id)
    assert [
        (r["occurrence_key"][5:10], r["status"], r["work_order"] is not None) for r in rows
    ] == [
        ("01-06", "created", True),
        ("01-13", "skipped", False),
        ("01-20", "skipped", False),
        ("01-27", "skipped", False),
        ("02-03", "created", True),
    ]
    assert len(await helpers.work_orders(schedule.id)) == 2
    assert (await generate_due(utc(2027, 2, 4))).created == 0


async def test_lead_time_creates_the_order_days_before_due() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=15",
            dtstart_local="2027-01-15T08:00:00",
            lead_days=7,
        )
    assert (await generate_due(utc(2027, 1, 8, 6))).created == 0  # 7 days + 1 hour before
    assert (await generate_due(utc(2027, 1, 8, 7))).created == 1  # exactly 7 days before
    orders = await helpers.work_orders(schedule.id)
    assert orders[0]["due_at"] == utc(2027, 1, 15, 7)


async def test_seasons_end_date_and_count() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        season = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            active_months=[4, 5, 10],
        )
        until = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            end_date="2027-03-31",
        )
        counted = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            max_count=2,
        )
    await generate_due(utc(2027, 12, 31))
    months = [o["due_at"].month for o in await helpers.work_orders(season.id)]
    assert months == [4, 5, 10]
    assert [o["due_at"].month for o in await helpers.work_orders(until.id)] == [1, 2, 3]
    assert [o["due_at"].month for o in await helpers.work_orders(counted.id)] == [1, 2]


async def _complete(order_id: int, at: datetime) -> None:
    await db.raw(
        "UPDATE work_order SET status = 'completed', completed_at = {} WHERE id = {}", at, order_id
    )


async def test_floating_counts_from_the_last_completion() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2027, 1, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            mode="floating",
            floating_every=30,
            dtstart_local="2027-01-05T09:00:00",
            skip_closed_days=False,
        )
    assert (await generate_due(utc(2027, 1, 5, 9))).created == 1
    # Still open: nothing new however long it stays open.
    assert (await generate_due(utc(2027, 3, 1))).created == 0
    first = (await helpers.work_orders(schedule.id))[0]
    await _complete(first["id"], utc(2027, 3, 1, 12))
    # Completed 13:00 CET; 30 days later at the same wall time is 13:00 CEST = 11:00 UTC.
    assert (await generate_due(utc(2027, 3, 31, 10, 59))).created == 0
    assert (await generate_due(utc(2027, 3, 31, 11))).created == 1
    second = (await helpers.work_orders(schedule.id))[1]
    assert second["due_at"] == utc(2027, 3, 31, 11)
    assert (await generate_due(utc(2027, 5, 1))).created == 0


async def test_meter_based_with_a_replacement_reading(make_client) -> None:  # type: ignore[no-untyped-def]
    site = await _berlin_site()
    with clock.pinned(utc(2027, 1, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(asset_id=asset.id, mode="meter", meter_every=500)
    system = await builders.system()

    async def read(value: float, at: datetime, replacement: bool = False) -> None:
        with clock.pinned(at):
            await sustainability_actions.record_asset_reading(
                actor=system,
                asset_id=asset.id,
                data=AssetReadingCreate(value=value, read_at=at, replacement=replacement),
            )

    await read(1000, utc(2027, 1, 2))
    await read(1400, utc(2027, 1, 10))
    assert (await generate_due(utc(2027, 1, 10, 1))).created == 0
    await read(1600, utc(2027, 1, 20))  # 600 units since the start
    assert (await generate_due(utc(2027, 1, 20, 1))).created == 1
    # The meter is replaced: the new one starts at 0; usage carries on from 1600.
    await read(0, utc(2027, 2, 1), replacement=True)
    await read(300, utc(2027, 2, 10))
    assert (await generate_due(utc(2027, 2, 10, 1))).created == 0
    await read(550, utc(2027, 2, 20))  # 550 units since the last occurrence
    assert (await generate_due(utc(2027, 2, 20, 1))).created == 1
    keys = [o["occurrence_key"] for o in await helpers.occurrences(schedule.id)]
    assert keys == ["meter:1", "meter:2"]
    assert (await generate_due(utc(2027, 2, 20, 2))).created == 0


async def test_time_or_meter_whichever_first() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2027, 1, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            mode="time_or_meter",
            rrule="FREQ=MONTHLY;BYMONTHDAY=20",
            dtstart_local="2027-01-20T08:00:00",
            meter_every=100,
            skip_closed_days=False,
        )
    system = await builders.system()
    for value, day in ((0, 2), (150, 10)):
        with clock.pinned(utc(2027, 1, day)):
            await sustainability_actions.record_asset_reading(
                actor=system,
                asset_id=asset.id,
                data=AssetReadingCreate(value=value, read_at=utc(2027, 1, day)),
            )
    assert (await generate_due(utc(2027, 1, 10, 1))).created == 1  # the meter came first
    assert (await generate_due(utc(2027, 1, 20, 8))).created == 1  # then the calendar
    keys = [o["occurrence_key"] for o in await helpers.occurrences(schedule.id)]
    assert sorted(keys) == ["2027-01-20T08:00:00", "meter:1"]


async def test_category_programme_covers_later_assets_not_retired_ones() -> None:
    site = await _berlin_site()
    other = await _berlin_site()
    category = await assets_builders.category()
    with clock.pinned(utc(2026, 12, 1)):
        first = await assets_builders.asset(site.id, category_id=category.id)
        await assets_builders.asset(other.id, category_id=category.id)  # not a covered site
        retired = await assets_builders.asset(site.id, category_id=category.id, status="retired")
        schedule = await helpers.schedule(
            category_id=category.id,
            site_ids=[site.id],
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
        )
    await generate_due(utc(2027, 2, 15))
    with clock.pinned(utc(2027, 2, 20)):
        later = await assets_builders.asset(site.id, category_id=category.id)
    await generate_due(utc(2027, 4, 15))
    orders = await helpers.work_orders(schedule.id)
    by_asset: dict[int, list[int]] = {}
    for order in orders:
        by_asset.setdefault(order["asset"], []).append(order["due_at"].month)
    assert by_asset == {first.id: [1, 2, 3, 4], later.id: [3, 4]}
    assert retired.id not in by_asset


async def test_an_edit_affects_future_occurrences_only() -> None:
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
        )
    await generate_due(utc(2027, 2, 15))
    with clock.pinned(utc(2027, 2, 15)):
        updated = await actions.update_schedule(
            actor=await builders.system(),
            schedule_id=schedule.id,
            data=ScheduleUpdate(
                version=schedule.version, rrule="FREQ=MONTHLY;BYMONTHDAY=20", priority="p1"
            ),
        )
    assert updated.version == 2 and updated.effective_from == utc(2027, 2, 15)
    await generate_due(utc(2027, 4, 25))
    orders = await helpers.work_orders(schedule.id)
    assert [(o["due_at"].month, o["due_at"].day, o["priority"]) for o in orders] == [
        (1, 10, "p3"),  # created before the edit: unchanged
        (2, 10, "p3"),
        (2, 20, "p1"),
        (3, 20, "p1"),
        (4, 20, "p1"),
    ]


async def test_checklist_version_partner_and_duration_on_the_order() -> None:
    site = await _berlin_site()
    partner = await builders.partner_org()
    template = ChecklistTemplate(name="Descaling", created_at=clock.now())
    await template.save()
    for number in (1, 2):
        await ChecklistTemplateVersion(
            template=template.id, version=number, items=[], created_at=clock.now()
        ).save()
    latest = (
        await ChecklistTemplateVersion.select(ChecklistTemplateVersion.id)
        .where(ChecklistTemplateVersion.version == 2)
        .first()
    )
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            partner_organisation_id=partner.id,
            checklist_template_id=template.id,
            estimated_minutes=90,
        )
    await generate_due(utc(2027, 1, 15))
    (order,) = await helpers.work_orders(schedule.id)
    assert order["checklist_version"] == latest["id"]
    assert order["partner_organisation"] == partner.id
    assert order["status"] == "assigned"
    assert order["estimated_minutes"] == 90


def test_naive_utc_helper() -> None:
    assert utc(2027, 1, 1).tzinfo is UTC
    assert datetime(2027, 1, 1, tzinfo=UTC) - timedelta(days=1) == utc(2026, 12, 31)


def test_generation_job_is_registered_with_a_stable_id() -> None:
    (job,) = [j for j in ALL_JOBS if j.id == "maintenance.generate_pm"]
    assert job.run_at_start and job.trigger == "interval"
    assert "maintenance.prune_rate_limits" in {j.id for j in ALL_JOBS}
    scheduler = build_scheduler()
    assert scheduler.get_job("maintenance.generate_pm") is not None


async def test_a_crash_half_way_leaves_whole_batches_and_the_rerun_completes(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Fault injection: the driver fails on the second batch's work-order insert, after
    that batch's occurrences were inserted. The failed batch leaves nothing behind."""
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        assets = [await assets_builders.asset(site.id) for _ in range(3)]
        schedules = [
            await helpers.schedule(
                asset_id=a.id,
                rrule="FREQ=MONTHLY;BYMONTHDAY=3",
                dtstart_local="2027-01-03T08:00:00",
            )
            for a in assets
        ]
    monkeypatch.setattr(generation, "BATCH_SCHEDULES", 1)
    real = db.executemany
    calls = {"work_orders": 0}

    async def failing(sql: str, rows: list[tuple[object, ...]]) -> None:
        if sql.startswith("INSERT INTO work_order ("):
            calls["work_orders"] += 1
            if calls["work_orders"] == 2:
                raise RuntimeError("power cut")
        await real(sql, rows)

    monkeypatch.setattr(db, "executemany", failing)
    try:
        await generate_due(utc(2027, 3, 10))
    except RuntimeError as error:
        assert str(error) == "power cut"
    else:  # pragma: no cover - the fault must surface
        raise AssertionError("the injected failure was swallowed")
    assert len(await helpers.work_orders(schedules[0].id)) == 3
    assert await helpers.occurrences(schedules[1].id) == []  # rolled back with its batch
    assert await helpers.count("pm_occurrence") == 3
    monkeypatch.setattr(db, "executemany", real)
    result = await generate_due(utc(2027, 3, 10))
    assert result.created == 6
    for schedule in schedules:
        rows = await helpers.occurrences(schedule.id)
        assert [r["status"] for r in rows] == ["created"] * 3
        assert all(r["work_order"] is not None for r in rows)
    assert await helpers.count("work_order") == 9
    assert await helpers.count("work_order_event") == 9


@pytest.mark.parametrize(
    ("installation", "note"),
    [("en", "From the maintenance schedule"), ("de", "Aus dem Wartungsplan")],
)
async def test_the_orders_history_says_where_it_came_from_in_words(
    monkeypatch: pytest.MonkeyPatch, installation: str, note: str
) -> None:
    """The create line of a generated order is stored words in the installation's language
    (it said the code "schedule")."""
    monkeypatch.setattr(get_settings(), "default_locale", installation)
    site = await _berlin_site()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=15",
            dtstart_local="2027-01-15T08:00:00",
        )
    assert (await generate_due(utc(2027, 1, 15, 7))).created == 1
    [order] = await helpers.work_orders(schedule.id)
    [event] = await db.raw(
        "SELECT note FROM work_order_event WHERE work_order = {} AND action = 'create'",
        order["id"],
    )
    assert event["note"] == note
