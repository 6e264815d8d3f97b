"""Work-order pages without JavaScript: my work, the order page, forms, stale versions."""

from __future__ import annotations

import re

from facilities.accounts.enums import Role
from facilities.maintenance.tables import WorkOrder, WorkOrderTime
from tests import builders
from tests import workorders_builders as wb


def _buttons(html: str) -> list[str]:
    return re.findall(r'name="action" value="([a-z_]+)"', html)


async def test_partner_works_an_order_through_the_pages(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(
        w.site.id,
        title="Filter change",
        partner_organisation_id=w.partner_org_id,
        asset_id=w.asset_id,
    )
    older = await wb.work_order(w.site.id, title="Earlier repair", asset_id=w.asset_id)
    assert older.id != order.id
    client = await builders.browser_session(make_client, w.partner)
    listing = (await client.get("/work-orders")).text
    assert "My work" in listing and "Filter change" in listing
    assert "Earlier repair" not in listing  # not theirs

    html = (await client.get(f"/work-orders/{order.id}")).text
    assert _buttons(html) == ["accept", "decline", "start"]
    assert "Langer Anger 7" in html and "Key safe left of the door" in html
    assert "Coffee machine Jura X8" in html
    assert "Earlier repair" in html  # the asset's history, seen through this order
    assert "verify" not in _buttons(html)

    path = f"/work-orders/{order.id}"
    response = await builders.post_form(
        client, f"{path}/transition", {"action": "accept", "version": "1"}, form_page=path
    )
    assert response.status_code == 303 and response.headers["location"] == path
    # The same (now stale) form again: 409 and the page says why; nothing changed.
    stale = await builders.post_form(
        client, f"{path}/transition", {"action": "start", "version": "1"}, form_page=path
    )
    assert stale.status_code == 409
    assert "Someone else changed this work order meanwhile" in stale.text
    row = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order.id).first()
    assert row["status"] == "accepted"

    await builders.post_form(
        client, f"{path}/transition", {"action": "start", "version": "2"}, form_page=path
    )
    no_note = await builders.post_form(
        client, f"{path}/transition", {"action": "complete", "version": "3"}, form_page=path
    )
    assert no_note.status_code == 422 and "Please give a reason or note." in no_note.text
    future = await builders.post_form(
        client, f"{path}/time", {"minutes": "20", "work_date": "2999-01-01"}, form_page=path
    )
    assert future.status_code == 422 and "cannot be in the future" in future.text
    assert await WorkOrderTime.count() == 0
    done = await builders.post_form(
        client,
        f"{path}/transition",
        {"action": "complete", "version": "3", "note": "Filter changed"},
        form_page=path,
    )
    assert done.status_code == 303
    html = (await client.get(path)).text
    assert _buttons(html) == []  # verifying is not the partner's step
    assert "Filter changed" in html

    cm = await builders.browser_session(make_client, w.cm)
    assert _buttons((await cm.get(path)).text) == ["verify", "reopen"]


async def test_staff_create_a_work_order_with_the_form(make_client) -> None:
    w = await wb.world()
    cm = await builders.browser_session(make_client, w.cm)
    form = (await cm.get(f"/work-orders/new?site_id={w.site.id}")).text
    assert "Coffee machine Jura X8" in form
    assert w.other_site.name not in form
    response = await builders.post_form(
        cm,
        "/work-orders/new",
        {
            "site_id": str(w.site.id),
            "title": "Paint the wall",
            "kind": "corrective",
            "priority": "p4",
            "due_at": "2031-03-01T09:30",
            "asset_id": "",
            "partner_organisation_id": str(w.partner_org_id),
            "asset_down": "",
        },
        form_page="/work-orders/new",
    )
    assert response.status_code == 303, response.text
    row = await WorkOrder.select().first()
    assert row["title"] == "Paint the wall" and row["status"] == "assigned"
    assert row["due_at"].isoformat().startswith("2031-03-01T08:30")  # Berlin → UTC
    elsewhere = await builders.post_form(
        cm,
        "/work-orders/new",
        {"site_id": str(w.other_site.id), "title": "Not mine"},
        form_page="/work-orders/new",
    )
    assert elsewhere.status_code == 422 and "Unknown site." in elsewhere.text
    assert await WorkOrder.count() == 1


async def test_every_role_sees_the_pages_it_may(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    bare = await wb.work_order(w.site.id, title="No asset, no partner")
    await wb.step(bare.id, w.cm, "cancel", note="Duplicate")
    admin = await builders.user(Role.admin)
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[w.site.id])
    for user in (admin, w.cm, viewer, w.partner):
        client = await builders.browser_session(make_client, user)
        assert (await client.get("/work-orders")).status_code == 200
        assert (await client.get("/work-orders?closed=true")).status_code == 200
        html = (await client.get(f"/work-orders/{order.id}")).text
        assert order.title in html
        may_add = user.role is not Role.viewer
        assert (f'action="/work-orders/{order.id}/comments"' in html) is may_add
        new = await client.get("/work-orders/new")
        assert new.status_code == (403 if user.role in (Role.viewer, Role.partner) else 200)
    staff = await builders.browser_session(make_client, w.cm)
    cancelled = (await staff.get(f"/work-orders/{bare.id}")).text
    assert "Duplicate" in cancelled and _buttons(cancelled) == []
    listing = (await staff.get("/work-orders")).text
    assert "No asset, no partner" not in listing  # cancelled: not to do
    assert "No asset, no partner" in (await staff.get("/work-orders?closed=true")).text


async def test_the_edit_form_refuses_a_stale_version(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, title="Fix the door", due_at="2031-03-01T08:30:00Z")
    cm = await builders.browser_session(make_client, w.cm)
    path = f"/work-orders/{order.id}/edit"
    form = (await cm.get(path)).text
    assert 'name="version" value="1"' in form
    assert 'value="2031-03-01T09:30"' in form  # due shown in the site's wall time
    fields = {
        "version": "1",
        "title": "Fix the front door",
        "kind": "corrective",
        "priority": "p2",
        "description": "Hinge is loose",
        "due_at": "2031-03-01T09:30",
    }
    saved = await builders.post_form(cm, path, fields, form_page=path)
    assert saved.status_code == 303, saved.text
    stale = await builders.post_form(cm, path, {**fields, "title": "Overwrite"}, form_page=path)
    assert stale.status_code == 409
    assert "Someone else changed this work order meanwhile" in stale.text
    row = await WorkOrder.select().where(WorkOrder.id == order.id).first()
    assert (row["title"], row["priority"], row["version"]) == ("Fix the front door", "p2", 2)
    assert row["description"] == "Hinge is loose"
    partner = await builders.browser_session(make_client, w.partner)
    assert (await partner.get(path)).status_code == 403
    elsewhere = await builders.user(Role.community_manager)
    await builders.assign(elsewhere, sites=[w.other_site.id])
    other = await builders.browser_session(make_client, elsewhere)
    assert (await other.get(path)).status_code == 404


async def test_a_site_without_a_street_has_no_stray_comma(make_client) -> None:
    w = await wb.world(address="", postal_code="", city="Schwetzingen")
    order = await wb.work_order(w.site.id)
    page = await (await builders.browser_session(make_client, w.cm)).get(f"/work-orders/{order.id}")
    assert page.status_code == 200
    assert "<p>Schwetzingen" in page.text and ", Schwetzingen" not in page.text
