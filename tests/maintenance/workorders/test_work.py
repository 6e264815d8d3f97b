"""Doing the work: comments, photos, time and costs (validated, scoped, audited), and the
printable sheet read back with a real PDF text extractor."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pypdf

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.kit import clock
from facilities.maintenance.tables import (
    WorkOrderChecklistItem,
    WorkOrderComment,
    WorkOrderCost,
    WorkOrderPhoto,
    WorkOrderTime,
)
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb


async def _started(w: wb.World) -> int:
    order = await wb.work_order(
        w.site.id,
        title="Descale the Jura",
        description="Descale and replace the brew group seal.",
        partner_organisation_id=w.partner_org_id,
        asset_id=w.asset_id,
    )
    await wb.step(order.id, w.partner, "start")
    return order.id


async def test_comments_time_costs_and_photos(make_client) -> None:
    w = await wb.world()
    order_id = await _started(w)
    partner = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order_id}"
    today = clock.now().date()

    comment = await partner.post(f"{base}/comments", json={"body": "  Need a ladder  "})
    assert comment.status_code == 201 and comment.json()["body"] == "Need a ladder"
    assert (await partner.post(f"{base}/comments", json={"body": ""})).status_code == 422

    time = await partner.post(f"{base}/time", json={"minutes": 45, "work_date": str(today)})
    assert time.status_code == 201, time.text
    await partner.post(f"{base}/time", json={"minutes": 30, "work_date": str(today)})
    for bad, field in (
        ({"minutes": 0, "work_date": str(today)}, "minutes"),
        ({"minutes": -5, "work_date": str(today)}, "minutes"),
        ({"minutes": 10, "work_date": str(today + timedelta(days=2))}, "work_date"),
    ):
        response = await partner.post(f"{base}/time", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["fields"][0]["field"] == field

    cost = await partner.post(
        f"{base}/costs",
        json={"description": "Brew group seal", "quantity": "2", "unit_cost": "4.75"},
    )
    assert cost.status_code == 201 and cost.json()["total"] == "9.50"
    await partner.post(
        f"{base}/costs",
        json={"description": "Travel", "quantity": 1, "unit_cost": "0", "kind": "other"},
    )
    for bad, field in (
        ({"quantity": "0", "unit_cost": "1"}, "quantity"),
        ({"quantity": "-1", "unit_cost": "1"}, "quantity"),
        ({"quantity": "1", "unit_cost": "-0.01"}, "unit_cost"),
        ({"quantity": "NaN", "unit_cost": "1"}, "quantity"),
    ):
        response = await partner.post(f"{base}/costs", json={"description": "x", **bad})
        assert response.status_code == 422, bad
        assert response.json()["fields"][0]["field"] == field

    photo = await partner.post(
        f"{base}/photos",
        files={"photo": ("a.png", mb.png(), "image/png")},
        data={"stage": "after"},
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["stage"] == "after"
    not_an_image = await partner.post(
        f"{base}/photos", files={"photo": ("a.txt", b"hello", "text/plain")}
    )
    assert not_an_image.status_code == 422
    assert not_an_image.json()["fields"][0]["field"] == "photo"

    assert await WorkOrderComment.count() == 1
    assert [r["minutes"] for r in await WorkOrderTime.select().order_by(WorkOrderTime.id)] == [
        45,
        30,
    ]
    costs = await WorkOrderCost.select().order_by(WorkOrderCost.id)
    assert [Decimal(str(c["unit_cost"])) for c in costs] == [Decimal("4.75"), Decimal("0.00")]
    assert await WorkOrderPhoto.count() == 1
    actions = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {
        "work_order.comment",
        "work_order.time",
        "work_order.cost",
        "work_order.photo",
    } <= actions
    audited = await AuditEvent.select().where(AuditEvent.action == "work_order.cost").first()
    assert audited["site_id"] == w.site.id and audited["actor"] == w.partner.id


async def test_a_viewer_may_read_but_not_add(make_client) -> None:
    w = await wb.world()
    order_id = await _started(w)
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[w.site.id])
    client = await builders.api(make_client, viewer)
    assert (await client.get(f"/api/v1/work-orders/{order_id}")).status_code == 200
    response = await client.post(f"/api/v1/work-orders/{order_id}/comments", json={"body": "hi"})
    assert response.status_code == 403
    step = await client.post(
        f"/api/v1/work-orders/{order_id}/transitions",
        json={"action": "hold", "version": 2, "hold_reason": "parts"},
    )
    assert step.status_code == 403
    assert await WorkOrderComment.count() == 0


async def test_no_time_or_costs_on_a_closed_order(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    await wb.step(order.id, w.cm, "cancel", note="Not needed")
    client = await builders.api(make_client, w.cm)
    response = await client.post(
        f"/api/v1/work-orders/{order.id}/time",
        json={"minutes": 5, "work_date": str(clock.now().date())},
    )
    assert response.status_code == 409


async def test_the_printable_sheet(make_client) -> None:
    w = await wb.world()
    order_id = await _started(w)
    await WorkOrderChecklistItem.insert(
        WorkOrderChecklistItem(
            work_order=order_id,
            position=1,
            key="water",
            label="Water tank cleaned",
            kind="checkbox",
        ),
        WorkOrderChecklistItem(
            work_order=order_id,
            position=2,
            key="pressure",
            label="Pump pressure",
            kind="number",
            unit="bar",
        ),
    ).run()
    partner = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order_id}"
    today = str(clock.now().date())
    await partner.post(f"{base}/time", json={"minutes": 45, "work_date": today})
    await partner.post(f"{base}/time", json={"minutes": 30, "work_date": today})
    await partner.post(
        f"{base}/costs",
        json={"description": "Brew group seal", "quantity": "2", "unit_cost": "4.75"},
    )
    response = await partner.get(f"{base}/sheet.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    text = " ".join(text.split())
    for expected in (
        f"Work order #{order_id}: Descale the Jura",
        w.site.name,
        "Langer Anger 7, 69115 Heidelberg",
        "Key safe left of the door, code 4711",
        "Coffee machine Jura X8",
        "Descale and replace the brew group seal.",
        "Water tank cleaned",
        "Pump pressure (bar)",
        "Total time 75 min",
        "Brew group seal",
        "2 × €4.75 €9.50",
        "Total cost €9.50",
        "signature of the technician",
        "signature on site",
    ):
        assert expected in text, (expected, text)
    # The same sheet from the page route, for staff of the site.
    cm = await builders.browser_session(make_client, w.cm)
    page = await cm.get(f"/work-orders/{order_id}/sheet.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF-")


async def test_costs_show_the_currency_in_the_readers_language(make_client) -> None:
    """The costs on the work-order page and its printed sheet carry the installation's
    currency, formatted for the reader (German "1.234,50 €")."""
    w = await wb.world()
    order_id = await _started(w)
    partner = await builders.api(make_client, w.partner)
    added = await partner.post(
        f"/api/v1/work-orders/{order_id}/costs",
        json={"description": "Brew group", "quantity": "2", "unit_cost": "617.25"},
    )
    assert added.status_code == 201, added.text
    german = await builders.user(Role.community_manager, locale="de")
    await builders.assign(german, sites=[w.site.id])
    browser = await builders.browser_session(make_client, german)
    page = await browser.get(f"/work-orders/{order_id}")
    assert page.status_code == 200
    text = page.text.replace("\xa0", " ")
    assert "2 × 617,25 € = 1.234,50 €" in text
    assert '<small class="muted">1.234,50 €</small>' in text  # the total by the heading
    sheet = await browser.get(f"/work-orders/{order_id}/sheet.pdf")
    assert sheet.status_code == 200
    printed = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(sheet.content)).pages
    )
    printed = " ".join(printed.split())
    assert "2 × 617,25 € 1.234,50 €" in printed, printed
    assert "Gesamtkosten 1.234,50 €" in printed, printed
