"""Partners reach only their organisation's work orders; staff only their sites' ones.
Another partner's order answers 404 on every endpoint, pages included."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock, uploads
from facilities.maintenance.tables import (
    WorkOrder,
    WorkOrderComment,
    WorkOrderCost,
    WorkOrderPhoto,
    WorkOrderTime,
)
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb

TODAY = clock.now().date().isoformat()


def _endpoints(order_id: int, photo_id: int, version: int) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/v1/work-orders/{order_id}"
    return [
        ("GET", base, {}),
        ("PATCH", base, {"json": {"version": version, "title": "Mine now"}}),
        ("POST", f"{base}/transitions", {"json": {"action": "accept", "version": version}}),
        ("GET", f"{base}/events", {}),
        ("GET", f"{base}/comments", {}),
        ("POST", f"{base}/comments", {"json": {"body": "Hello"}}),
        ("GET", f"{base}/time", {}),
        ("POST", f"{base}/time", {"json": {"minutes": 30, "work_date": TODAY}}),
        ("GET", f"{base}/costs", {}),
        (
            "POST",
            f"{base}/costs",
            {"json": {"description": "Seal", "quantity": "1", "unit_cost": "2.50"}},
        ),
        ("GET", f"{base}/photos", {}),
        ("POST", f"{base}/photos", {"files": {"photo": ("p.png", mb.png(), "image/png")}}),
        ("GET", f"{base}/photos/{photo_id}", {}),
        ("GET", f"{base}/sheet.pdf", {}),
    ]


async def _photo_id(order_id: int) -> int:
    stored = uploads.store_image(mb.png())
    row = WorkOrderPhoto(
        work_order=order_id,
        stage="before",
        storage_key=stored.key,
        content_type=stored.content_type,
        size=stored.size,
    )
    await row.save()
    return int(row.id)


@pytest.mark.parametrize(
    "who", ["other partner", "community manager elsewhere", "viewer elsewhere"]
)
async def test_someone_elses_work_order_is_404_everywhere(make_client, who: str) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    photo_id = await _photo_id(order.id)
    if who == "other partner":
        user = w.stranger
    else:
        role = Role.community_manager if who.startswith("community") else Role.viewer
        user = await builders.user(role)
        await builders.assign(user, sites=[w.other_site.id])
    client = await builders.api(make_client, user)
    for method, path, kwargs in _endpoints(order.id, photo_id, order.version):
        response = await client.request(method, path, **kwargs)
        # Editing the facts needs workorders.manage: the guard answers 403 before any lookup.
        expected = (
            403
            if method == "PATCH" and not builders.principal(user).can("workorders.manage")
            else 404
        )
        assert response.status_code == expected, (who, method, path, response.text)
    page_client = await builders.browser_session(make_client, user)
    for path in (
        f"/work-orders/{order.id}",
        f"/work-orders/{order.id}/photos/{photo_id}",
        f"/work-orders/{order.id}/sheet.pdf",
    ):
        assert (await page_client.get(path)).status_code == 404, (who, path)
    for path, data in (
        (f"/work-orders/{order.id}/transition", {"action": "accept", "version": "1"}),
        (f"/work-orders/{order.id}/comments", {"body": "hi"}),
        (f"/work-orders/{order.id}/time", {"minutes": "5", "work_date": TODAY}),
        (
            f"/work-orders/{order.id}/costs",
            {"description": "x", "quantity": "1", "unit_cost": "1"},
        ),
    ):
        response = await builders.post_form(page_client, path, data)
        assert response.status_code == 404, (who, path, response.status_code)
    # Nothing was written by any of it.
    row = await WorkOrder.select().where(WorkOrder.id == order.id).first()
    assert (row["status"], row["title"], row["version"]) == ("assigned", order.title, 1)
    assert await WorkOrderComment.count() == 0
    assert await WorkOrderTime.count() == 0
    assert await WorkOrderCost.count() == 0
    assert await WorkOrderPhoto.count() == 1


async def test_own_partner_reaches_every_endpoint(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    photo_id = await _photo_id(order.id)
    client = await builders.api(make_client, w.partner)
    for method, path, kwargs in _endpoints(order.id, photo_id, order.version):
        response = await client.request(method, path, **kwargs)
        if method == "PATCH":
            assert response.status_code == 403  # editing the facts is staff work
        else:
            assert response.status_code in (200, 201), (method, path, response.text)


async def test_lists_are_scoped(make_client) -> None:
    w = await wb.world()
    mine = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    theirs = await wb.work_order(w.site.id, partner_organisation_id=w.stranger_org_id)
    unassigned = await wb.work_order(w.site.id)
    elsewhere = await wb.work_order(w.other_site.id, partner_organisation_id=w.partner_org_id)

    async def ids(user) -> set[int]:  # type: ignore[no-untyped-def]
        client = await builders.api(make_client, user)
        response = await client.get("/api/v1/work-orders")
        assert response.status_code == 200
        return {o["id"] for o in response.json()["items"]}

    assert await ids(w.partner) == {mine.id, elsewhere.id}
    assert await ids(w.stranger) == {theirs.id}
    assert await ids(w.cm) == {mine.id, theirs.id, unassigned.id}
    page_client = await builders.browser_session(make_client, w.partner)
    html = (await page_client.get("/work-orders")).text
    assert "My work" in html and mine.title in html and theirs.title not in html


async def test_staff_outside_the_site_cannot_patch_or_step(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[w.other_site.id])
    client = await builders.api(make_client, cm)
    response = await client.patch(
        f"/api/v1/work-orders/{order.id}", json={"version": 1, "title": "x"}
    )
    assert response.status_code == 404
    step = await client.post(
        f"/api/v1/work-orders/{order.id}/transitions",
        json={"action": "cancel", "version": 1, "note": "x"},
    )
    assert step.status_code == 404
