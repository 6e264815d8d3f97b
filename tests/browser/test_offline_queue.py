"""The offline queue on the public QR report form: filled offline with a photo, the page
reloaded while still offline, then back online: exactly one report with its photo arrives,
and the banner says what waits and what was sent (static/offline.js, offline-sw.js)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image
from playwright.async_api import expect

from facilities.assets.tables import QrCode
from facilities.maintenance.tables import ProblemReport, ProblemReportPhoto
from tests import maintenance_builders as mb
from tests.browser.helpers import PHONE


def _jpeg(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 200)).save(out, "JPEG", quality=80)
    path.write_bytes(out.getvalue())
    return path


async def test_a_report_made_offline_arrives_once_with_its_photo(new_context) -> None:
    _site, _asset, code = await mb.scanned_asset(name="Water dispenser")
    photo = _jpeg(Path(tempfile.mkdtemp(prefix="offline-photo-")) / "puddle.jpg")
    context = await new_context()
    phone = await context.new_page()
    assert phone.viewport_size == PHONE
    await phone.goto(f"/q/{code}")
    # The service worker keeps the page and its files (it says so on the root element).
    await expect(phone.locator("html[data-offline-ready]")).to_have_count(1)

    await context.set_offline(True)
    await phone.locator("#f-description").fill("Puddle under the water dispenser")
    await phone.locator("#f-photo").set_input_files(str(photo))
    await phone.get_by_role("button", name="Send report").click()
    banner = phone.locator(".offline-banner")
    await expect(banner).to_contain_text("You are offline")
    await expect(banner).to_contain_text("Waiting to be sent: 1")
    assert await ProblemReport.count() == 0

    await phone.reload()  # still offline: the kept page, and the queue survives
    await expect(phone.locator(".offline-banner")).to_contain_text("Waiting to be sent: 1")
    assert await ProblemReport.count() == 0

    await context.set_offline(False)
    await expect(phone.locator(".offline-banner")).to_contain_text("Sent: 1")
    reports = await ProblemReport.select(ProblemReport.id, ProblemReport.description)
    assert [r["description"] for r in reports] == ["Puddle under the water dispenser"]
    assert await ProblemReportPhoto.count() == 1

    # A second page (or a retry) finds nothing left to send: still exactly one.
    await phone.reload()
    await expect(phone.locator(".offline-banner")).to_have_count(0)
    assert await ProblemReport.count() == 1


async def test_a_report_refused_when_it_is_sent_is_kept_with_the_reason(new_context) -> None:
    """The label is withdrawn while the phone is offline: the queued report is refused
    (410) when it goes out. It is not sent again and not dropped: the page says why and
    shows what was entered, on every page that has the queue, until the person discards it."""
    _site, _asset, code = await mb.scanned_asset(name="Coffee machine")
    _other_site, _other, other_code = await mb.scanned_asset(name="Dishwasher")
    context = await new_context()
    phone = await context.new_page()
    await phone.goto(f"/q/{code}")
    await expect(phone.locator("html[data-offline-ready]")).to_have_count(1)

    await context.set_offline(True)
    await phone.locator("#f-description").fill("Milk frother leaks")
    await phone.get_by_role("button", name="Send report").click()
    await expect(phone.locator(".offline-banner")).to_contain_text("Waiting to be sent: 1")
    await QrCode.update({QrCode.status: "revoked"}).where(QrCode.code == code)

    await context.set_offline(False)
    refused = phone.locator(".offline-refused li")
    await expect(refused).to_contain_text("Not accepted when it was sent")
    await expect(refused).to_contain_text("This label is no longer valid")
    await refused.get_by_text("What was entered").click()
    await expect(refused.locator("dt")).to_contain_text(["What's wrong?", "Description"])
    await expect(refused.locator("dd")).to_contain_text(
        ["Broken or not working", "Milk frother leaks"]
    )
    assert await ProblemReport.count() == 0

    await phone.goto(f"/q/{other_code}")  # kept aside, shown again, not sent again
    await expect(phone.locator(".offline-refused li")).to_have_count(1)
    await phone.locator(".offline-refused li").get_by_role("button", name="Discard").click()
    await expect(phone.locator(".offline-refused li")).to_have_count(0)
    await phone.reload()
    await expect(phone.locator(".offline-refused li")).to_have_count(0)
    assert await ProblemReport.count() == 0
