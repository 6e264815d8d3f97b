"""A one-off contractor without an account completes a work order on a phone via a link."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.async_api import expect

from facilities.maintenance.tables import WorkOrder, WorkOrderEvent
from facilities.maintenance.workorders import magic
from tests import maintenance_builders as mb
from tests import workorders_builders as wb


async def _step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    async with page.expect_navigation():
        await page.get_by_role("button", name=name, exact=True).click()


async def test_contractor_completes_the_order_through_the_link(new_context) -> None:
    w = await wb.world()
    order = await wb.work_order(
        w.site.id,
        title="Fix the leaking tap",
        partner_organisation_id=w.partner_org_id,
        asset_id=w.asset_id,
    )
    link = await magic.issue_link(
        work_order_id=order.id, email="oneoff@plumber.example", issued_by=None
    )
    photo = Path(tempfile.mkdtemp(prefix="magic-photo-")) / "after.png"
    photo.write_bytes(mb.png(320, 240, "blue"))

    context = await new_context()
    page = await context.new_page()
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Fix the leaking tap")).to_be_visible()
    await expect(page.get_by_text("Key safe left of the door, code 4711")).to_be_visible()
    status = page.locator("#wo-status")
    await expect(status).to_have_text("Assigned")
    box = await page.get_by_role("button", name="Accept", exact=True).bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] >= 44

    await _step(page, "Accept")
    await expect(status).to_have_text("Accepted")
    await _step(page, "Start work")
    await expect(status).to_have_text("In progress")
    await page.get_by_label("Add a photo").set_input_files(str(photo))
    await _step(page, "Upload photo")
    await expect(page.get_by_role("status")).to_have_text("Photo added.")
    await expect(page.locator("#photos img")).to_have_count(1)
    await page.get_by_label("What was done?").fill("New washer fitted, no more drips.")
    await _step(page, "Complete")
    await expect(page.get_by_role("heading", name="This work order is closed")).to_be_visible()

    row = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order.id).first()
    assert row["status"] == "completed"
    last = (
        await WorkOrderEvent.select(WorkOrderEvent.actor_label)
        .where(WorkOrderEvent.work_order == order.id)
        .order_by(WorkOrderEvent.id, ascending=False)
        .first()
    )
    assert last["actor_label"].endswith("<oneoff@plumber.example> (link)")
