"""The home page's "Devices down" panel: how many monitored devices are down, the longest
down first with site, down since (site time) and the open work order; scoped to the reader
(an ops manager's regions, a community manager's sites, a partner's own work)."""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.accounts.enums import Locale, Role
from facilities.kit import clock
from facilities.reporting import home
from tests import builders
from tests.monitoring_builders import T0, event, field_site, minutes, send


async def test_devices_down_panel_per_role(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        await send(f, event("ap-1", "heartbeat"), event("ap-2", "heartbeat"))
        clock.advance(minutes(60))
        await send(f, event("ap-2", "down"))  # 09:00 UTC, 10:00 in the site's zone
        clock.advance(minutes(15))
        await send(f, event("ap-1", "down"))
        clock.advance(minutes(30))
        order = (
            await db.raw(
                "SELECT id FROM work_order WHERE origin = 'monitoring' AND occurrence_key = {}",
                f"device:{f.ap_ids[1]}",
            )
        )[0]["id"]

        ops = builders.principal(f.ops)
        panel = (await home.home(ops)).devices_down
        assert panel is not None and panel.total == 2
        assert [d.name for d in panel.items] == ["AP 2", "AP 1"]  # longest down first
        assert panel.items[0].work_order_id == order and panel.items[0].down_minutes == 45

        here = await builders.user(Role.community_manager)
        await builders.assign(here, sites=[f.site.id])
        elsewhere = await builders.user(Role.community_manager)
        await builders.assign(elsewhere, sites=[f.other_site.id])
        mine = (await home.home(builders.principal(here))).devices_down
        assert mine is not None and mine.total == 2
        theirs = (await home.home(builders.principal(elsewhere))).devices_down
        assert theirs is not None and theirs.total == 0

        wifi = await builders.user(Role.partner, partner_id=f.partner_org_id)
        isp = await builders.user(Role.partner, partner_id=f.isp_org_id)
        # the second device down made it an internet outage: one order for the site's ISP
        uplink = (
            await db.raw(
                "SELECT id FROM work_order WHERE origin = 'monitoring' AND occurrence_key = {}",
                f"uplink:{f.site.id}",
            )
        )[0]["id"]
        assert panel.items[1].work_order_id == uplink
        own = (await home.home(builders.principal(wifi))).devices_down
        assert own is not None and [(d.name, d.work_order_id) for d in own.items] == [
            ("AP 2", order)
        ]
        provider = (await home.home(builders.principal(isp))).devices_down
        assert provider is not None and provider.total == 2
        assert {d.work_order_id for d in provider.items} == {uplink}  # never the other's order
        stranger = await builders.user(Role.partner, partner_id=(await builders.partner_org()).id)
        nothing = (await home.home(builders.principal(stranger))).devices_down
        assert nothing is not None and nothing.total == 0

        client = await builders.browser_session(make_client, f.ops)
        page = (await client.get("/")).text
        assert "Devices down" in page and f"/monitoring/devices/{f.ap_ids[1]}" in page
        assert "down since 02/11/2026, 10:00" in page and "45m so far" in page
        assert f'href="/work-orders/{order}"' in page

        await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", Locale.de.value, elsewhere.id)
        german = await builders.browser_session(make_client, elsewhere)
        text = (await german.get("/")).text
        assert "Ausgefallene Geräte" in text and "Alle überwachten Geräte laufen." in text
        await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", Locale.de.value, here.id)
        german_here = await builders.browser_session(make_client, here)
        text = (await german_here.get("/")).text
        assert "bisher 45 Min." in text and "45m" not in text  # German units, not "bisher 45m"
        partner = await builders.browser_session(make_client, wifi)
        text = (await partner.get("/")).text
        assert f'href="/work-orders/{order}"' in text and "/monitoring/devices/" not in text
