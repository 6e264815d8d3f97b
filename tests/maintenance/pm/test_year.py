"""A schedule created through the page form produces exactly the expected work orders over a
simulated year (DST change and public-holiday shifts included), and never twice."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.pm.generation import generate_due
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc

# Monthly on the 1st at 08:00 Europe/Berlin. 2027: 1 January (Friday, New Year) moves to
# the 2nd, 1 May (Saturday, Labour Day) to the 2nd; CEST from 28 March to 31 October.
EXPECTED_2027 = [
    utc(2027, 1, 2, 7),
    utc(2027, 2, 1, 7),
    utc(2027, 3, 1, 7),
    utc(2027, 4, 1, 6),
    utc(2027, 5, 2, 6),
    utc(2027, 6, 1, 6),
    utc(2027, 7, 1, 6),
    utc(2027, 8, 1, 6),
    utc(2027, 9, 1, 6),
    utc(2027, 10, 1, 6),
    utc(2027, 11, 1, 7),
    utc(2027, 12, 1, 7),
]


async def _form_schedule(make_client, **extra: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    region = await builders.region()
    site = await builders.site(region.id, time_zone="Europe/Berlin", holiday_country="DE")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    asset = await assets_builders.asset(site.id, name="Coffee machine")
    client = await builders.browser_session(make_client, ops)
    form = {
        "name": "Descale coffee machine",
        "target": "asset",
        "asset_id": str(asset.id),
        "mode": "fixed",
        "dtstart_local": "2027-01-01T08:00",
        "frequency": "monthly",
        "interval": "1",
        "month_day": "1",
        "skip_closed_days": "on",
        "priority": "p2",
        "catch_up": "all",
        "lead_days": "0",
        "grace_days": "2",
        "estimated_minutes": "45",
        **extra,
    }
    shown = await builders.post_form(
        client, "/schedules/new", {**form, "action": "preview"}, form_page="/schedules/new"
    )
    assert shown.status_code == 200, shown.text
    # The rule built on the server is said in words, not shown as code.
    assert "every month on the 1st" in shown.text and "FREQ=" not in shown.text
    # The preview is in the site's time zone, with the holiday shift.
    preview = re.findall(r"<li>(\w+, \d+ \w+ \d{4}, \d\d:\d\d)</li>", shown.text)
    assert preview[:5] == [
        "Saturday, 2 January 2027, 08:00",
        "Monday, 1 February 2027, 08:00",
        "Monday, 1 March 2027, 08:00",
        "Thursday, 1 April 2027, 08:00",
        "Sunday, 2 May 2027, 08:00",
    ]
    saved = await builders.post_form(
        client, "/schedules/new", {**form, "action": "save"}, form_page="/schedules/new"
    )
    assert saved.status_code in (302, 303), saved.text
    schedule_id = int(saved.headers["location"].rsplit("/", 1)[1])
    return schedule_id, asset.id


async def test_form_schedule_over_a_simulated_year(make_client) -> None:  # type: ignore[no-untyped-def]
    with clock.pinned(utc(2026, 12, 10)):
        schedule_id, asset_id = await _form_schedule(make_client)
    moment = utc(2027, 1, 15)
    for month in range(1, 13):
        with clock.pinned(moment):
            result = await generate_due(clock.now())
            assert result.created == 1, (month, result)
            again = await generate_due(clock.now())
            assert again.created == 0
        orders = await helpers.work_orders(schedule_id)
        assert [o["due_at"] for o in orders] == EXPECTED_2027[:month]
        moment = (moment + timedelta(days=31)).replace(day=15)
    orders = await helpers.work_orders(schedule_id)
    assert {o["asset"] for o in orders} == {asset_id}
    assert {(o["kind"], o["origin"], o["status"], o["priority"]) for o in orders} == {
        ("preventive", "schedule", "open", "p2")
    }
    assert [o["occurrence_key"] for o in orders][:2] == [
        "2027-01-01T08:00:00",
        "2027-02-01T08:00:00",
    ]
    assert await helpers.count("work_order_event") == 12
    assert await helpers.count("pm_occurrence") == 12


async def test_nothing_before_creation_time_and_concurrent_runs(make_client) -> None:  # type: ignore[no-untyped-def]
    with clock.pinned(utc(2026, 12, 10)):
        schedule_id, _asset = await _form_schedule(make_client)
        assert (await generate_due(clock.now())).created == 0
    now = utc(2027, 7, 15)
    results = await asyncio.gather(*(generate_due(now) for _ in range(4)))
    assert sum(r.created for r in results) == 7
    assert len(await helpers.work_orders(schedule_id)) == 7
    assert await helpers.count("work_order_event") == 7
