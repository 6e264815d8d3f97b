"""A community manager enters a meter reading on a phone (390 px), without JavaScript:
the form is usable at that width, accessible (axe), and a too-big jump asks first."""

from __future__ import annotations

from datetime import timedelta

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.browser.helpers import PHONE, labelled, sign_in
from tests.sustainability.helpers import meter, reading


async def test_cm_enters_a_reading_on_a_phone_without_javascript(new_context) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id, name="Hauptzähler Strom")
    now = clock.now()
    for days_ago, value in ((3, 1000), (2, 1010), (1, 1020)):
        await reading(m.id, value, now - timedelta(days=days_ago))
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])

    # Layout and accessibility at phone width (axe needs JavaScript to run its checks).
    checker = await (await new_context()).new_page()
    assert checker.viewport_size == PHONE
    await sign_in(checker, cm.email)
    await checker.goto(f"/sustainability/meters/{m.id}")
    width = await checker.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    results = await Axe().run(checker)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not serious

    # The flow itself with JavaScript switched off.
    phone = await (await new_context(java_script_enabled=False)).new_page()
    await sign_in(phone, cm.email)
    await phone.goto(f"/sustainability/meters/{m.id}")
    await expect(phone.get_by_role("heading", name="Enter a reading")).to_be_visible()

    # Far above the usual 10 kWh a day: the page asks before saving.
    await labelled(phone, "Reading (kWh)").fill("9.020,5")
    await phone.get_by_role("button", name="Save reading").click()
    await expect(phone.get_by_text("more than ten times the usual")).to_be_visible()
    await phone.get_by_label("The number is right: save it anyway").check()
    await phone.get_by_role("button", name="Save reading").click()
    await expect(phone.get_by_text("Reading saved.")).to_be_visible()
    await expect(phone.get_by_role("cell", name="9,020.5 kWh")).to_be_visible()
