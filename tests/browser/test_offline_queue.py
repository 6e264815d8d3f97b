"""The offline queue on the public QR report form: filled offline with a photo, the page
reloaded while still offline, then back online: exactly one report with its photo arrives,
and the banner says what waits and what was sent (static/offline.js, offline-sw.js)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image
from playwright.async_api import expect

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
