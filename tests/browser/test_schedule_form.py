"""The PM schedule form on a phone shows only the fields of the chosen mode (with
JavaScript); without JavaScript every field stays visible."""

from __future__ import annotations

from playwright.async_api import expect

from facilities.accounts.enums import Role
from tests import builders
from tests.browser.helpers import PHONE, sign_in


async def test_the_chosen_mode_decides_which_fields_show_on_a_phone(new_context) -> None:
    ops = await builders.user(Role.admin)
    phone = await (await new_context()).new_page()
    assert phone.viewport_size == PHONE
    await sign_in(phone, ops.email)
    await phone.goto("/schedules/new")
    every = phone.locator("#f-interval")
    floating = phone.locator("#f-floating_every")
    meter = phone.locator("#f-meter_every")
    await expect(every).to_be_visible()  # fixed calendar by default
    await expect(floating).to_be_hidden()
    await expect(meter).to_be_hidden()
    await phone.locator("#f-mode").select_option("floating")
    await expect(floating).to_be_visible()
    await expect(every).to_be_hidden()
    await phone.locator("#f-mode").select_option("time_or_meter")
    await expect(every).to_be_visible()
    await expect(meter).to_be_visible()
    await expect(floating).to_be_hidden()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    plain = await (await new_context(java_script_enabled=False)).new_page()
    await sign_in(plain, ops.email)
    await plain.goto("/schedules/new")
    for field in ("#f-interval", "#f-floating_every", "#f-meter_every"):
        await expect(plain.locator(field)).to_be_visible()
