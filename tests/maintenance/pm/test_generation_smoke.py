from __future__ import annotations

from facilities.kit import clock
from facilities.maintenance.pm.generation import generate_due
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def test_monthly_generation_smoke() -> None:
    region = await builders.region()
    site = await builders.site(region.id, time_zone="Europe/Berlin", holiday_country="DE")
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(site.id)
        sched = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=1",
            dtstart_local="2027-01-01T08:00:00",
        )
    result = await generate_due(utc(2027, 6, 15))
    assert result.created == 6, result
    wos = await helpers.work_orders(sched.id)
    print([w["due_at"] for w in wos])
    again = await generate_due(utc(2027, 6, 15))
    assert again.created == 0
