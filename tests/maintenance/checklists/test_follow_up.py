"""A flagged or failed item (or a reading out of limits) spawns one follow-up work order."""

from __future__ import annotations

import asyncio
import json

from facilities.accounts.tables import AuditEvent
from facilities.maintenance.tables import WorkOrder, WorkOrderChecklistItem, WorkOrderEvent
from facilities.settings import get_settings
from tests import builders
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


async def test_failed_flagged_and_out_of_limit_items_get_follow_ups(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"
    ids = h.item_ids((await client.get(base)).json())
    await client.put(f"{base}/items/{ids['extinguisher']}", json={"value": "fail"})
    await client.put(f"{base}/items/{ids['pressure']}", json={"value": "9.5"})
    await client.put(f"{base}/items/{ids['notes']}", json={"value": "Looks odd"})

    response = await client.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["created"] is True
    row = await WorkOrder.select().where(WorkOrder.id == first["work_order_id"]).first()
    assert row["title"] == "Fire extinguisher sealed"
    assert (row["kind"], row["priority"], row["status"], row["origin"]) == (
        "corrective",
        "p2",
        "open",
        "follow_up",
    )
    assert row["parent"] == order.id and row["site"] == w.site.id and row["asset"] == w.asset_id
    assert row["version"] == 1 and row["created_by"] == w.partner.id
    assert f"#{order.id}" in row["description"] and "Fail" in row["description"]
    events = await WorkOrderEvent.select().where(WorkOrderEvent.work_order == row["id"])
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "open")
    ]

    # Idempotent: the same item never gets a second one.
    again = await client.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert again.status_code == 200
    assert again.json() == {**first, "created": False}

    # A reading out of limits is serious too; the limits are in the description.
    response = await client.post(f"{base}/items/{ids['pressure']}/follow-up")
    pressure = (
        await WorkOrder.select().where(WorkOrder.id == response.json()["work_order_id"]).first()
    )
    assert (pressure["kind"], pressure["priority"]) == ("corrective", "p2")
    assert "9.5 bar" in pressure["description"] and "12 – 16" in pressure["description"]

    # Answers that are fine cannot spawn anything.
    response = await client.post(f"{base}/items/{ids['notes']}/follow-up")
    assert response.status_code == 409 and response.json()["fields"][0]["field"] == "item_id"
    response = await client.post(f"{base}/items/{ids['lights']}/follow-up")  # unanswered
    assert response.status_code == 409

    body = (await client.get(base)).json()
    by_key = {i["key"]: i for i in body["items"]}
    assert by_key["extinguisher"]["follow_up_id"] == first["work_order_id"]
    assert by_key["notes"]["follow_up_id"] is None
    assert await WorkOrder.count().where(WorkOrder.parent == order.id) == 2
    creates = await AuditEvent.select().where(
        (AuditEvent.action == "work_order.create") & (AuditEvent.object_id != str(order.id))
    )
    afters = [
        json.loads(c["after"]) if isinstance(c["after"], str) else c["after"] for c in creates
    ]
    assert len(afters) == 2 and all(a["origin"] == "follow_up" for a in afters)


async def test_a_flag_is_a_p3_inspection_follow_up_created_once_under_concurrency(
    make_client,
) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    partner = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"
    ids = h.item_ids((await partner.get(base)).json())
    await partner.put(f"{base}/items/{ids['extinguisher']}", json={"value": "flag"})
    cm = await builders.api(make_client, w.cm)
    path = f"{base}/items/{ids['extinguisher']}/follow-up"
    responses = await asyncio.gather(*(c.post(path) for c in (partner, cm, partner, cm)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["work_order_id"] for r in responses}) == 1
    rows = await WorkOrder.select().where(WorkOrder.parent == order.id)
    assert [(r["kind"], r["priority"]) for r in rows] == [("inspection_follow_up", "p3")]
    item = (
        await WorkOrderChecklistItem.select()
        .where(WorkOrderChecklistItem.id == ids["extinguisher"])
        .first()
    )
    assert item["follow_up"] == rows[0]["id"]


async def test_no_follow_up_from_a_cancelled_order(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    partner = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"
    ids = h.item_ids((await partner.get(base)).json())
    await partner.put(f"{base}/items/{ids['extinguisher']}", json={"value": "fail"})
    await wb.step(order.id, w.cm, "cancel", note="Site closed")
    response = await partner.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert response.status_code == 409 and response.json()["fields"][0]["field"] == "status"
    assert not await WorkOrder.exists().where(WorkOrder.parent == order.id)


async def test_the_follow_up_is_written_in_the_installations_language(
    make_client, monkeypatch
) -> None:
    """An English-speaking partner asks for the follow-up; the German installation stores it
    in German (FACILITIES_DEFAULT_LOCALE, kit.i18n.in_installation_language)."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"
    ids = h.item_ids((await client.get(base)).json())
    await client.put(f"{base}/items/{ids['extinguisher']}", json={"value": "fail"})
    response = await client.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert response.status_code == 201, response.text
    row = await WorkOrder.select().where(WorkOrder.id == response.json()["work_order_id"]).first()
    assert row["description"].startswith(f"Folgeauftrag zu Arbeitsauftrag #{order.id}")
    [event] = await WorkOrderEvent.select().where(WorkOrderEvent.work_order == row["id"])
    assert event["note"] == f"Folgeauftrag zu Arbeitsauftrag #{order.id}"
