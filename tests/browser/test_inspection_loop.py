"""The closed loop on a phone (390 × 844, JavaScript on, online): a community manager runs
the monthly fire-extinguisher inspection, fails the critical pressure item and submits; the
asset is locked out and a P1 corrective order exists; the partner completes it; the
community manager passes the one-item re-check; the finding closes and the lock-out lifts."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from facilities import wiring
from facilities.assets.tables import Asset
from facilities.kit import clock
from facilities.maintenance.tables import WorkOrder
from facilities.safety.inspections.tables import Finding, Inspection
from tests import workorders_builders as wb
from tests.browser.helpers import PHONE, sign_in
from tests.safety.helpers import generate, programme, starter, world


async def test_community_manager_closes_the_loop_on_a_phone(new_context) -> None:
    wiring.install()  # the partner's completion below runs in this process
    w = await world()
    template = await starter()
    await programme(
        template.id,
        scope="category",
        category_id=w.category_id,
        rrule="FREQ=DAILY",
        dtstart_local="2026-01-01T09:00:00",
        lead_days=1,
    )
    assert await generate(clock.now()) >= 2
    first = (
        await Inspection.select(Inspection.id)
        .where(Inspection.asset == w.asset_id)
        .order_by(Inspection.due_at)
        .first()
    )
    page = await (await new_context()).new_page()
    assert page.viewport_size == PHONE
    await sign_in(page, w.cm.email)
    await page.goto(f"/safety/inspections/{first['id']}")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    results = await Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not serious

    answers = {"in_place": "pass", "pressure": "fail", "seal": "pass", "damage": "na"}
    for key, value in answers.items():
        item = page.locator(f"#item-{key}")
        await item.locator(f"button[value={value}]").click()
        await expect(item.locator(".insp-state")).to_contain_text("Saved")
    service = page.locator("#item-service_due")
    await service.locator("button[value=yes]").click()
    await expect(service.locator(".insp-state")).to_contain_text("Saved")
    await page.get_by_role("button", name="Submit inspection").click()
    await expect(page.get_by_text("Inspection submitted.")).to_be_visible()
    await expect(page.get_by_text("asset locked out")).to_be_visible()

    asset = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert asset["locked_out"] is True
    finding = await Finding.select().first()
    order = await WorkOrder.select().where(WorkOrder.id == finding["work_order"]).first()
    assert order["priority"] == "p1"
    await wb.step(order["id"], w.cm, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order["id"], w.partner, "accept")
    await wb.step(order["id"], w.partner, "start")
    await wb.step(order["id"], w.partner, "complete", note="Refilled, pressure tested")
    recheck = (await Finding.select(Finding.recheck).first())["recheck"]
    assert recheck is not None

    await page.goto("/safety")
    await page.locator(f"a[href='/safety/inspections/{recheck}']").click()
    item = page.locator("#item-pressure")
    await item.locator("button[value=pass]").click()
    await expect(item.locator(".insp-state")).to_contain_text("Saved")
    await page.get_by_role("button", name="Submit inspection").click()
    await expect(page.get_by_text("Inspection submitted.")).to_be_visible()
    closed = await Finding.select(Finding.status).first()
    assert closed["status"] == "closed"
    asset = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert asset["locked_out"] is False
    await page.goto("/safety/findings")
    await expect(page.get_by_text("No open findings.")).to_be_visible()
