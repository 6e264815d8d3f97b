"""Work by itself: monitored devices open, extend and close their own work orders through
the one write path; restarts and concurrent receivers never open a second one."""

from __future__ import annotations

import asyncio
import re

import pytest

from facilities import db
from facilities.assets.uptime import compute
from facilities.kit import clock
from facilities.kit.i18n import using_locale
from facilities.kit.rows import aware
from facilities.maintenance.device_work import SYSTEM
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import Origin, WorkOrderCreate
from facilities.settings import get_settings
from facilities.wiring import install, uninstall
from tests import builders
from tests.monitoring_builders import T0, event, field_site, minutes, send


async def _orders() -> list[dict]:
    return [
        dict(r)
        for r in await db.raw(
            "SELECT id, status, partner_organisation, asset, trade, occurrence_key"
            " FROM work_order WHERE origin = 'monitoring' ORDER BY id"
        )
    ]


async def _lines(order_id: int) -> list[str]:
    rows = await db.raw(
        "SELECT action, note FROM work_order_event WHERE work_order = {} ORDER BY id", order_id
    )
    return [f"{r['action']}: {r['note']}" for r in rows]


async def _status(asset_id: int) -> str:
    return str((await db.raw("SELECT status FROM asset WHERE id = {}", asset_id))[0]["status"])


async def test_down_opens_one_order_for_the_partner_and_repeats_attach() -> None:
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "down"))
        assert await _status(f.ap_ids[0]) == "down"
        (order,) = await _orders()
        assert order["partner_organisation"] == f.partner_org_id
        assert order["status"] == "assigned" and order["trade"] == "it_network"
        assert order["asset"] == f.ap_ids[0]
        clock.advance(minutes(3))
        await send(f, event("ap-1", "down"))
        await send(f, event("ap-1", "down", event_id="again"))
        assert len(await _orders()) == 1
        lines = await _lines(order["id"])
        assert sum(line.startswith("device:") for line in lines) == 2


async def test_recovery_completes_and_verifies_and_uptime_shows_the_exact_outage(
    make_client,
) -> None:
    with clock.pinned(T0):
        f = await field_site(3, down_after=2, up_after=5)
        await send(f, event("ap-1", "heartbeat"))
        clock.advance(minutes(1))
        await send(f, event("ap-1", "down"))
        assert await _orders() == []  # N minutes not over yet
        clock.advance(minutes(2))
        await send(f, event("ap-1", "down"))  # still down after the hold
        (order,) = await _orders()
        clock.advance(minutes(10))
        await send(f, event("ap-1", "heartbeat"))  # back at T0 + 13 min
        clock.advance(minutes(5))
        await send(f, event("ap-1", "heartbeat"))  # held M minutes: recovery
        (order,) = await _orders()
        assert order["status"] == "verified"
        assert await _status(f.ap_ids[0]) == "operational"
        assert any("up again" in line for line in await _lines(order["id"]))
        # The history says in words who acted: the product, not "system" or an address.
        page = await (await builders.browser_session(make_client, f.ops)).get(
            f"/work-orders/{order['id']}"
        )
        assert (
            "Facilities (automatic)" in page.text and "Device monitoring (automatic)" in page.text
        )
        assert "· system ·" not in page.text and "monitoring@facilities.invalid" not in page.text
        history = [
            (aware(r["changed_at"]), str(r["to_status"]))
            for r in await db.raw(
                "SELECT changed_at, to_status FROM asset_status_change WHERE asset = {}",
                f.ap_ids[0],
            )
        ]
        result = compute(history, T0, T0 + minutes(60), clock.now())
        assert result.down_seconds == 12 * 60  # from T0+1 (down event) to T0+13 (first beat)


async def test_verify_mode_leaves_the_order_completed_for_a_person() -> None:
    with clock.pinned(T0):
        f = await field_site(3, on_recovery="verify")
        await send(f, event("ap-1", "down"))
        clock.advance(minutes(20))
        await send(f, event("ap-1", "up"))
        (order,) = await _orders()
        assert order["status"] == "completed"


async def test_many_devices_down_make_one_order_for_the_isp() -> None:
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "down"), event("ap-2", "down"), event("ap-3", "down"))
        orders = await _orders()
        assert [o["occurrence_key"] for o in orders] == [
            f"device:{f.ap_ids[0]}",
            f"uplink:{f.site.id}",
        ]
        assert orders[1]["partner_organisation"] == f.isp_org_id and orders[1]["asset"] is None
        assert sum("AP 3" in line for line in await _lines(orders[1]["id"])) == 1
        clock.advance(minutes(30))
        await send(f, event("ap-1", "up"), event("ap-2", "up"))
        assert (await _orders())[1]["status"] == "assigned"  # ap-3 still down
        await send(f, event("ap-3", "up"))
        assert [o["status"] for o in await _orders()] == ["verified", "verified"]


async def test_an_uplink_event_goes_to_the_isp_at_once() -> None:
    with clock.pinned(T0):
        f = await field_site(4)
        await send(f, event("ap-2", "down", uplink=True))
        (order,) = await _orders()
        assert order["occurrence_key"] == f"uplink:{f.site.id}"
        assert order["partner_organisation"] == f.isp_org_id


async def test_restart_while_down_opens_nothing_twice_and_recovery_closes() -> None:
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "down"))
        uninstall()  # the process stops; a new one starts
        install()
        clock.advance(minutes(5))
        await send(f, event("ap-1", "down"))
        from facilities.assets.monitoring.actions import check_devices

        await check_devices()
        assert len(await _orders()) == 1
        clock.advance(minutes(5))
        await send(f, event("ap-1", "up"))
        assert [o["status"] for o in await _orders()] == ["verified"]
        assert await _status(f.ap_ids[0]) == "operational"


async def test_two_receivers_of_the_same_event_make_one_order() -> None:
    with clock.pinned(T0):
        f = await field_site(3)
        results = await asyncio.gather(
            send(f, event("ap-1", "down", event_id="same")),
            send(f, event("ap-1", "down", event_id="same")),
        )
        assert sorted(r.events[0].outcome for r in results) == ["duplicate", "went_down"]
        assert len(await _orders()) == 1


async def test_the_unique_key_refuses_a_second_open_monitoring_order() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        await send(f, event("ap-1", "down"))
        order = NewWorkOrder(
            data=WorkOrderCreate(title="Second", site_id=f.site.id, asset_id=f.ap_ids[0]),
            origin=Origin.monitoring,
            occurrence_key=f"device:{f.ap_ids[0]}",
        )
        with pytest.raises(Exception, match=r"(?i)unique"):
            await create_work_orders(actor=SYSTEM, orders=[order])
        assert len(await _orders()) == 1


async def test_the_order_says_when_in_the_sites_time() -> None:
    """T0 is 08:00 UTC, 09:00 in the site's zone (Europe/Berlin); the text said "UTC"."""
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "down"))
        (order,) = await _orders()
        description = (
            await db.raw("SELECT description FROM work_order WHERE id = {}", order["id"])
        )[0]["description"]
        assert "09:00" in description and "UTC" not in description
        assert all("UTC" not in line for line in await _lines(order["id"]))


@pytest.mark.parametrize(
    ("installation", "caller", "title", "note"),
    [
        ("de", "en", "Gerät ausgefallen: ", "Geräteüberwachung: kein Lebenszeichen seit "),
        ("en", "de", "Device down: ", "Device monitoring: no sign of life since "),
    ],
)
async def test_the_order_and_the_status_note_are_in_the_installations_language(
    monkeypatch, installation: str, caller: str, title: str, note: str
) -> None:
    """Stored words follow FACILITIES_DEFAULT_LOCALE, never the language of whatever
    request or job set them off (kit.i18n.in_installation_language)."""
    monkeypatch.setattr(get_settings(), "default_locale", installation)
    with clock.pinned(T0), using_locale(caller):
        f = await field_site(3)
        await send(f, event("ap-1", "down"))
    (order,) = await _orders()
    row = (await db.raw("SELECT title, description FROM work_order WHERE id = {}", order["id"]))[0]
    assert row["title"].startswith(title), row["title"]
    assert ("ausgefallen seit" if installation == "de" else "down since") in row["description"]
    [status] = await db.raw(
        "SELECT note FROM asset_status_change WHERE asset = {} AND to_status = 'down'",
        f.ap_ids[0],
    )
    assert status["note"].startswith(note), status["note"]
    assert not re.search(r"\d{4}-\d\d-\d\dT", status["note"])  # site time in words, not ISO
