"""The calendar month stays small at the benchmark's density (issue 16: < 200 KB).

The scale benchmark's network has 80 PM schedules per site (20,000 at 250 sites); here one
site has 80 daily schedules, each on its own asset: 2,480 computed visits in the month. Dense
days are summarised, so the page's size does not follow the number of schedules."""

from __future__ import annotations

import pytest

from facilities.kit import clock
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc

BUDGET = 200 * 1024
SCHEDULES = 80


@pytest.mark.slow
async def test_a_dense_month_fits_the_page_budget(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    with clock.pinned(utc(2027, 2, 20)):
        for n in range(SCHEDULES):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                name=f"Daily round {n}",
                asset_id=asset.id,
                rrule="FREQ=DAILY",
                dtstart_local="2027-03-01T07:00:00",
                skip_closed_days=False,
            )
        client = await builders.browser_session(make_client, world.ops)
        month = await client.get("/calendar?month=2027-03")
        week = await client.get("/calendar?view=week&day=2027-03-17")
    print(f"month {len(month.content):,} B, week {len(week.content):,} B")
    assert month.status_code == 200 and week.status_code == 200
    assert len(month.content) < BUDGET, len(month.content)
    assert len(week.content) < BUDGET, len(week.content)
    assert "Daily round 7" not in month.text  # 80 a day: summarised, not listed
