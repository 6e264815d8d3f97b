"""In a real phone-sized browser: the partner answers with big buttons and signs on the
signature pad (the drawn PNG reaches the server through the hidden field)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from facilities.maintenance.tables import WorkOrderChecklistItem
from facilities.maintenance.workorders import queries as wb_queries
from tests import workorders_builders as wb
from tests.browser.helpers import sign_in
from tests.maintenance.checklists import helpers as h


async def test_partner_answers_and_signs_on_a_phone(new_context) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    assert (await wb_queries.work_order_by_id(order.id)).status.value == "in_progress"
    context = await new_context()
    page = await context.new_page()
    await sign_in(page, w.partner.email)
    await page.goto(f"/work-orders/{order.id}/checklist")

    item = page.locator(".cl-item").filter(has_text="Fire extinguisher sealed")
    fail = item.get_by_role("button", name="Fail", exact=True)
    box = await fail.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb-sized target
    async with page.expect_navigation():
        await fail.click()
    await expect(page.get_by_role("status").first).to_have_text("Answer saved.")
    await expect(item.get_by_role("button", name="Fail", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    signature = page.locator(".cl-item").filter(has_text="Signed off")
    await signature.get_by_label("Name of the person signing").fill("Jan Partner")
    pad = signature.locator("canvas.cl-pad")
    await expect(pad).to_be_visible()  # JavaScript on: the pad is shown
    await pad.scroll_into_view_if_needed()
    pad_box = await pad.bounding_box()
    assert pad_box is not None
    x, y = pad_box["x"], pad_box["y"] + pad_box["height"] / 2
    await page.mouse.move(x + 20, y)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(x + 20 + step * 20, y + (15 if step % 2 else -15))
    await page.mouse.up()
    inked = await pad.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v > 0)"
    )
    assert inked, "nothing was drawn on the pad"
    async with page.expect_navigation():
        await signature.get_by_role("button", name="Sign", exact=True).click()
    await expect(page).to_have_url(re.compile(rf"/work-orders/{order.id}/checklist"))
    await expect(signature.get_by_text("Signed by Jan Partner")).to_be_visible()
    await expect(signature.get_by_role("img")).to_be_visible()
    row = (
        await WorkOrderChecklistItem.select()
        .where(
            (WorkOrderChecklistItem.work_order == order.id)
            & (WorkOrderChecklistItem.key == "signature")
        )
        .first()
    )
    assert row["value_text"] == "Jan Partner" and row["photo_key"].endswith(".png")
