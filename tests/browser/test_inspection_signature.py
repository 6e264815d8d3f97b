"""The inspection's signature pad (``static/signature.js``, shared with work-order
checklists) on a phone: the drawn PNG reaches the server with the typed name."""

from __future__ import annotations

from playwright.async_api import expect

from facilities.kit import clock
from facilities.safety.inspections.tables import Inspection, InspectionAnswer
from tests.browser.helpers import PHONE, sign_in
from tests.safety.helpers import generate, programme, starter, world


async def test_the_drawn_signature_is_saved_with_the_name(new_context) -> None:
    w = await world()
    template = await starter("coworking_walk")
    await programme(template.id, site_id=w.site.id, rrule="FREQ=DAILY", lead_days=1)
    assert await generate(clock.now()) >= 1
    first = await Inspection.select(Inspection.id).order_by(Inspection.due_at).first()
    page = await (await new_context()).new_page()
    assert page.viewport_size == PHONE
    await sign_in(page, w.cm.email)
    await page.goto(f"/safety/inspections/{first['id']}")

    item = page.locator("#item-signature")
    await item.get_by_label("Name of the person signing").fill("Mia Manager")
    await item.get_by_role("button", name="Sign", exact=True).click()
    await expect(item.locator(".insp-state.error")).to_contain_text("Nothing is drawn")
    pad = item.locator("canvas.insp-pad")
    await pad.scroll_into_view_if_needed()
    box = await pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    await page.mouse.move(x + 20, y)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(x + 20 + step * 20, y + (15 if step % 2 else -15))
    await page.mouse.up()
    await item.get_by_role("button", name="Sign", exact=True).click()
    await expect(item.locator(".insp-state")).to_contain_text("Saved")

    row = (
        await InspectionAnswer.select()
        .where(
            (InspectionAnswer.inspection == first["id"])
            & (InspectionAnswer.item_key == "signature")
        )
        .first()
    )
    assert row["value_text"] == "Mia Manager" and row["photo_key"].endswith(".png")
