"""A meter reading taken without signal (390 × 844): the meter page's form waits in the
offline queue with its client_key and the time it was taken, survives a reload offline, and
arrives exactly once when the connection returns (static/offline.js, the worker at
/sustainability/meters/offline-sw.js)."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import expect

from facilities.accounts.enums import Role
from facilities.accounts.tables import UserSession
from facilities.sustainability.tables import MeterReading
from tests import builders
from tests.browser.helpers import PHONE, sign_in
from tests.sustainability.helpers import meter


async def test_a_reading_taken_offline_arrives_once_with_the_time_it_was_taken(
    new_context,
) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id, number="1ESY1160")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    context = await new_context()
    page = await context.new_page()
    assert page.viewport_size == PHONE
    await sign_in(page, cm.email)
    await page.goto(f"/sustainability/meters/{m.id}")
    await expect(page.locator("html[data-offline-ready]")).to_have_count(1)

    await context.set_offline(True)
    await page.get_by_label("Reading", exact=False).first.fill("1234,5")
    await page.get_by_role("button", name="Save reading").click()
    banner = page.locator(".offline-banner")
    await expect(banner).to_contain_text("You are offline")
    await expect(banner).to_contain_text("Waiting to be sent: 1")
    await page.reload()  # still offline: the kept page, and the reading still waits
    await expect(page.locator(".offline-banner")).to_contain_text("Waiting to be sent: 1")
    assert await MeterReading.count().where(MeterReading.meter == m.id) == 0

    taken_before = datetime.now(UTC)
    await context.set_offline(False)
    await expect(page.locator(".offline-banner")).to_contain_text("Sent: 1")
    rows = await MeterReading.select(MeterReading.value, MeterReading.read_at).where(
        MeterReading.meter == m.id
    )
    assert [float(r["value"]) for r in rows] == [1234.5]
    assert rows[0]["read_at"] <= taken_before  # the time it was taken, not when it arrived
    await page.reload()  # nothing left to send: still exactly one
    await expect(page.locator(".offline-banner")).to_have_count(0)
    assert await MeterReading.count().where(MeterReading.meter == m.id) == 1


async def test_a_reading_waits_while_the_sign_in_has_ended_and_goes_after_signing_in(
    new_context,
) -> None:
    """The sign-in ends while a reading waits (here: every session of the person is
    closed): sending it meets the sign-in page, so it stays waiting and the page says to sign
    in again; after signing in it goes out, once."""
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id, number="1ESY1161")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    context = await new_context()
    page = await context.new_page()
    await sign_in(page, cm.email)
    await page.goto(f"/sustainability/meters/{m.id}")
    await expect(page.locator("html[data-offline-ready]")).to_have_count(1)

    await context.set_offline(True)
    await page.get_by_label("Reading", exact=False).first.fill("77")
    await page.get_by_role("button", name="Save reading").click()
    await expect(page.locator(".offline-banner")).to_contain_text("Waiting to be sent: 1")
    await UserSession.delete().where(UserSession.user == cm.id)

    await context.set_offline(False)
    await expect(page.locator(".offline-banner")).to_contain_text("Sign in again")
    assert await MeterReading.count().where(MeterReading.meter == m.id) == 0

    await sign_in(page, cm.email)
    await page.goto(f"/sustainability/meters/{m.id}")
    await expect(page.locator(".offline-banner")).to_contain_text("Sent: 1")
    assert await MeterReading.count().where(MeterReading.meter == m.id) == 1
