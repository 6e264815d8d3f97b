"""The work-order API: create, the lifecycle with its guards, versions, events and the asset."""

from __future__ import annotations

import asyncio

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.assets.tables import Asset, AssetStatusChange
from facilities.maintenance.tables import WorkOrder, WorkOrderEvent
from facilities.sites import scope
from tests import assets_builders as ab
from tests import builders
from tests import workorders_builders as wb


async def test_community_manager_creates_a_work_order_at_own_site(make_client) -> None:
    w = await wb.world()
    space = await ab.space(w.site.id, "Kitchen")
    client = await builders.api(make_client, w.cm)
    response = await client.post(
        "/api/v1/work-orders",
        json={
            "title": "Replace the water filter",
            "site_id": w.site.id,
            "space_id": space.id,
            "asset_id": w.asset_id,
            "kind": "service_visit",
            "priority": "p2",
            "due_at": "2030-05-04T10:00:00+02:00",
            "partner_organisation_id": w.partner_org_id,
            "assignee_id": w.partner.id,
            "estimated_minutes": 45,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "assigned"  # a partner is named: straight to "assigned"
    assert body["origin"] == "manual" and body["kind"] == "service_visit"
    assert body["space_name"] == "Kitchen" and body["asset_name"] == "Coffee machine Jura X8"
    assert body["partner_organisation_id"] == w.partner_org_id
    assert body["assignee_id"] == w.partner.id
    assert body["due_at"].startswith("2030-05-04T08:00:00")
    assert body["version"] == 1
    assert "assign" in body["allowed_actions"] and "verify" not in body["allowed_actions"]
    events = await WorkOrderEvent.select().where(WorkOrderEvent.work_order == body["id"])
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "assigned")
    ]
    audit = await AuditEvent.select().where(AuditEvent.action == "work_order.create").first()
    assert audit["site_id"] == w.site.id and audit["actor"] == w.cm.id


async def test_creating_at_a_site_not_assigned_names_the_site(make_client) -> None:
    w = await wb.world()
    client = await builders.api(make_client, w.cm)
    for site_id in (w.other_site.id, 999_999):  # not assigned, and not existing: same answer
        response = await client.post(
            "/api/v1/work-orders", json={"title": "Fix it", "site_id": site_id}
        )
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "site_id"
    assert await WorkOrder.count() == 0


async def test_place_and_people_must_fit(make_client) -> None:
    w = await wb.world()
    elsewhere = await ab.space(w.other_site.id)
    other_asset = await ab.asset(w.other_site.id)
    client = await builders.api(make_client, w.cm)
    cases = [
        ({"space_id": elsewhere.id}, "space_id"),
        ({"asset_id": other_asset.id}, "asset_id"),
        (
            {"partner_organisation_id": w.partner_org_id, "assignee_id": w.stranger.id},
            "assignee_id",
        ),
        ({"partner_organisation_id": 999_999}, "partner_organisation_id"),
        ({"assignee_id": w.partner.id}, "partner_organisation_id"),
        ({"priority": "p9"}, "priority"),
        ({"kind": "magic"}, "kind"),
        ({"due_at": "2030-05-04T10:00:00"}, "due_at"),  # naive: refused
        ({"estimated_minutes": 0}, "estimated_minutes"),
    ]
    for extra, field in cases:
        response = await client.post(
            "/api/v1/work-orders", json={"title": "Fix it", "site_id": w.site.id, **extra}
        )
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["fields"][0]["field"] == field, (extra, response.text)
    assert await WorkOrder.count() == 0


async def test_partner_and_viewer_cannot_create(make_client) -> None:
    w = await wb.world()
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[w.site.id])
    for user in (w.partner, viewer):
        client = await builders.api(make_client, user)
        response = await client.post(
            "/api/v1/work-orders", json={"title": "Fix it", "site_id": w.site.id}
        )
        assert response.status_code == 403


async def _transition(client, order_id: int, action: str, **values):  # type: ignore[no-untyped-def]
    current = (await client.get(f"/api/v1/work-orders/{order_id}")).json()
    return await client.post(
        f"/api/v1/work-orders/{order_id}/transitions",
        json={"action": action, "version": current["version"], **values},
    )


async def test_the_whole_lifecycle_through_the_api(make_client) -> None:
    w = await wb.world()
    cm = await builders.api(make_client, w.cm)
    partner = await builders.api(make_client, w.partner)
    created = (
        await cm.post("/api/v1/work-orders", json={"title": "Descale", "site_id": w.site.id})
    ).json()
    order_id = created["id"]
    assert created["status"] == "open"
    # The partner does not see it before it is assigned to their organisation.
    assert (await partner.get(f"/api/v1/work-orders/{order_id}")).status_code == 404

    assign = await _transition(cm, order_id, "assign", partner_organisation_id=w.partner_org_id)
    assert assign.status_code == 200, assign.text
    assert assign.json()["status"] == "assigned"
    seen = (await partner.get(f"/api/v1/work-orders/{order_id}")).json()
    assert seen["allowed_actions"] == ["accept", "decline", "start"]

    accepted = await _transition(partner, order_id, "accept")
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_at"] is not None
    assert accepted.json()["assignee_id"] == w.partner.id  # the partner took it
    started = await _transition(partner, order_id, "start")
    assert started.json()["status"] == "in_progress" and started.json()["started_at"]

    no_reason = await _transition(partner, order_id, "hold")
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"][0]["field"] == "hold_reason"
    held = await _transition(partner, order_id, "hold", hold_reason="parts", note="Seal ordered")
    assert held.json()["status"] == "on_hold" and held.json()["hold_reason"] == "parts"
    resumed = await _transition(partner, order_id, "resume")
    assert resumed.json()["status"] == "in_progress" and resumed.json()["hold_reason"] == ""

    no_note = await _transition(partner, order_id, "complete", note="  ")
    assert no_note.status_code == 422
    assert no_note.json()["fields"][0]["field"] == "note"
    done = await _transition(partner, order_id, "complete", note="Descaled, new seal fitted")
    assert done.json()["status"] == "completed"
    assert done.json()["completion_note"] == "Descaled, new seal fitted"
    assert done.json()["completed_at"] is not None

    # The partner may not verify its own work: 403, and nothing changed.
    own = await _transition(partner, order_id, "verify")
    assert own.status_code == 403
    assert (await partner.get(f"/api/v1/work-orders/{order_id}")).json()["status"] == "completed"

    verified = await _transition(cm, order_id, "verify")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified" and verified.json()["verified_at"]

    events = (await partner.get(f"/api/v1/work-orders/{order_id}/events")).json()
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "open"),
        ("assign", "open", "assigned"),
        ("accept", "assigned", "accepted"),
        ("start", "accepted", "in_progress"),
        ("hold", "in_progress", "on_hold"),
        ("resume", "on_hold", "in_progress"),
        ("complete", "in_progress", "completed"),
        ("verify", "completed", "verified"),
    ]
    assert events[4]["note"] == "parts: Seal ordered"
    assert events[6]["note"] == "Descaled, new seal fitted"
    assert events[2]["actor_id"] == w.partner.id and events[7]["actor_id"] == w.cm.id
    assert verified.json()["version"] == 8


async def test_a_state_that_does_not_allow_it_is_409(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    cm = await builders.api(make_client, w.cm)
    cancelled = await _transition(cm, order.id, "cancel", note="Machine replaced anyway")
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Machine replaced anyway"
    for client, action in ((cm, "complete"), (await builders.api(make_client, w.partner), "start")):
        response = await _transition(client, order.id, action, note="done")
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "conflict"
    row = await WorkOrder.select(WorkOrder.status, WorkOrder.version).first()
    assert row == {"status": "cancelled", "version": 2}


async def test_cancel_needs_a_reason_and_unknown_actions_are_named(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    cm = await builders.api(make_client, w.cm)
    response = await _transition(cm, order.id, "cancel")
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "note"
    response = await _transition(cm, order.id, "explode")
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "action"


async def test_a_stale_version_is_409_not_a_silent_overwrite(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, title="Old title")
    cm = await builders.api(make_client, w.cm)
    first = await cm.patch(
        f"/api/v1/work-orders/{order.id}", json={"version": 1, "title": "First edit"}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await cm.patch(f"/api/v1/work-orders/{order.id}", json={"version": 1, "priority": "p1"})
    assert stale.status_code == 409
    assert stale.json()["fields"][0]["field"] == "version"
    stale_step = await cm.post(
        f"/api/v1/work-orders/{order.id}/transitions",
        json={"action": "cancel", "version": 1, "note": "x"},
    )
    assert stale_step.status_code == 409
    row = await WorkOrder.select().where(WorkOrder.id == order.id).first()
    assert (row["title"], row["priority"], row["status"], row["version"]) == (
        "First edit",
        "p3",
        "open",
        2,
    )
    missing = await cm.patch(f"/api/v1/work-orders/{order.id}", json={"title": "No version"})
    assert missing.status_code == 422 and missing.json()["fields"][0]["field"] == "version"


async def test_two_concurrent_steps_on_one_version_one_wins(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    partner = await builders.api(make_client, w.partner)
    body = {"version": order.version}
    results = await asyncio.gather(
        partner.post(
            f"/api/v1/work-orders/{order.id}/transitions", json={**body, "action": "accept"}
        ),
        partner.post(
            f"/api/v1/work-orders/{order.id}/transitions",
            json={**body, "action": "decline", "note": "Too far away"},
        ),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert await WorkOrderEvent.count().where(WorkOrderEvent.work_order == order.id) == 2
    assert (await WorkOrder.select(WorkOrder.version).first())["version"] == 2


async def test_decline_returns_the_order_to_open_and_out_of_the_partners_sight(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    partner = await builders.api(make_client, w.partner)
    declined = await _transition(partner, order.id, "decline", note="No capacity this week")
    assert declined.status_code == 200
    assert declined.json()["status"] == "open" and declined.json()["allowed_actions"] == []
    # No longer theirs: out of their list and their reach.
    assert (await partner.get(f"/api/v1/work-orders/{order.id}")).status_code == 404
    assert (await partner.get("/api/v1/work-orders")).json()["items"] == []
    events = await WorkOrderEvent.select().where(WorkOrderEvent.action == "decline")
    assert events[0]["note"] == "No capacity this week"
    row = await WorkOrder.select().where(WorkOrder.id == order.id).first()
    assert row["status"] == "open" and row["partner_organisation"] is None


async def test_asset_is_down_while_the_order_is_open(make_client) -> None:
    w = await wb.world()
    cm = await builders.api(make_client, w.cm)
    created = await cm.post(
        "/api/v1/work-orders",
        json={
            "title": "Grinder broken",
            "site_id": w.site.id,
            "asset_id": w.asset_id,
            "asset_down": True,
            "partner_organisation_id": w.partner_org_id,
        },
    )
    order_id = created.json()["id"]
    assert (await Asset.select(Asset.status).first())["status"] == "down"
    partner = await builders.api(make_client, w.partner)
    for action, extra in (("start", {}), ("complete", {"note": "Grinder replaced"})):
        assert (await _transition(partner, order_id, action, **extra)).status_code == 200
    assert (await Asset.select(Asset.status).first())["status"] == "operational"
    # Reopened: down again; cancelled: operational again.
    assert (
        await _transition(cm, order_id, "reopen", note="Still grinding badly")
    ).status_code == 200
    assert (await Asset.select(Asset.status).first())["status"] == "down"
    assert (
        await _transition(cm, order_id, "cancel", note="Replaced the machine")
    ).status_code == 200
    assert (await Asset.select(Asset.status).first())["status"] == "operational"
    changes = await AssetStatusChange.select().order_by(AssetStatusChange.id)
    assert [(c["from_status"], c["to_status"]) for c in changes][-4:] == [
        ("operational", "down"),
        ("down", "operational"),
        ("operational", "down"),
        ("down", "operational"),
    ]
    assert f"#{order_id}" in changes[-4]["note"]


async def test_partner_sees_the_sites_of_its_work_only() -> None:
    w = await wb.world()
    partner = builders.principal(w.partner)
    assert await scope.visible_site_ids(partner) == set()
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    assert await scope.visible_site_ids(builders.principal(w.partner)) == {w.site.id}
    assert await scope.visible_site_ids(builders.principal(w.stranger)) == set()


async def test_editing_facts_and_the_asset_flag(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, asset_id=w.asset_id)
    cm = await builders.api(make_client, w.cm)
    path = f"/api/v1/work-orders/{order.id}"
    down = await cm.patch(path, json={"version": 1, "asset_down": True, "priority": "p1"})
    assert down.status_code == 200 and down.json()["priority"] == "p1"
    assert (await Asset.select(Asset.status).first())["status"] == "down"
    up = await cm.patch(path, json={"version": 2, "asset_down": False})
    assert up.status_code == 200
    assert (await Asset.select(Asset.status).first())["status"] == "operational"
    other_asset = await ab.asset(w.other_site.id)
    wrong = await cm.patch(path, json={"version": 3, "asset_id": other_asset.id})
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "asset_id"
    audit = (
        await AuditEvent.select()
        .where(AuditEvent.action == "work_order.update")
        .output(load_json=True)
        .order_by(AuditEvent.id)
    )
    assert audit[0]["before"] == {"asset_down": False, "priority": "p3"}
    assert audit[0]["after"] == {"asset_down": True, "priority": "p1"}
    await cm.post(
        f"{path}/transitions", json={"action": "cancel", "version": 3, "note": "Not needed"}
    )
    closed = await cm.patch(path, json={"version": 4, "title": "Too late"})
    assert closed.status_code == 409


async def test_assigning_checks_the_people(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    cm = await builders.api(make_client, w.cm)
    wrong_person = await _transition(
        cm, order.id, "assign", partner_organisation_id=w.partner_org_id, assignee_id=w.stranger.id
    )
    assert wrong_person.status_code == 422
    assert wrong_person.json()["fields"][0]["field"] == "assignee_id"
    no_partner = await _transition(cm, order.id, "assign")
    assert no_partner.status_code == 422
    assert no_partner.json()["fields"][0]["field"] == "partner_organisation_id"
    ok = await _transition(
        cm, order.id, "assign", partner_organisation_id=w.partner_org_id, assignee_id=w.partner.id
    )
    assert ok.status_code == 200 and ok.json()["assignee_name"] == w.partner.name
    # Partners cannot hand work to each other.
    partner = await builders.api(make_client, w.partner)
    handed = await _transition(
        partner, order.id, "assign", partner_organisation_id=w.stranger_org_id
    )
    assert handed.status_code == 403
    # Reassigned to the other organisation: the first partner loses sight of it.
    moved = await _transition(cm, order.id, "assign", partner_organisation_id=w.stranger_org_id)
    assert moved.status_code == 200 and moved.json()["assignee_id"] is None
    assert (await partner.get(f"/api/v1/work-orders/{order.id}")).status_code == 404
    stranger = await builders.api(make_client, w.stranger)
    assert (await stranger.get(f"/api/v1/work-orders/{order.id}")).status_code == 200


async def test_the_api_is_documented(make_client) -> None:
    client = await builders.api(make_client, await builders.user(Role.admin))
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/work-orders",
        "/api/v1/work-orders/{work_order_id}",
        "/api/v1/work-orders/{work_order_id}/transitions",
        "/api/v1/work-orders/{work_order_id}/sheet.pdf",
    ):
        assert path in paths, sorted(p for p in paths if "work-orders" in p)
    assert "patch" in paths["/api/v1/work-orders/{work_order_id}"]
