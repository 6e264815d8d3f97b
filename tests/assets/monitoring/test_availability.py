"""A device's availability counts only while it is monitored, reads with two decimals in
the reader's language, and an outage still going on is shown as ongoing (never as ending
"now") on the pages, in the API and in the KPI's detail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Locale
from facilities.assets import actions as asset_actions
from facilities.assets.monitoring import actions, availability
from facilities.assets.monitoring.schemas import MonitorSettings
from facilities.assets.schemas import AssetCreate
from facilities.kit import clock
from facilities.kit.kpi import Period, get
from tests import builders
from tests.monitoring_builders import T0, Field, event, field_site, minutes, send

NOVEMBER = date(2026, 11, 1)


async def _monitor(f: Field, asset_id: int, enabled: bool = True) -> None:
    await actions.set_monitor(
        actor=await builders.system(),
        asset_id=asset_id,
        data=msgspec.convert(
            {
                "external_id": "ap-late",
                "source_id": f.source_id,
                "down_after_minutes": 0,
                "up_after_minutes": 0,
                "enabled": enabled,
            },
            MonitorSettings,
        ),
    )


async def test_a_device_counts_only_while_it_is_monitored(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        asset = await asset_actions.create_asset(
            actor=await builders.system(),
            data=msgspec.convert({"site_id": f.site.id, "name": "AP late"}, AssetCreate),
        )
        clock.advance(timedelta(days=10))  # in service, not monitored, for ten days
        await _monitor(f, asset.id)
        await send(f, event("ap-late", "heartbeat"))
        clock.advance(minutes(60))
        await send(f, event("ap-late", "down"))
        clock.advance(minutes(30))
        await send(f, event("ap-late", "up"))
        clock.advance(minutes(30))
        device = await availability.device_month(await builders.system(), asset.id, NOVEMBER)
        assert device is not None
        # two hours monitored, half an hour down (not 10 days and 2 hours)
        assert device.uptime.counted_seconds == 2 * 3600
        assert device.uptime.down_seconds == 30 * 60
        assert device.uptime.percent == 75.0
        client = await builders.browser_session(make_client, f.ops)
        board = await client.get(f"/monitoring?site_id={f.site.id}")
        assert "This month: 75.00 %" in board.text.replace("<br>", "")
        assert "75.00 %</strong>" in board.text  # the site's figure, two decimals
        # disabled: no longer counted
        await _monitor(f, asset.id, enabled=False)
        clock.advance(timedelta(hours=5))
        device = await availability.device_month(await builders.system(), asset.id, NOVEMBER)
        assert device is not None and device.uptime.counted_seconds == 2 * 3600
        # and counted again once enabled again
        await _monitor(f, asset.id)
        clock.advance(minutes(60))
        device = await availability.device_month(await builders.system(), asset.id, NOVEMBER)
        assert device is not None and device.uptime.counted_seconds == 3 * 3600
        await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", Locale.de.value, f.ops.id)
        german = await builders.browser_session(make_client, f.ops)
        page = await german.get(f"/monitoring/devices/{asset.id}")
        assert "83,33 %" in page.text  # 2.5 h up of 3 h, two decimals, a comma


def test_availability_is_counted_inside_the_monitored_spans_only() -> None:
    start = T0 - timedelta(days=1)
    history = [(start, "down")]  # down (unplugged) long before monitoring began
    since = T0 + timedelta(hours=1)
    now = T0 + timedelta(hours=3)
    uptime, outages = availability.measure(
        history, [(since, None)], start, start + timedelta(days=30), now
    )
    assert uptime.counted_seconds == uptime.down_seconds == 2 * 3600
    assert outages == [(since, now)]
    assert availability.listed(outages, now)[0].ongoing
    uptime, outages = availability.measure(history, [], start, start + timedelta(days=30), now)
    assert uptime.counted_seconds == 0 and outages == []


async def test_an_ongoing_outage_is_shown_as_ongoing(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        await send(f, event("ap-1", "heartbeat"))
        clock.advance(minutes(60))
        await send(f, event("ap-1", "down"))  # 09:00 UTC = 10:00 in Berlin
        clock.advance(minutes(125))
        ops = await builders.api(make_client, f.ops)
        outages = (await ops.get(f"/api/v1/assets/{f.ap_ids[0]}/outages")).json()
        assert outages == [
            {
                "started_at": "2026-11-02T09:00:00Z",
                "ended_at": None,
                "ongoing": True,
                "seconds": 125 * 60,
            }
        ]
        bad = await ops.get(f"/api/v1/assets/{f.ap_ids[0]}/outages?month=November")
        assert bad.status_code == 422 and "month: Not a valid date" in bad.text, bad.text
        values = await get("hardware_uptime").compute(
            await builders.system(), Period(NOVEMBER, date(2026, 12, 1))
        )
        by = {v.subject: v for v in values}
        detail = by[f"device:{f.ap_ids[0]}"].detail["outages"][0]
        assert detail["end"] is None and detail["ongoing"] is True
        internet = by[f"site:{f.site.id}"].detail["internet_outages"][0]
        assert internet["end"] is None
        client = await builders.browser_session(make_client, f.ops)
        page = await client.get(f"/monitoring/devices/{f.ap_ids[0]}")
        assert "since 02/11/2026, 10:00, ongoing" in page.text
        assert "2h 5m so far" in page.text
        board = await client.get(f"/monitoring?site_id={f.site.id}")
        assert "since 02/11/2026, 10:00, ongoing" in board.text
        await send(f, event("ap-1", "up"))
        clock.advance(minutes(10))
        outages = (await ops.get(f"/api/v1/assets/{f.ap_ids[0]}/outages")).json()
        assert outages[0]["ended_at"] == "2026-11-02T11:05:00Z" and not outages[0]["ongoing"]
        page = await client.get(f"/monitoring/devices/{f.ap_ids[0]}")
        assert "ongoing" not in page.text and "02/11/2026, 10:00 – 12:05 · 2h 5m" in page.text
        await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", Locale.de.value, f.ops.id)
        german = await builders.browser_session(make_client, f.ops)
        page = await german.get(f"/monitoring/devices/{f.ap_ids[0]}")
        assert "02.11.26, 10:00 – 12:05 · 2 Std. 5 Min." in page.text  # not "2h 5m"
        assert "<dt>Zustand</dt>" in page.text  # "Stand" is a date's "as of"
        # the event log said "Ausgefallen · Ausgefallen" (the event's kind, then its outcome)
        assert "Ausgefallen · Ausgefallen" not in page.text
        assert "Als ausgefallen gewertet" in page.text
