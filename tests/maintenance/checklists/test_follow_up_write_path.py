"""A checklist follow-up is created through the one work-order write path: its trade (the
asset's category), routing by contract, the "create" event, the audit row and the hooks
(the routed partner's "work assigned" notification)."""

from __future__ import annotations

from datetime import date

from facilities import db
from facilities.assets.tables import Asset, AssetCategory
from facilities.kit import clock
from tests import assets_builders, builders
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h
from tests.services import helpers as services


async def test_follow_up_gets_trade_routing_audit_and_notification(make_client) -> None:
    w = await wb.world(time_zone="Europe/Berlin")
    category = await assets_builders.category()
    await AssetCategory.update({AssetCategory.trade: "fire_safety"}).where(
        AssetCategory.id == category.id
    )
    await Asset.update({Asset.category: category.id}).where(Asset.id == w.asset_id)
    with clock.pinned(services.utc(2026, 6, 1, 12)):
        # The fire-safety contract of the site goes to the other organisation.
        await services.contract(
            w.stranger_org_id,
            [w.site.id],
            name="Fire safety",
            contract_type="maintenance",
            trades=["fire_safety"],
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        tpl = await h.template()
        order = await h.order_with_checklist(w, tpl.version_id)
        client = await builders.api(make_client, w.partner)
        base = f"/api/v1/work-orders/{order.id}/checklist"
        ids = h.item_ids((await client.get(base)).json())
        await client.put(f"{base}/items/{ids['extinguisher']}", json={"value": "fail"})
        response = await client.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert response.status_code == 201, response.text
    follow_up_id = response.json()["work_order_id"]
    (row,) = await db.raw(
        "SELECT status, trade, partner_organisation, parent, origin FROM work_order WHERE id = {}",
        follow_up_id,
    )
    assert dict(row) == {
        "status": "assigned",
        "trade": "fire_safety",
        "partner_organisation": w.stranger_org_id,
        "parent": order.id,
        "origin": "follow_up",
    }
    audits = await db.raw(
        "SELECT actor FROM audit_event WHERE action = 'work_order.create' AND object_id = {}",
        str(follow_up_id),
    )
    assert [a["actor"] for a in audits] == [w.partner.id]
    (event,) = await db.raw(
        "SELECT action, to_status, actor FROM work_order_event WHERE work_order = {}",
        follow_up_id,
    )
    assert dict(event) == {"action": "create", "to_status": "assigned", "actor": w.partner.id}
    # The hooks ran: the routed organisation's user is told of the new work.
    told = await db.raw(
        "SELECT recipient FROM outbox_message WHERE event = 'work_assigned' AND \"user\" = {}",
        w.stranger.id,
    )
    assert [t["recipient"] for t in told] == [w.stranger.email]
