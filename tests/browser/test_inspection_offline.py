"""An inspection without signal (390 × 844): answers given offline wait on the phone
(static/offline.js's queue, with their client_key), the page says so item by item and in
the banner, a reload while offline still shows the page and what waits (the service worker
at /safety/inspections/offline-sw.js), and back online every answer arrives exactly once;
then the inspection is submitted without signal and arrives once too."""

from __future__ import annotations

from playwright.async_api import expect

from facilities.kit import clock
from facilities.safety.inspections.tables import Inspection, InspectionAnswer, InspectionClientKey
from tests.browser.helpers import PHONE, sign_in
from tests.safety.helpers import generate, programme, starter, world

OFFLINE = {"in_place": "pass", "seal": "pass", "damage": "na"}


async def test_answers_made_offline_arrive_once_then_the_inspection_is_submitted(
    new_context,
) -> None:
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
    assert await generate(clock.now()) >= 1
    first = (
        await Inspection.select(Inspection.id)
        .where(Inspection.asset == w.asset_id)
        .order_by(Inspection.due_at)
        .first()
    )
    context = await new_context()
    page = await context.new_page()
    assert page.viewport_size == PHONE
    await sign_in(page, w.cm.email)
    await page.goto(f"/safety/inspections/{first['id']}")
    await expect(page.locator("html[data-offline-ready]")).to_have_count(1)

    await context.set_offline(True)
    for key, value in OFFLINE.items():
        item = page.locator(f"#item-{key}")
        await item.locator(f"button[value={value}]").click()
        await expect(item.locator(".insp-state")).to_contain_text("Waiting to be sent")
    await expect(page.locator(".offline-banner")).to_contain_text("Waiting to be sent: 3")
    assert await InspectionAnswer.count().where(InspectionAnswer.answered.eq(True)) == 0

    await page.reload()  # still offline: the kept page, and what waits is shown again
    await expect(page.locator(".offline-banner")).to_contain_text("Waiting to be sent: 3")
    for key, value in OFFLINE.items():
        item = page.locator(f"#item-{key}")
        await expect(item.locator(".insp-state")).to_contain_text("Waiting to be sent")
        await expect(item.locator(f"button[value={value}]")).to_have_attribute(
            "aria-pressed", "true"
        )
    assert await InspectionClientKey.count() == 0

    await context.set_offline(False)
    # The queue sends them and the page reloads to what the server holds.
    await expect(page.locator("#item-seal button[value=pass]")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.locator(".offline-banner")).to_have_count(0)
    rows = await InspectionAnswer.select(
        InspectionAnswer.item_key, InspectionAnswer.value_text, InspectionAnswer.version
    ).where(InspectionAnswer.inspection == first["id"], InspectionAnswer.answered.eq(True))
    assert {r["item_key"]: r["value_text"] for r in rows} == OFFLINE
    assert all(r["version"] == 1 for r in rows)  # each applied once
    keys = await InspectionClientKey.select(InspectionClientKey.kind).where(
        InspectionClientKey.inspection == first["id"]
    )
    assert [k["kind"] for k in keys] == ["answer"] * 3

    for key, value in (("pressure", "pass"), ("service_due", "yes")):
        item = page.locator(f"#item-{key}")
        await item.locator(f"button[value={value}]").click()
        await expect(item.locator(".insp-state")).to_contain_text("Saved")
    # The submission made offline waits too, and is sent once when the signal returns.
    await context.set_offline(True)
    await page.get_by_role("button", name="Submit inspection").click()
    await expect(page.locator(".offline-banner")).to_contain_text("You are offline")
    status = await Inspection.select(Inspection.status).where(Inspection.id == first["id"])
    assert status[0]["status"] != "submitted"
    await context.set_offline(False)
    await expect(page.get_by_role("button", name="Submit inspection")).to_have_count(0)
    status = await Inspection.select(Inspection.status).where(Inspection.id == first["id"])
    assert status[0]["status"] == "submitted"
    kinds = await InspectionClientKey.select(InspectionClientKey.kind).where(
        InspectionClientKey.inspection == first["id"]
    )
    assert sorted(k["kind"] for k in kinds) == ["answer"] * 5 + ["submit"]
