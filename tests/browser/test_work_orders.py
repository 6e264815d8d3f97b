"""A partner does a work order on a phone; the community manager verifies it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from playwright.async_api import expect

from facilities.maintenance.tables import WorkOrder, WorkOrderEvent, WorkOrderPhoto
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.browser.helpers import open_menu, sign_in


async def _step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    async with page.expect_navigation():
        await page.get_by_role("button", name=name, exact=True).click()


async def test_partner_does_the_work_and_the_manager_verifies_it(new_context) -> None:
    w = await wb.world()
    order = await wb.work_order(
        w.site.id,
        title="Descale the coffee machine",
        partner_organisation_id=w.partner_org_id,
        asset_id=w.asset_id,
    )
    photo = Path(tempfile.mkdtemp(prefix="wo-photo-")) / "after.png"
    photo.write_bytes(mb.png(320, 240, "green"))

    partner_context = await new_context()
    page = await partner_context.new_page()
    await sign_in(page, w.partner.email)
    await (await open_menu(page)).get_by_text("My work", exact=True).first.click()
    await expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    await page.get_by_role("link", name="Descale the coffee machine").click()
    await expect(page).to_have_url(re.compile(rf"/work-orders/{order.id}$"))
    await expect(page.get_by_text("Key safe left of the door, code 4711")).to_be_visible()
    status = page.locator("#wo-status")
    await expect(status).to_have_text("Assigned")
    # Big buttons on a phone: full width of the card.
    box = await page.get_by_role("button", name="Accept", exact=True).bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] >= 44

    await _step(page, "Accept")
    await expect(status).to_have_text("Accepted")
    await _step(page, "Start work")
    await expect(status).to_have_text("In progress")
    await page.get_by_label("Why on hold?").select_option(label="Waiting for parts")
    await _step(page, "Put on hold")
    await expect(status).to_have_text("On hold")
    # The reason in words, on the status line and in the history.
    await expect(page.locator(".status-now")).to_contain_text("Waiting for parts")
    await expect(page.locator(".user-text", has_text="Waiting for parts")).to_be_visible()
    await _step(page, "Resume")
    await expect(status).to_have_text("In progress")

    await page.get_by_label("Add a photo").set_input_files(str(photo))
    await _step(page, "Upload photo")
    await expect(page.get_by_role("status")).to_have_text("Photo added.")
    await expect(page.locator("#photos img")).to_have_count(1)

    await page.get_by_label("What was done?").fill("Descaled, water filter replaced")
    await _step(page, "Complete")
    await expect(status).to_have_text("Completed")
    await expect(page.get_by_role("button", name="Verify")).to_have_count(0)

    manager_context = await new_context()
    manager = await manager_context.new_page()
    await sign_in(manager, w.cm.email)
    await (await open_menu(manager)).get_by_text("Work orders", exact=True).first.click()
    await manager.get_by_role("link", name="All, including closed").click()
    await manager.get_by_role("link", name="Descale the coffee machine").click()
    await expect(manager.get_by_text("Descaled, water filter replaced").first).to_be_visible()
    await _step(manager, "Verify")
    await expect(manager.locator("#wo-status")).to_have_text("Verified")

    row = await WorkOrder.select().where(WorkOrder.id == order.id).first()
    assert (
        row["status"] == "verified" and row["completion_note"] == "Descaled, water filter replaced"
    )
    events = await WorkOrderEvent.select(WorkOrderEvent.action).order_by(WorkOrderEvent.id)
    assert [e["action"] for e in events] == [
        "create",
        "accept",
        "start",
        "hold",
        "resume",
        "complete",
        "verify",
    ]
    photos = await WorkOrderPhoto.select(WorkOrderPhoto.stage)
    assert [p["stage"] for p in photos] == ["after"]
