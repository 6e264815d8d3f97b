"""List filters on a phone fold behind one button (static/filters.js), so the list's first
rows are on the first screen; the button says how many filters are set. At desk size every
filter shows and the button does not."""

from __future__ import annotations

from playwright.async_api import expect

from tests import workorders_builders as wb
from tests.browser.helpers import sign_in

DESK = {"width": 1366, "height": 900}


async def test_filters_fold_on_a_phone_and_say_how_many_are_set(new_context) -> None:
    w = await wb.world()
    await wb.work_order(w.site.id, title="Replace the door closer")
    page = await (await new_context()).new_page()
    await sign_in(page, w.cm.email)
    await page.goto("/work-orders")

    status = page.get_by_label("Status")
    toggle = page.get_by_role("button", name="More filters")
    await expect(page.get_by_label("Search")).to_be_visible()
    await expect(status).to_be_hidden()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    first_row = page.get_by_role("link", name="Replace the door closer")
    box = await first_row.bounding_box()
    assert box is not None and box["y"] + box["height"] < 844  # on the first screen

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await status.select_option("open")
    await page.get_by_role("button", name="Filter", exact=True).click()
    await expect(page.get_by_role("button", name="More filters (1 set)")).to_be_visible()
    await expect(page.get_by_label("Status")).to_be_hidden()


async def test_every_filter_shows_at_desk_size(new_context) -> None:
    w = await wb.world()
    page = await (
        await new_context(viewport=DESK, screen=DESK, is_mobile=False, has_touch=False)
    ).new_page()
    await sign_in(page, w.cm.email)
    await page.goto("/work-orders")
    await expect(page.get_by_label("Status")).to_be_visible()
    await expect(page.get_by_role("button", name="More filters")).to_be_hidden()
