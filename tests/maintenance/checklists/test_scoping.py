"""Another partner's (or another site's) work order answers 404 on every checklist endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.maintenance.tables import WorkOrderChecklistItem
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


def _api(order_id: int, item_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/v1/work-orders/{order_id}/checklist"
    item = f"{base}/items/{item_id}"
    return [
        ("GET", base, {}),
        ("PUT", item, {"json": {"value": "pass"}}),
        ("POST", f"{item}/photo", {"files": {"photo": ("p.png", mb.png(), "image/png")}}),
        ("GET", f"{item}/photo", {}),
        ("POST", f"{item}/follow-up", {}),
    ]


@pytest.mark.parametrize("who", ["other partner", "community manager elsewhere"])
async def test_someone_elses_checklist_is_404_everywhere(make_client, who: str) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    item = (
        await WorkOrderChecklistItem.select()
        .where(
            (WorkOrderChecklistItem.work_order == order.id)
            & (WorkOrderChecklistItem.key == "extinguisher")
        )
        .first()
    )
    # A photo and a failed answer exist, so only the scope can say no.
    await WorkOrderChecklistItem.update(
        {
            WorkOrderChecklistItem.value_text: "fail",
            WorkOrderChecklistItem.answered_at: order.created_at,
        }
    ).where(WorkOrderChecklistItem.id == item["id"])
    if who == "other partner":
        user = w.stranger
    else:
        user = await builders.user(Role.community_manager)
        await builders.assign(user, sites=[w.other_site.id])
    client = await builders.api(make_client, user)
    for method, path, kwargs in _api(order.id, item["id"]):
        response = await client.request(method, path, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code)
    if who != "other partner":
        response = await client.put(
            f"/api/v1/work-orders/{order.id}/checklist", json={"template_id": tpl.id}
        )
        assert response.status_code == 404
    session = await builders.browser_session(make_client, user)
    token = await builders.csrf(session, "/account")
    page_base = f"/work-orders/{order.id}/checklist"
    assert (await session.get(page_base)).status_code == 404
    for path in (f"{page_base}/items/{item['id']}", f"{page_base}/items/{item['id']}/follow-up"):
        response = await session.post(path, data={"value": "pass", "_csrf_token": token})
        assert response.status_code == 404, path
    assert (await session.get(f"{page_base}/items/{item['id']}/photo")).status_code == 404
    row = (
        await WorkOrderChecklistItem.select().where(WorkOrderChecklistItem.id == item["id"]).first()
    )
    assert row["value_text"] == "fail" and row["follow_up"] is None


async def test_an_item_of_another_order_is_not_reachable_through_mine(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    mine = await h.order_with_checklist(w, tpl.version_id)
    theirs = await wb.work_order(w.site.id, partner_organisation_id=w.stranger_org_id)
    await h.actions.instantiate_checklist(work_order_id=theirs.id, version_id=tpl.version_id)
    foreign = (
        await WorkOrderChecklistItem.select()
        .where(WorkOrderChecklistItem.work_order == theirs.id)
        .first()
    )
    client = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{mine.id}/checklist/items/{foreign['id']}"
    response = await client.put(base, json={"value": "pass"})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "item_id"
    assert (await client.post(f"{base}/follow-up")).status_code == 422
    assert (await client.get(f"{base}/photo")).status_code == 404
