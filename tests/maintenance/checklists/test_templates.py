"""Checklist templates: ops manage them, edits make immutable versions, work orders keep
the version they were created with, bad items get a 422 naming the field."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.db import transaction
from facilities.kit.errors import Conflict, RuleViolation
from facilities.maintenance.checklists import (
    default_version_for_category,
    ensure_checklist,
    instantiate_checklist,
    unanswered_required,
)
from facilities.maintenance.tables import WorkOrder, WorkOrderChecklistItem
from tests import assets_builders as ab
from tests import builders
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


async def test_ops_creates_a_template_and_edits_make_new_versions(make_client) -> None:
    ops = await h.ops()
    client = await builders.api(make_client, ops)
    category = await ab.category("Fire extinguisher")
    response = await client.post(
        "/api/v1/checklist-templates",
        json={
            "name": "Monthly safety walk",
            "category_id": category.id,
            "items": [
                {"label": "Extinguisher sealed", "kind": "pass_flag_fail"},
                {"label": "Pressure", "kind": "number", "unit": "bar", "min": 12, "max": "16.5"},
                {"label": "Pressure", "kind": "text", "required": False},
                {"label": "Level", "kind": "number", "unit": "%", "min": "0.0", "max": 100},
            ],
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["version"] == 1 and created["category_name"] == "Fire extinguisher"
    # Keys are derived from the labels when not given, and stay unique.
    assert [i["key"] for i in created["items"]] == [
        "extinguisher_sealed",
        "pressure",
        "pressure_2",
        "level",
    ]
    assert created["items"][1]["min"] == "12" and created["items"][1]["max"] == "16.5"
    assert created["items"][3]["min"] == "0" and created["items"][3]["max"] == "100"

    lights = {"key": "lights", "label": "Emergency lights", "kind": "checkbox"}
    items = [*created["items"][:2], lights]
    response = await client.patch(
        f"/api/v1/checklist-templates/{created['id']}", json={"items": items, "version": 1}
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert [i["key"] for i in response.json()["items"]] == [
        "extinguisher_sealed",
        "pressure",
        "lights",
    ]
    # Saving the same items again (or only the name) makes no new version.
    response = await client.patch(
        f"/api/v1/checklist-templates/{created['id']}", json={"items": items, "name": "Walk"}
    )
    assert response.json()["version"] == 2 and response.json()["name"] == "Walk"
    # An edit based on version 1 lost the race: 409.
    response = await client.patch(
        f"/api/v1/checklist-templates/{created['id']}", json={"items": items[:1], "version": 1}
    )
    assert response.status_code == 409 and response.json()["fields"][0]["field"] == "version"

    listing = (await client.get("/api/v1/checklist-templates")).json()
    assert [(t["name"], t["version"], len(t["items"])) for t in listing] == [("Walk", 2, 3)]
    versions = (await client.get(f"/api/v1/checklist-templates/{created['id']}/versions")).json()
    assert [(v["version"], len(v["items"])) for v in versions] == [(2, 3), (1, 4)]
    assert versions[1]["items"][2]["kind"] == "text"
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.object_type == "checklist_template")
        .order_by(AuditEvent.id)
    ]
    assert actions == [
        "checklist_template.create",
        "checklist_template.update",
        "checklist_template.update",
    ]


async def test_only_ops_manage_templates_and_partners_cannot_read_them(make_client) -> None:
    tpl = await h.template()
    region = await builders.region()
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[(await builders.site(region.id)).id])
    partner = await builders.user(Role.partner)
    body = {"name": "Mine", "items": [{"label": "A", "kind": "checkbox"}]}
    for user, read, write in ((cm, 200, 403), (partner, 403, 403)):
        client = await builders.api(make_client, user)
        assert (await client.get("/api/v1/checklist-templates")).status_code == read
        assert (await client.get(f"/api/v1/checklist-templates/{tpl.id}")).status_code == read
        assert (await client.post("/api/v1/checklist-templates", json=body)).status_code == write
        response = await client.patch(f"/api/v1/checklist-templates/{tpl.id}", json=body)
        assert response.status_code == write
    client = await builders.api(make_client, await h.ops())
    assert (await client.get("/api/v1/checklist-templates/999999")).status_code == 404


BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "min above max",
        {
            "items": [
                {"label": "A", "kind": "checkbox"},
                {"label": "B", "kind": "checkbox"},
                {"label": "C", "kind": "number", "min": 5, "max": 4},
            ]
        },
        "items[2].min",
    ),
    ("unknown kind", {"items": [{"label": "A", "kind": "slider"}]}, "items[0].kind"),
    (
        "duplicate keys",
        {
            "items": [
                {"key": "a", "label": "A", "kind": "checkbox"},
                {"key": "a", "label": "B", "kind": "text"},
            ]
        },
        "items[1].key",
    ),
    ("empty label", {"items": [{"label": "   ", "kind": "checkbox"}]}, "items[0].label"),
    ("bad key", {"items": [{"key": "Not OK", "label": "A", "kind": "text"}]}, "items[0].key"),
    ("unit on text", {"items": [{"label": "A", "kind": "text", "unit": "kg"}]}, "items[0].unit"),
    ("limit on meter", {"items": [{"label": "A", "kind": "meter", "max": 3}]}, "items[0].max"),
    ("huge limit", {"items": [{"label": "A", "kind": "number", "min": 1e12}]}, "items[0].min"),
    ("no items", {"items": []}, "items"),
    ("blank name", {"name": "  "}, "name"),
    ("unknown category", {"category_id": 999999}, "category_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_templates_get_422_naming_the_field(
    make_client, case: str, change: dict[str, Any], field: str
) -> None:
    client = await builders.api(make_client, await h.ops())
    body = {"name": "Walk", "items": [{"label": "A", "kind": "checkbox"}], **change}
    response = await client.post("/api/v1/checklist-templates", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field
    # The same rule on edit.
    tpl = await h.template()
    response = await client.patch(f"/api/v1/checklist-templates/{tpl.id}", json=change)
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == field
    assert (await client.get(f"/api/v1/checklist-templates/{tpl.id}")).json()["version"] == 1


async def test_duplicate_name_is_a_conflict(make_client) -> None:
    tpl = await h.template()
    client = await builders.api(make_client, await h.ops())
    response = await client.post(
        "/api/v1/checklist-templates",
        json={"name": tpl.name, "items": [{"label": "A", "kind": "checkbox"}]},
    )
    assert response.status_code == 409 and response.json()["fields"][0]["field"] == "name"


async def test_a_work_order_keeps_the_version_it_was_created_with(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    ops_client = await builders.api(make_client, await h.ops())
    response = await ops_client.patch(
        f"/api/v1/checklist-templates/{tpl.id}",
        json={"items": [{"key": "new", "label": "Brand new item", "kind": "checkbox"}]},
    )
    assert response.json()["version"] == 2
    current_version_id = response.json()["version_id"]
    partner = await builders.api(make_client, w.partner)
    body = (await partner.get(f"/api/v1/work-orders/{order.id}/checklist")).json()
    assert body["version"] == 1 and body["version_id"] == tpl.version_id
    assert [i["key"] for i in body["items"]] == [i["key"] for i in h.SAFETY_ITEMS]
    # A new order gets the current version.
    other = await h.order_with_checklist(w, current_version_id)
    body = (await partner.get(f"/api/v1/work-orders/{other.id}/checklist")).json()
    assert body["version"] == 2 and [i["label"] for i in body["items"]] == ["Brand new item"]


async def test_generated_orders_materialise_their_old_version_lazily_once(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    # What generation does: the version is set on the row, no items are inserted.
    await WorkOrder.update({WorkOrder.checklist_version: tpl.version_id}).where(
        WorkOrder.id == order.id
    )
    assert await unanswered_required(order.id) == [
        "Fire extinguisher sealed",
        "Extinguisher pressure",
        "Emergency lights tested",
    ]
    ops_client = await builders.api(make_client, await h.ops())
    await ops_client.patch(
        f"/api/v1/checklist-templates/{tpl.id}",
        json={"items": [{"label": "Other", "kind": "checkbox"}]},
    )
    await asyncio.gather(*(ensure_checklist(order.id) for _ in range(5)))
    partner = await builders.api(make_client, w.partner)
    bodies = await asyncio.gather(
        *(partner.get(f"/api/v1/work-orders/{order.id}/checklist") for _ in range(3))
    )
    assert all(b.status_code == 200 for b in bodies)
    assert [i["key"] for i in bodies[0].json()["items"]] == [i["key"] for i in h.SAFETY_ITEMS]
    count = await WorkOrderChecklistItem.count().where(
        WorkOrderChecklistItem.work_order == order.id
    )
    assert count == len(h.SAFETY_ITEMS)
    assert bodies[0].json()["unanswered_required"] == await unanswered_required(order.id)


async def test_default_version_for_a_category() -> None:
    coffee = await ab.category("Coffee machine")
    other = await ab.category("Access point")
    assert await default_version_for_category(coffee.id) is None
    assert await default_version_for_category(None) is None
    first = await h.template(category_id=coffee.id)
    await h.template(category_id=coffee.id)
    inactive = await h.template(category_id=other.id, active=False)
    assert await default_version_for_category(coffee.id) == first.version_id
    assert await default_version_for_category(other.id) is None
    assert inactive.active is False


async def test_staff_attach_a_checklist_to_an_order_without_one(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    partner = await builders.api(make_client, w.partner)
    body = (await partner.get(f"/api/v1/work-orders/{order.id}/checklist")).json()
    assert body["items"] == [] and body["version_id"] is None
    path = f"/api/v1/work-orders/{order.id}/checklist"
    assert (await partner.put(path, json={"template_id": tpl.id})).status_code == 403
    cm = await builders.api(make_client, w.cm)
    assert (await cm.put(path, json={"template_id": 999999})).json()["fields"][0][
        "field"
    ] == "template_id"
    response = await cm.put(path, json={"template_id": tpl.id})
    assert response.status_code == 200, response.text
    assert response.json()["version_id"] == tpl.version_id
    assert len(response.json()["items"]) == len(h.SAFETY_ITEMS)
    again = await cm.put(path, json={"template_id": tpl.id})
    assert again.status_code == 409
    assert await AuditEvent.exists().where(AuditEvent.action == "work_order.checklist")


async def test_concurrent_edits_make_consecutive_versions(make_client) -> None:
    tpl = await h.template()
    client = await builders.api(make_client, await h.ops())
    path = f"/api/v1/checklist-templates/{tpl.id}"
    responses = await asyncio.gather(
        *(
            client.patch(path, json={"items": [{"label": f"Item {n}", "kind": "checkbox"}]})
            for n in range(4)
        )
    )
    assert [r.status_code for r in responses] == [200] * 4
    assert sorted(r.json()["version"] for r in responses) == [2, 3, 4, 5]
    versions = (await client.get(f"{path}/versions")).json()
    assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]


async def test_instantiate_is_idempotent_per_version_and_joins_the_callers_transaction() -> None:
    w = await wb.world()
    first = await h.template()
    second = await h.template(items=[{"label": "Only one", "kind": "text"}])
    order = await wb.work_order(w.site.id)
    await instantiate_checklist(work_order_id=order.id, version_id=first.version_id)
    await instantiate_checklist(work_order_id=order.id, version_id=first.version_id)
    items = WorkOrderChecklistItem.count().where(WorkOrderChecklistItem.work_order == order.id)
    assert await items == len(h.SAFETY_ITEMS)
    with pytest.raises(Conflict):
        await instantiate_checklist(work_order_id=order.id, version_id=second.version_id)
    with pytest.raises(RuleViolation):
        await instantiate_checklist(work_order_id=order.id, version_id=999_999)
    # Inside a caller's transaction that fails, nothing is left behind.
    other = await wb.work_order(w.site.id)
    with pytest.raises(RuntimeError):
        async with transaction():
            await instantiate_checklist(work_order_id=other.id, version_id=second.version_id)
            raise RuntimeError("the caller's next step failed")
    assert not await WorkOrderChecklistItem.exists().where(
        WorkOrderChecklistItem.work_order == other.id
    )
    row = await WorkOrder.select(WorkOrder.checklist_version).where(WorkOrder.id == other.id)
    assert row[0]["checklist_version"] is None
