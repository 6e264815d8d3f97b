"""Asset register over the API: rules, optimistic concurrency, status, lock-out, filters,
scoping (404 outside the caller's sites) and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from facilities.accounts.tables import AuditEvent
from facilities.assets import queries
from facilities.kit import clock
from tests import assets_builders as ab
from tests import builders


async def test_create_and_read_an_asset_with_everything(make_client) -> None:
    w = await ab.world()
    cat = await ab.category("Coffee machine", icon="coffee")
    kitchen = await ab.space(w.site.id, "Kitchen")
    cabinet = await ab.asset(w.site.id, "Counter")
    client = await ab.api(make_client, w.cm)
    response = await client.post(
        "/api/v1/assets",
        json={
            "site_id": w.site.id,
            "space_id": kitchen.id,
            "category_id": cat.id,
            "parent_id": cabinet.id,
            "name": "Jura GIGA",
            "manufacturer": "Jura",
            "model": "GIGA X8",
            "serial_number": "JX8-1",
            "install_date": "2024-03-01",
            "warranty_end": "2027-02-28",
            "purchase_cost": 2499.5,
            "criticality": "high",
            "notes": "Descale monthly",
            "attributes": {"voltage": 230, "colour": "black"},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["space_path"] == "Kitchen"
    assert body["category_name"] == "Coffee machine" and body["category_icon"] == "coffee"
    assert body["parent_name"] == "Counter"
    assert body["purchase_cost"] == 2499.5
    assert body["attributes"] == {"voltage": 230, "colour": "black"}
    assert body["version"] == 1 and body["status"] == "operational"
    code = body["qr_code"]
    assert len(code) >= 13 and not set(code) & set("01OIlU")
    assert body["qr_url"] == f"http://testserver/q/{code}"
    again = await client.get(f"/api/v1/assets/{body['id']}")
    assert again.json() == body
    events = await AuditEvent.select().where(AuditEvent.action == "asset.create")
    assert [e["site_id"] for e in events] == [w.site.id, w.site.id]


async def test_rules_each_name_their_field(make_client) -> None:
    w = await ab.world()
    foreign_space = await ab.space(w.other_site.id)
    foreign_asset = await ab.asset(w.other_site.id)
    await ab.asset(w.site.id, serial_number="SN-1")
    client = await ab.api(make_client, w.admin)
    base = {"site_id": w.site.id, "name": "X"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"space_id": foreign_space.id}, 422, "space_id"),
        ({"parent_id": foreign_asset.id}, 422, "parent_id"),
        ({"category_id": 999999}, 422, "category_id"),
        ({"serial_number": "SN-1"}, 409, "serial_number"),
        ({"purchase_cost": -1}, 422, "purchase_cost"),
        ({"criticality": "urgent"}, 422, "criticality"),
        ({"attributes": {"a": [1]}}, 422, "attributes"),
        ({"name": ""}, 422, "name"),
        ({"install_date": "2025-01-01", "warranty_end": "2024-01-01"}, 422, "warranty_end"),
    ]
    for extra, status, field in cases:
        response = await client.post("/api/v1/assets", json={**base, **extra})
        assert response.status_code == status, (extra, response.text)
        assert field in {
            f["field"].split(".")[0].split("[")[0] for f in response.json()["fields"]
        }, (
            extra,
            response.text,
        )
    # a site the caller cannot see is an unknown site
    cm = await ab.api(make_client, w.cm)
    response = await cm.post("/api/v1/assets", json={**base, "site_id": w.other_site.id})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "site_id"


async def test_empty_serials_do_not_clash(make_client) -> None:
    w = await ab.world()
    client = await ab.api(make_client, w.admin)
    for _ in range(2):
        response = await client.post(
            "/api/v1/assets", json={"site_id": w.site.id, "name": "No serial"}
        )
        assert response.status_code == 201


async def test_parent_cycles_are_refused(make_client) -> None:
    w = await ab.world()
    a = await ab.asset(w.site.id, "A")
    b = await ab.asset(w.site.id, "B", parent_id=a.id)
    c = await ab.asset(w.site.id, "C", parent_id=b.id)
    client = await ab.api(make_client, w.admin)
    for parent in (a.id, c.id):
        response = await client.patch(
            f"/api/v1/assets/{a.id}", json={"version": 1, "parent_id": parent}
        )
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "parent_id"


async def test_stale_version_gets_409(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id, "Printer")
    client = await ab.api(make_client, w.cm)
    first = await client.patch(
        f"/api/v1/assets/{created.id}", json={"version": 1, "name": "Printer 2"}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await client.patch(f"/api/v1/assets/{created.id}", json={"version": 1, "name": "Old"})
    assert stale.status_code == 409
    assert stale.json()["fields"][0]["field"] == "version"
    assert (await queries.get_asset(created.id)).name == "Printer 2"
    duplicate = await ab.asset(w.site.id, serial_number="TAKEN")
    clash = await client.patch(
        f"/api/v1/assets/{created.id}",
        json={"version": 2, "serial_number": duplicate.serial_number},
    )
    assert clash.status_code == 409 and clash.json()["fields"][0]["field"] == "serial_number"


async def test_moving_to_another_site_clears_space_and_checks_scope(make_client) -> None:
    w = await ab.world()
    room = await ab.space(w.site.id)
    created = await ab.asset(w.site.id, space_id=room.id)
    client = await ab.api(make_client, w.admin)
    response = await client.patch(
        f"/api/v1/assets/{created.id}", json={"version": 1, "site_id": w.other_site.id}
    )
    assert response.status_code == 200, response.text
    assert response.json()["site_id"] == w.other_site.id and response.json()["space_id"] is None
    cm = await ab.api(make_client, w.cm)
    assert (await cm.get(f"/api/v1/assets/{created.id}")).status_code == 404


async def test_status_changes_are_recorded_and_give_uptime(make_client) -> None:
    w = await ab.world()
    start = datetime(2026, 5, 1, tzinfo=UTC)
    with clock.pinned(start):
        created = await ab.asset(w.site.id, "AP 1")
        client = await ab.api(make_client, w.cm)
        clock.advance(timedelta(days=6))
        down = await client.post(
            f"/api/v1/assets/{created.id}/status", json={"status": "down", "note": "no power"}
        )
        assert down.status_code == 200 and down.json()["status"] == "down"
        assert down.json()["version"] == 2
        clock.advance(timedelta(days=2))
        await client.post(f"/api/v1/assets/{created.id}/status", json={"status": "degraded"})
        clock.advance(timedelta(days=2))
        history = (await client.get(f"/api/v1/assets/{created.id}/status-history")).json()
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            ("down", "degraded"),
            ("operational", "down"),
            (None, "operational"),
        ]
        assert history[1]["note"] == "no power" and history[1]["actor_name"] == w.cm.name
        uptime = await client.get(
            f"/api/v1/assets/{created.id}/uptime",
            params={"start": start.isoformat(), "end": (start + timedelta(days=10)).isoformat()},
        )
        assert uptime.status_code == 200, uptime.text
        data = uptime.json()
        assert data["uptime_percent"] == 80.0
        assert data["down_seconds"] == 2 * 86400 and data["degraded_seconds"] == 2 * 86400
        assert data["down_events"] == 1
        stale = await client.post(
            f"/api/v1/assets/{created.id}/status", json={"status": "down", "version": 1}
        )
        assert stale.status_code == 409
        naive = await client.get(
            f"/api/v1/assets/{created.id}/uptime", params={"start": "2026-05-01T00:00:00"}
        )
        assert naive.status_code == 422


async def test_lock_out_set_and_cleared(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id, "Ladder")
    client = await ab.api(make_client, w.cm)
    empty = await client.post(f"/api/v1/assets/{created.id}/lockout", json={"reason": ""})
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "reason"
    locked = await client.post(
        f"/api/v1/assets/{created.id}/lockout", json={"reason": "Broken rung"}
    )
    assert locked.status_code == 200
    assert locked.json()["locked_out"] is True and locked.json()["lockout_reason"] == "Broken rung"
    card = await queries.asset_card(created.id)
    assert card.locked_out and card.lockout_reason == "Broken rung"
    viewer = await ab.api(make_client, w.viewer)
    forbidden = await viewer.delete(f"/api/v1/assets/{created.id}/lockout")
    assert forbidden.status_code == 403
    cleared = await client.delete(f"/api/v1/assets/{created.id}/lockout")
    assert cleared.status_code == 200 and cleared.json()["locked_out"] is False
    actions_logged = {
        e["action"]
        for e in await AuditEvent.select().where(AuditEvent.object_id == str(created.id))
    }
    assert {"asset.lock_out", "asset.clear_lockout"} <= actions_logged


async def test_list_filters_and_pagination(make_client) -> None:
    w = await ab.world()
    cat = await ab.category("Access point")
    with clock.pinned(datetime(2026, 6, 1, tzinfo=UTC)):
        a = await ab.asset(
            w.site.id, "AP lobby", category_id=cat.id, criticality="critical", serial_number="AP-9"
        )
        b = await ab.asset(w.site.id, "Fridge", warranty_end=datetime(2026, 6, 20).date())
        c = await ab.asset(w.site.id, "Old fridge", warranty_end=datetime(2027, 6, 20).date())
        await ab.asset(w.other_site.id, "Foreign fridge")
        client = await ab.api(make_client, w.cm)
        await client.post(f"/api/v1/assets/{c.id}/status", json={"status": "down"})

        async def names(**params: Any) -> list[str]:
            response = await client.get("/api/v1/assets", params=params)
            assert response.status_code == 200, response.text
            return [item["name"] for item in response.json()["items"]]

        assert await names() == ["AP lobby", "Fridge", "Old fridge"]
        assert await names(q="fridge") == ["Fridge", "Old fridge"]
        assert await names(q="ap-9") == ["AP lobby"]
        assert await names(category_id=cat.id) == ["AP lobby"]
        assert await names(criticality="critical") == ["AP lobby"]
        assert await names(status="down") == ["Old fridge"]
        assert await names(warranty_expiring_days=30) == ["Fridge"]
        assert await names(site_id=w.other_site.id) == []
        page = (await client.get("/api/v1/assets", params={"limit": 2, "offset": 0})).json()
        assert page["total"] == 3 and len(page["items"]) == 2
        page2 = (await client.get("/api/v1/assets", params={"limit": 2, "offset": 2})).json()
        assert [i["id"] for i in page2["items"]] == [c.id]
        assert a.id and b.id
        bad = await client.get("/api/v1/assets", params={"status": "broken"})
        assert bad.status_code == 422


async def test_assets_of_other_sites_answer_404_everywhere(make_client) -> None:
    w = await ab.world()
    foreign = await ab.asset(w.other_site.id, "Foreign")
    client = await ab.api(make_client, w.cm)
    for method, path, body in [
        ("GET", f"/api/v1/assets/{foreign.id}", None),
        ("PATCH", f"/api/v1/assets/{foreign.id}", {"version": 1, "name": "x"}),
        ("POST", f"/api/v1/assets/{foreign.id}/status", {"status": "down"}),
        ("GET", f"/api/v1/assets/{foreign.id}/status-history", None),
        ("GET", f"/api/v1/assets/{foreign.id}/uptime", None),
        ("POST", f"/api/v1/assets/{foreign.id}/lockout", {"reason": "x"}),
        ("DELETE", f"/api/v1/assets/{foreign.id}/lockout", None),
        ("GET", f"/api/v1/assets/{foreign.id}/files", None),
        ("GET", f"/api/v1/assets/{foreign.id}/qr-codes", None),
        ("GET", f"/api/v1/qr/{foreign.qr_code}.png", None),
        ("GET", f"/api/v1/qr/{foreign.qr_code}.svg", None),
        ("GET", f"/api/v1/qr-codes/{foreign.qr_code}", None),
        ("POST", "/api/v1/labels", {"asset_ids": [foreign.id]}),
        ("POST", "/api/v1/labels", {"site_id": w.other_site.id}),
        ("GET", f"/api/v1/assets/export.csv?site_id={w.other_site.id}", None),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert (await queries.get_asset(foreign.id)).name == "Foreign"


async def test_permissions_viewer_reads_but_does_not_write(make_client) -> None:
    w = await ab.world()
    own = await ab.asset(w.site.id)
    viewer = await ab.api(make_client, w.viewer)
    assert (await viewer.get(f"/api/v1/assets/{own.id}")).status_code == 200
    assert (await viewer.get("/api/v1/asset-categories")).status_code == 200
    for method, path, body in [
        ("POST", "/api/v1/assets", {"site_id": w.site.id, "name": "x"}),
        ("PATCH", f"/api/v1/assets/{own.id}", {"version": 1}),
        ("POST", "/api/v1/asset-categories", {"name": "x"}),
        ("POST", "/api/v1/assets/import", None),
        ("POST", "/api/v1/qr-batches", {"name": "b", "count": 1}),
    ]:
        response = await viewer.request(method, path, json=body)
        assert response.status_code == 403, (method, path)
    anonymous = make_client()
    assert (await anonymous.get(f"/api/v1/assets/{own.id}")).status_code == 401


async def test_categories_managed_by_ops(make_client) -> None:
    w = await ab.world()
    ops = await ab.api(make_client, w.ops)
    created = await ops.post(
        "/api/v1/asset-categories", json={"name": "EV charger", "icon": "plug"}
    )
    assert created.status_code == 201
    cat_id = created.json()["id"]
    duplicate = await ops.post("/api/v1/asset-categories", json={"name": "ev CHARGER"})
    assert duplicate.status_code == 409 and duplicate.json()["fields"][0]["field"] == "name"
    bad_icon = await ops.post("/api/v1/asset-categories", json={"name": "X", "icon": "<svg>"})
    assert bad_icon.status_code == 422
    renamed = await ops.patch(f"/api/v1/asset-categories/{cat_id}", json={"name": "Wallbox"})
    assert renamed.json()["name"] == "Wallbox"
    await ab.asset(w.site.id, category_id=cat_id)
    in_use = await ops.delete(f"/api/v1/asset-categories/{cat_id}")
    assert in_use.status_code == 409
    cm = await ab.api(make_client, w.cm)
    assert (await cm.post("/api/v1/asset-categories", json={"name": "Y"})).status_code == 403
    listed = (await cm.get("/api/v1/asset-categories")).json()
    assert [(c["name"], c["asset_count"]) for c in listed] == [("Wallbox", 1)]


async def test_builders_system_user_is_admin() -> None:
    assert (await builders.system()).is_admin
