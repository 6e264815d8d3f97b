"""In a real phone-sized browser: the ops manager builds an inspection template with the
editor (the script adds an item in place and shows only the fields of its answer type):
a critical pass/fail item and a number item with unit and limits; a mistake (minimum above
maximum) is shown next to the field with everything kept, then the template saves."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from facilities.safety.inspections import queries
from tests import builders
from tests.browser.helpers import sign_in
from tests.safety.helpers import world

pytestmark = pytest.mark.browser


async def test_ops_builds_a_template_on_a_phone(new_context) -> None:
    w = await world()
    context = await new_context()
    page = await context.new_page()
    await sign_in(page, w.ops.email)
    await page.goto("/safety/templates")
    await page.get_by_role("link", name="+ New template").click()
    await expect(page.get_by_role("heading", name="New inspection template")).to_be_visible()
    await page.get_by_label("Name").first.fill("Fire extinguisher walk")

    first = page.locator(".tpl-item").nth(0)
    await first.get_by_label("Question or check").fill("Extinguisher in place and sealed")
    await first.get_by_label("Answer type").select_option("pass_fail_na")
    await expect(first.get_by_label("Unit")).to_be_hidden()  # only number items have units
    await first.get_by_label("Critical", exact=False).check()

    second = page.locator(".tpl-item").nth(1)
    await second.get_by_label("Question or check").fill("Pressure gauge")
    await second.get_by_label("Answer type").select_option("number")
    await expect(second.get_by_label("Unit")).to_be_visible()
    await second.get_by_label("Unit").fill("bar")
    await second.get_by_label("Lowest allowed value").fill("3")
    await second.get_by_label("Highest allowed value").fill("1,5")

    before = await page.locator(".tpl-item").count()
    await page.get_by_role("button", name="+ More items").click()  # in place, no reload
    await expect(page.locator(".tpl-item")).to_have_count(before + 1)
    await expect(page.locator(".tpl-item").last.get_by_label("Question or check")).to_be_focused()

    async with page.expect_navigation():
        await page.get_by_role("button", name="Save template").click()
    error = page.locator('[id="e-items[1].min"]')
    await expect(error).to_contain_text("lower limit is above the upper limit")
    second = page.locator(".tpl-item").nth(1)
    await expect(second.get_by_label("Unit")).to_have_value("bar")
    await expect(
        page.locator(".tpl-item").nth(0).get_by_label("Critical", exact=False)
    ).to_be_checked()
    await second.get_by_label("Lowest allowed value").fill("1")
    await second.get_by_label("Highest allowed value").fill("3")

    async with page.expect_navigation():
        await page.get_by_role("button", name="Save template").click()
    await expect(page).to_have_url(re.compile(r"/safety/templates/\d+$"))
    await expect(page.get_by_role("status").first).to_contain_text("Template created")
    await expect(page.get_by_text("keep the version they were started on")).to_be_visible()

    [template] = await queries.list_templates(builders.principal(w.ops))
    items = {i.label: i for i in template.items}
    assert set(items) == {"Extinguisher in place and sealed", "Pressure gauge"}
    assert items["Extinguisher in place and sealed"].critical
    gauge = items["Pressure gauge"]
    assert (gauge.kind.value, gauge.unit, str(gauge.min), str(gauge.max)) == (
        "number",
        "bar",
        "1",
        "3",
    )
