"""Device monitoring over HTTP: the public event endpoint's answers, the API and the pages
(English and German), the secret shown once."""

from __future__ import annotations

import json
from typing import Any

from facilities import db
from facilities.accounts.enums import Locale, Role
from facilities.kit import clock
from tests import builders
from tests.monitoring_builders import T0, batch, event, field_site


async def test_event_endpoint_answers_401_422_and_200(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        client = make_client()
        url = f"/api/v1/device-events/{f.source_id}"
        body = batch(event("ap-1", "down", event_id="h1"))
        wrong = await client.post(url, content=body, headers={"authorization": "Bearer dsk_x"})
        assert wrong.status_code == 401
        assert (await db.raw("SELECT count(*) AS n FROM device_event"))[0]["n"] == 0
        bad = await client.post(
            url,
            content=json.dumps({"sent_at": T0.isoformat(), "events": [{"device": "ap-1"}]}),
            headers={"authorization": f"Bearer {f.secret}"},
        )
        assert bad.status_code == 422
        assert bad.json()["fields"][0]["field"] == "events[0].type"
        good = await client.post(url, content=body, headers={"authorization": f"Bearer {f.secret}"})
        assert good.status_code == 200, good.text
        assert good.json()["events"] == [{"device": "ap-1", "outcome": "went_down"}]


async def test_board_device_and_sources_pages_in_german(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", Locale.de.value, f.ops.id)
        client = await builders.browser_session(make_client, f.ops)
        board = await client.get(f"/monitoring?site_id={f.site.id}")
        assert board.status_code == 200 and "Gerätestatus" in board.text and "AP 2" in board.text
        device = await client.get(f"/monitoring/devices/{f.ap_ids[0]}")
        assert device.status_code == 200 and "Einstellungen der Überwachung" in device.text
        saved = await builders.post_form(
            client,
            f"/monitoring/devices/{f.ap_ids[0]}",
            {"external_id": "ap-1", "source_id": str(f.source_id), "threshold_seconds": "abc"},
            form_page=f"/monitoring/devices/{f.ap_ids[0]}",
        )
        assert saved.status_code == 422 and "ganze Zahl" in saved.text
        rotated = await builders.post_form(
            client, f"/monitoring/sources/{f.source_id}/rotate", {}, form_page="/monitoring/sources"
        )
        assert rotated.status_code == 200 and "nur einmal angezeigt" in rotated.text
        again = await client.get("/monitoring/sources")
        assert "dsk_" not in again.text  # shown once, never again


async def test_viewer_sees_the_board_but_not_the_sources(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        viewer = await builders.user(Role.viewer)
        client = await builders.api(make_client, viewer)
        assert (await client.get(f"/api/v1/sites/{f.site.id}/devices")).status_code == 404
        admin = await builders.api(make_client, await builders.user(Role.admin))
        devices = (await admin.get(f"/api/v1/sites/{f.site.id}/devices")).json()
        assert [d["external_id"] for d in devices] == ["ap-1"]
        assert (await client.get("/api/v1/device-sources")).status_code == 403


async def test_the_board_opens_on_a_site_with_monitored_devices(make_client: Any) -> None:
    """Without a chosen site the board showed the alphabetically first site, often one
    without any device ("no monitored devices"); it opens where devices are watched."""
    with clock.pinned(T0):
        f = await field_site(2)
        region_id = (await db.raw("SELECT region FROM site WHERE id = {}", f.site.id))[0]
        await builders.site(int(region_id["region"]), name="Aaa empty site", code="AAA-0")
        client = await builders.browser_session(make_client, f.ops)
        board = await client.get("/monitoring")
        assert board.status_code == 200
        assert "AP 1" in board.text and "AP 2" in board.text


async def test_a_community_managers_board_opens_on_their_site_with_devices(
    make_client: Any,
) -> None:
    """A community manager with two sites, devices only at the second (by name): the board
    without a chosen site shows the second site's devices; a site outside the manager's
    scope, even one with devices, answers 404."""
    with clock.pinned(T0):
        f = await field_site(2)
        foreign = await field_site(1)
        region_id = (await db.raw("SELECT region FROM site WHERE id = {}", f.site.id))[0]
        empty = await builders.site(int(region_id["region"]), name="Aaa empty site", code="AAA-0")
        await db.raw("UPDATE site SET name = {} WHERE id = {}", "Aab foreign", foreign.site.id)
        cm = await builders.user(Role.community_manager, locale="de")
        await builders.assign(cm, sites=[empty.id, f.site.id])
        client = await builders.browser_session(make_client, cm)
        board = await client.get("/monitoring")
        assert board.status_code == 200
        assert f"<h1>Gerätestatus: {f.site.name}</h1>" in board.text
        assert "AP 1" in board.text and "AP 2" in board.text
        assert f'value="{foreign.site.id}"' not in board.text  # not offered
        chosen = await client.get(f"/monitoring?site_id={empty.id}")
        assert chosen.status_code == 200 and "AP 1" not in chosen.text
        assert (await client.get(f"/monitoring?site_id={foreign.site.id}")).status_code == 404
