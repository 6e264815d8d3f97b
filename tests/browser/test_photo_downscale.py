"""A phone photo is shrunk in the browser before upload (static/photo.js): a 4000 × 3000
picture arrives as a JPEG at most 2000 px wide, and the report goes through."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import expect

from facilities.maintenance.tables import ProblemReport
from tests import maintenance_builders as mb


def _big_photo(path: Path) -> Path:
    image = Image.effect_noise((4000, 3000), 64).convert("RGB")  # noise: compresses badly
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    path.write_bytes(out.getvalue())
    return path


async def test_photo_is_shrunk_before_upload(new_context: Any) -> None:
    _site, _asset, code = await mb.scanned_asset()
    photo = _big_photo(Path(tempfile.mkdtemp(prefix="big-photo-")) / "IMG_0001.jpg")
    original = photo.stat().st_size
    page = await (await new_context()).new_page()
    await page.goto(f"/q/{code}")
    form = page.locator("#new")
    await form.get_by_label("Description").fill("Big photo of a leak")
    await form.get_by_label("Photo (optional)").set_input_files(str(photo))
    shrunk = form.locator("input[type=file][data-shrunk]")
    await expect(shrunk).to_have_count(1)  # the script replaced the file
    sent = int(await shrunk.get_attribute("data-shrunk") or "0")
    assert 0 < sent < original
    size = await page.evaluate(
        """() => new Promise(resolve => {
            const file = document.querySelector('input[type=file][data-downscale]').files[0];
            const img = new Image();
            img.onload = () => resolve([img.naturalWidth, img.naturalHeight, file.type]);
            img.src = URL.createObjectURL(file);
        })"""
    )
    assert size == [2000, 1500, "image/jpeg"]
    async with page.expect_navigation():
        await form.get_by_role("button", name="Send report").click()
    await expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+$"))
    assert await ProblemReport.count() == 1
