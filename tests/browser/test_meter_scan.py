"""A community manager scans a meter's QR label on a phone (390 px): the label's URL opens
the sign-in, which comes back to the code and lands on the meter's "enter a reading" form;
the reading saved is listed."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import expect

from facilities.accounts.enums import Role
from tests import builders
from tests.browser.helpers import PHONE, labelled
from tests.sustainability.helpers import meter


async def test_scan_a_meter_label_and_enter_a_reading(new_context) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id, name="Wasser Hauptzähler", carrier="water", unit="m3")
    assert m.qr_url is not None
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])

    phone = await (await new_context()).new_page()
    assert phone.viewport_size == PHONE
    await phone.goto(urlsplit(m.qr_url).path)  # what the camera opens
    assert "/login" in phone.url
    await phone.get_by_label("E-mail").fill(cm.email)
    await phone.get_by_label("Password").fill(builders.PASSWORD)
    async with phone.expect_navigation():
        await phone.get_by_role("button", name="Sign in").click()
    assert urlsplit(phone.url).path == f"/sustainability/meters/{m.id}"
    await expect(phone.get_by_role("heading", name="Enter a reading")).to_be_visible()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    await labelled(phone, "Reading (m³)").fill("1.234,5")
    await phone.get_by_role("button", name="Save reading").click()
    await expect(phone.get_by_text("Reading saved.")).to_be_visible()
    await expect(phone.get_by_role("cell", name="1,234.5 m³")).to_be_visible()
