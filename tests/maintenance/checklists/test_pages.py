"""The phone pages: a work order's checklist (one form per item, no JavaScript needed) and
the template editor for ops."""

from __future__ import annotations

import re
from typing import Any

import httpx

from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.maintenance.checklists.view import checklist_context
from facilities.maintenance.tables import ChecklistTemplateVersion, WorkOrder
from facilities.maintenance.workorders import queries as wb_queries
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


async def _multipart(
    client: httpx.AsyncClient,
    path: str,
    fields: dict[str, str],
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """Post like a browser posts an ``enctype="multipart/form-data"`` form."""
    token = await builders.csrf(client, "/account")
    parts: dict[str, Any] = {k: (None, v) for k, v in {**fields, "_csrf_token": token}.items()}
    return await client.post(path, files={**parts, **(files or {})})


async def test_partner_fills_in_the_checklist_on_the_phone_page(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.browser_session(make_client, w.partner)
    page_path = f"/work-orders/{order.id}/checklist"
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    html = page.text
    assert "Fire extinguisher sealed" in html and "Limits: 12 – 16" in html and "bar" in html
    assert 'name="value" value="flag"' in html and 'capture="environment"' in html
    assert "Still to answer before completing: 3 required item(s)." in html
    ids = h.item_ids((await client.get(f"/api/v1{page_path}")).json())

    base = f"{page_path}/items"
    response = await _multipart(
        client, f"{base}/{ids['extinguisher']}", {"kind": "pass_flag_fail", "value": "flag"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{page_path}#cl-item-{ids['extinguisher']}"
    response = await _multipart(
        client, f"{base}/{ids['pressure']}", {"kind": "number", "value": "17,5", "back": "order"}
    )
    assert response.headers["location"] == f"/work-orders/{order.id}#cl-item-{ids['pressure']}"
    response = await _multipart(
        client,
        f"{base}/{ids['photo']}",
        {"kind": "photo"},
        {"photo": ("cabinet.png", mb.png(), "image/png")},
    )
    assert response.status_code == 303
    response = await _multipart(
        client,
        f"{base}/{ids['signature']}",
        {"kind": "signature", "value": "Jan Partner", "signature_png": h.signature_png()},
    )
    assert response.status_code == 303

    html = (await client.get(page_path)).text
    assert "Out of limits" in html and 'aria-pressed="true">Flag' in html
    assert f'src="{base}/{ids["photo"]}/photo"' in html
    assert "Signed by Jan Partner" in html
    assert html.count("Create follow-up work order") == 2  # the flag and the 17.5 bar
    assert (await client.get(f"{base}/{ids['photo']}/photo")).status_code == 200

    response = await _multipart(client, f"{base}/{ids['meter']}", {"kind": "meter", "value": "-3"})
    assert response.status_code == 422
    assert "A meter reading cannot be negative." in response.text

    token = await builders.csrf(client, "/account")
    response = await client.post(
        f"{base}/{ids['extinguisher']}/follow-up", data={"_csrf_token": token}
    )
    assert response.status_code == 303
    follow_up = await WorkOrder.select().where(WorkOrder.parent == order.id).first()
    assert follow_up["priority"] == "p3"
    html = (await client.get(page_path)).text
    assert f"Follow-up work order #{follow_up['id']} created." in html
    assert html.count("Create follow-up work order") == 1

    response = await _multipart(client, f"{base}/{ids['pressure']}", {"clear": "1"})
    assert response.status_code == 303
    assert "Out of limits" not in (await client.get(page_path)).text


async def test_work_order_page_includes_the_checklist_section(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.browser_session(make_client, w.partner)
    response = await client.get(f"/work-orders/{order.id}")
    assert response.status_code == 200
    assert 'id="checklist"' in response.text
    assert f"/work-orders/{order.id}/checklist" in response.text


async def test_closed_or_unassigned_checklists_are_read_only(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id, start=False)
    client = await builders.browser_session(make_client, w.partner)
    html = (await client.get(f"/work-orders/{order.id}/checklist")).text
    assert "Answers can be given while the work is accepted or in progress." in html
    assert 'name="value" value="flag"' not in html
    item_id = h.item_ids((await client.get(f"/api/v1/work-orders/{order.id}/checklist")).json())
    response = await _multipart(
        client,
        f"/work-orders/{order.id}/checklist/items/{item_id['extinguisher']}",
        {"kind": "pass_flag_fail", "value": "pass"},
    )
    assert response.status_code == 409


async def test_staff_attach_a_checklist_on_the_page(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await wb.work_order(w.site.id)
    client = await builders.browser_session(make_client, w.cm)
    html = (await client.get(f"/work-orders/{order.id}/checklist")).text
    assert "This work order has no checklist." in html and tpl.name in html
    response = await builders.post_form(
        client, f"/work-orders/{order.id}/checklist", {"template_id": str(tpl.id)}
    )
    assert response.status_code == 303
    html = (await client.get(response.headers["location"].split("#")[0])).text
    assert "Fire extinguisher sealed" in html


def _rows(*rows: dict[str, str]) -> dict[str, str]:
    form: dict[str, str] = {"rows": str(len(rows))}
    for index, row in enumerate(rows):
        for key, value in row.items():
            form[f"items-{index}-{key}"] = value
    return form


async def test_ops_edit_templates_on_pages(make_client) -> None:
    ops = await h.ops()
    client = await builders.browser_session(make_client, ops)
    assert (await client.get("/checklist-templates/new")).status_code == 200
    form = {
        "name": "AP cabinet",
        "active": "on",
        **_rows(
            {"label": "Filter clean", "kind": "checkbox", "required": "on"},
            {"label": "", "kind": "checkbox"},  # a blank row is ignored
            {"label": "Temperature", "kind": "number", "unit": "°C", "min": "40", "max": "5"},
        ),
    }
    response = await builders.post_form(client, "/checklist-templates/new", form)
    assert response.status_code == 422
    # The error names the row on the page (the third), not the item's position.
    assert re.search(r'id="row-2".*?The lower limit is above the upper limit', response.text, re.S)
    form["items-2-min"], form["items-2-max"] = "5", "40,5"
    response = await builders.post_form(client, "/checklist-templates/new", form)
    assert response.status_code == 303, response.text
    path = response.headers["location"]
    html = (await client.get(path)).text
    assert "Filter clean" in html and "40.5" in html and 'value="filter_clean"' in html

    edit = {
        "name": "AP cabinet",
        "active": "on",
        "version": "1",
        **_rows(
            {"key": "filter_clean", "label": "Filter cleaned", "kind": "checkbox"},
            {"key": "temperature", "label": "Temperature", "kind": "number", "remove": "on"},
            {"label": "Photo of the cabinet", "kind": "photo", "required": "on"},
        ),
    }
    response = await builders.post_form(client, path, edit)
    assert response.status_code == 303
    versions = await ChecklistTemplateVersion.select().order_by(ChecklistTemplateVersion.version)
    assert [v["version"] for v in versions] == [1, 2]
    listing = (await client.get("/checklist-templates")).text
    assert "AP cabinet" in listing
    read = (await client.get(f"/api/v1/checklist-templates/{path.rsplit('/', 1)[1]}")).json()
    assert [(i["key"], i["label"], i["required"]) for i in read["items"]] == [
        ("filter_clean", "Filter cleaned", False),
        ("photo_of_the_cabinet", "Photo of the cabinet", True),
    ]
    # Saving from the stale version-1 form again: 409 with the message on the page.
    response = await builders.post_form(client, path, edit)
    assert response.status_code == 409 and "newer version" in response.text


async def test_partners_cannot_open_the_template_editor(make_client) -> None:
    w = await wb.world()
    client = await builders.browser_session(make_client, w.partner)
    assert (await client.get("/checklist-templates")).status_code == 403
    cm = await builders.browser_session(make_client, w.cm)
    assert (await cm.get("/checklist-templates/new")).status_code == 403


async def test_the_partial_renders_inside_the_work_order_page_context() -> None:
    """What the work-order page does: ``context.update(await checklist_context(...))`` with
    its ``work_order`` (a ``WorkOrderRead``); every form then returns to the order page."""
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    me = builders.principal(w.partner)
    context = await checklist_context(me, order.id)
    read = await wb_queries.get_work_order(me, order.id)
    html = (
        make_environment([TEMPLATE_DIR])
        .get_template("maintenance/workorders/_checklist.html")
        .render(work_order=read, csrf_input='<input name="_csrf_token">', principal=me, **context)
    )
    forms = html.count('<form method="post" action="/work-orders/')
    assert forms == len(h.SAFETY_ITEMS)
    assert html.count('name="back" value="order"') == forms
    assert "Fire extinguisher sealed" in html and "Create follow-up" not in html


async def test_the_partial_stays_out_of_the_way_without_a_checklist() -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    env = make_environment([TEMPLATE_DIR])
    partial = env.get_template("maintenance/workorders/_checklist.html")
    for user, shown in ((w.partner, False), (w.cm, True)):
        me = builders.principal(user)
        context = await checklist_context(me, order.id)
        read = await wb_queries.get_work_order(me, order.id)
        html = partial.render(work_order=read, csrf_input="", principal=me, **context)
        assert ('id="checklist"' in html) is shown  # staff may add one; partners see nothing
