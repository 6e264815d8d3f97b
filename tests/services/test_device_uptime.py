"""Hardware uptime per device, site, partner and ISP from the monitored status history."""

from __future__ import annotations

from datetime import date

from facilities.kit import clock
from facilities.kit.kpi import Period, get
from tests import builders
from tests.monitoring_builders import T0, event, field_site, minutes, send


async def test_month_figures_show_the_exact_outages() -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        await send(f, event("ap-1", "heartbeat"), event("ap-2", "heartbeat"))
        clock.advance(minutes(60))
        await send(f, event("ap-1", "down"))  # ap-1 down 30 min
        clock.advance(minutes(20))
        await send(f, event("ap-2", "down"))  # both down for 10 min: an internet outage
        clock.advance(minutes(10))
        await send(f, event("ap-1", "up"), event("ap-2", "up"))
        clock.advance(minutes(30))
        values = await get("hardware_uptime").compute(
            await builders.system(), Period(date(2026, 11, 1), date(2026, 12, 1))
        )
        by = {v.subject: v for v in values}
        ap1 = by[f"device:{f.ap_ids[0]}"]
        assert ap1.denominator is not None and ap1.numerator is not None
        assert ap1.denominator - ap1.numerator == 30 * 60
        assert len(ap1.detail["outages"]) == 1
        site = by[f"site:{f.site.id}"]
        assert site.detail["internet_down_seconds"] == 10 * 60
        assert by[f"partner:{f.partner_org_id}"].denominator == ap1.denominator * 2
        isp = by[f"isp:{f.isp_org_id}"]
        assert isp.denominator is not None and isp.numerator is not None
        assert isp.denominator - isp.numerator == 10 * 60
