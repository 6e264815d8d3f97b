"""A work order's checklist from creation to completion: a chosen template or the default of
the asset's category (also for a report turned into work), the version kept when the template
changes, the checklist inline on the order page, and no completion with required items open."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities.accounts.enums import Role
from facilities.maintenance.checklists import actions as cl_actions
from facilities.maintenance.checklists.schemas import ChecklistTemplateUpdate
from facilities.maintenance.tables import WorkOrder, WorkOrderChecklistItem
from tests import assets_builders as ab
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h

SHORT_ITEMS: list[dict[str, Any]] = [
    {"key": "descaled", "label": "Descaled", "kind": "checkbox"},
    {"key": "seal", "label": "Seal condition", "kind": "pass_flag_fail"},
    {"key": "remark", "label": "Remark", "kind": "text", "required": False},
]


async def _categorised_world() -> tuple[wb.World, int, Any]:
    """A world whose coffee machine has a category with a default checklist."""
    w = await wb.world()
    category = await ab.category("Coffee machines")
    asset_id = await mb.asset(w.site.id, "Coffee machine 2nd floor", category=category.id)
    tpl = await h.template(SHORT_ITEMS, category_id=category.id)
    return w, asset_id, tpl


async def _transition(client: Any, order_id: int, action: str, **values: Any) -> Any:
    current = (await client.get(f"/api/v1/work-orders/{order_id}")).json()
    return await client.post(
        f"/api/v1/work-orders/{order_id}/transitions",
        json={"action": action, "version": current["version"], **values},
    )


async def test_completion_waits_for_the_required_items(make_client) -> None:
    w, asset_id, _tpl = await _categorised_world()
    order = await wb.work_order(
        w.site.id, asset_id=asset_id, partner_organisation_id=w.partner_org_id
    )
    await wb.step(order.id, w.partner, "start")
    partner = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"

    refused = await _transition(partner, order.id, "complete", note="All done")
    assert refused.status_code == 422, refused.text
    error = refused.json()["fields"][0]
    assert error["field"] == "checklist"
    assert "Descaled" in error["message"] and "Seal condition" in error["message"]
    assert "Remark" not in error["message"]  # optional
    row = await WorkOrder.select(WorkOrder.status, WorkOrder.version).first()
    assert row["status"] == "in_progress" and row["version"] == order.version + 1  # no write

    ids = h.item_ids((await partner.get(base)).json())
    await partner.put(f"{base}/items/{ids['descaled']}", json={"value": True})
    still = await _transition(partner, order.id, "complete", note="All done")
    assert still.status_code == 422
    assert "Seal condition" in still.json()["fields"][0]["message"]
    assert "Descaled" not in still.json()["fields"][0]["message"]

    await partner.put(f"{base}/items/{ids['seal']}", json={"value": "pass"})
    done = await _transition(partner, order.id, "complete", note="All done")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"


async def test_an_order_without_checklist_completes_as_before(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(
        w.site.id, asset_id=w.asset_id, partner_organisation_id=w.partner_org_id
    )
    await wb.step(order.id, w.partner, "start")
    done = await wb.step(order.id, w.partner, "complete", note="Fixed")
    assert done.status.value == "completed"


async def test_the_category_default_is_kept_when_the_template_changes(make_client) -> None:
    w, asset_id, tpl = await _categorised_world()
    order = await wb.work_order(w.site.id, asset_id=asset_id)
    row = await WorkOrder.select(WorkOrder.checklist_version).where(WorkOrder.id == order.id)
    assert row[0]["checklist_version"] == tpl.version_id
    await cl_actions.update_template(
        actor=await builders.system(),
        template_id=tpl.id,
        data=msgspec.convert(
            {"items": [{"key": "new", "label": "Brand new item", "kind": "checkbox"}]},
            ChecklistTemplateUpdate,
        ),
    )
    cm = await builders.api(make_client, w.cm)
    checklist = (await cm.get(f"/api/v1/work-orders/{order.id}/checklist")).json()
    assert checklist["version_id"] == tpl.version_id and checklist["version"] == 1
    assert [i["label"] for i in checklist["items"]] == ["Descaled", "Seal condition", "Remark"]
    later = await wb.work_order(w.site.id, asset_id=asset_id)
    checklist = (await cm.get(f"/api/v1/work-orders/{later.id}/checklist")).json()
    assert checklist["version"] == 2
    assert [i["label"] for i in checklist["items"]] == ["Brand new item"]
    # No asset, or an asset of a category without a checklist: no checklist.
    plain = await wb.work_order(w.site.id)
    other = await wb.work_order(w.site.id, asset_id=w.asset_id)
    for order_id in (plain.id, other.id):
        assert not await WorkOrderChecklistItem.exists().where(
            WorkOrderChecklistItem.work_order == order_id
        )


async def test_the_api_creates_an_order_with_a_chosen_checklist(make_client) -> None:
    w, asset_id, default = await _categorised_world()
    chosen = await h.template()
    inactive = await h.template(active=False)
    cm = await builders.api(make_client, w.cm)
    body = {"title": "Safety walk", "site_id": w.site.id, "asset_id": asset_id}
    response = await cm.post(
        "/api/v1/work-orders", json={**body, "checklist_template_id": chosen.id}
    )
    assert response.status_code == 201, response.text
    checklist = (await cm.get(f"/api/v1/work-orders/{response.json()['id']}/checklist")).json()
    assert checklist["template_id"] == chosen.id and checklist["version_id"] == chosen.version_id
    assert default.version_id != chosen.version_id

    before = await WorkOrder.count()
    for bad in (999_999, inactive.id):
        refused = await cm.post("/api/v1/work-orders", json={**body, "checklist_template_id": bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["fields"][0]["field"] == "checklist_template_id"
    refused = await cm.post("/api/v1/work-orders", json={**body, "checklist_template_id": "x"})
    assert refused.status_code in (400, 422)
    assert await WorkOrder.count() == before  # nothing half-created
    assert not await WorkOrderChecklistItem.exists().where(
        WorkOrderChecklistItem.work_order.is_in([before + 1, before + 2])
    )


async def test_the_form_offers_the_templates_and_the_page_shows_the_checklist(
    make_client,
) -> None:
    w, asset_id, _default = await _categorised_world()
    chosen = await h.template(name="Descaling deluxe")
    cm = await builders.browser_session(make_client, w.cm)
    form = (await cm.get(f"/work-orders/new?site_id={w.site.id}")).text
    assert 'name="checklist_template_id"' in form and "Descaling deluxe" in form
    response = await builders.post_form(
        cm,
        "/work-orders/new",
        {
            "site_id": str(w.site.id),
            "title": "Deluxe descaling",
            "kind": "corrective",
            "priority": "p3",
            "asset_id": str(asset_id),
            "checklist_template_id": str(chosen.id),
        },
        form_page="/work-orders/new",
    )
    assert response.status_code == 303, response.text
    row = await WorkOrder.select().where(WorkOrder.title == "Deluxe descaling").first()
    assert row["checklist_version"] == chosen.version_id
    refused = await builders.post_form(
        cm,
        "/work-orders/new",
        {"site_id": str(w.site.id), "title": "Bad", "checklist_template_id": "999999"},
        form_page="/work-orders/new",
    )
    assert refused.status_code == 422 and "Unknown checklist template." in refused.text

    # The order page carries the checklist inline, answerable by the partner doing the work.
    order = await wb.work_order(
        w.site.id, asset_id=asset_id, partner_organisation_id=w.partner_org_id
    )
    await wb.step(order.id, w.partner, "start")
    partner = await builders.browser_session(make_client, w.partner)
    page = (await partner.get(f"/work-orders/{order.id}")).text
    assert "Descaled" in page and "Seal condition" in page
    assert f"/work-orders/{order.id}/checklist/items/" in page  # answer forms
    # The edit form shares the fields (partial) and still renders.
    edit = await cm.get(f"/work-orders/{order.id}/edit")
    assert edit.status_code == 200 and 'name="title"' in edit.text
    assert 'name="checklist_template_id"' not in edit.text


async def test_a_report_becomes_work_with_the_category_checklist(make_client) -> None:
    w, asset_id, tpl = await _categorised_world()
    created = await mb.report(asset_id=asset_id)
    cm = await builders.api(make_client, w.cm)
    response = await cm.post(f"/api/v1/problem-reports/{created.report.id}/accept")
    assert response.status_code == 200, response.text
    row = await WorkOrder.select().where(WorkOrder.problem_report == created.report.id).first()
    assert row["checklist_version"] == tpl.version_id
    checklist = (await cm.get(f"/api/v1/work-orders/{row['id']}/checklist")).json()
    assert checklist["unanswered_required"] == ["Descaled", "Seal condition"]


async def test_another_partner_cannot_reach_the_checklist(make_client) -> None:
    w, asset_id, _tpl = await _categorised_world()
    order = await wb.work_order(
        w.site.id, asset_id=asset_id, partner_organisation_id=w.partner_org_id
    )
    stranger = await builders.api(make_client, w.stranger)
    assert (await stranger.get(f"/api/v1/work-orders/{order.id}/checklist")).status_code == 404
    outsider = await builders.user(Role.community_manager)
    await builders.assign(outsider, sites=[w.other_site.id])
    other = await builders.api(make_client, outsider)
    assert (await other.get(f"/api/v1/work-orders/{order.id}/checklist")).status_code == 404
