"""Screenshots of each role's home and the calendar at phone and desk size (for the README).

Run against a server with the demo data (``facilities demo``)::

    python -m tests.browser.shoot --base-url http://127.0.0.1:8000 --out docs/screenshots

Writes ``<role>-<page>-<phone|desk>.png`` (PNG, palette-quantised with Pillow to stay small).
"""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

from PIL import Image
from playwright.async_api import async_playwright

from facilities.demo import DEMO_PASSWORD

ROLES = {
    "admin": "admin@demo.facilities",
    "ops": "ops@demo.facilities",
    "cm": "cm.mannheim@demo.facilities",
    "partner": "partner@demo.facilities",
    "viewer": "viewer@demo.facilities",
}
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
PAGES = {"home": "/", "calendar": "/calendar"}


def _small_png(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    quantised = image.quantize(
        colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    quantised.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def shoot(base_url: str, out: Path, roles: list[str], pages: list[str]) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for role in roles:
            for size_name, size in SIZES.items():
                phone = size_name == "phone"
                context = await browser.new_context(
                    base_url=base_url,
                    viewport=size,
                    is_mobile=phone,
                    has_touch=phone,
                    device_scale_factor=1,
                    locale="en-GB",
                )
                page = await context.new_page()
                await page.goto("/login")
                await page.get_by_label("E-mail").fill(ROLES[role])
                await page.get_by_label("Password").fill(DEMO_PASSWORD)
                async with page.expect_navigation():
                    await page.get_by_role("button").filter(has_text="Sign in").first.click()
                for name in pages:
                    await page.goto(PAGES[name])
                    data = await page.screenshot(full_page=False)
                    target = out / f"{role}-{name}-{size_name}.png"
                    target.write_bytes(_small_png(data))
                    print(target, target.stat().st_size // 1024, "KB")
                await context.close()
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--roles", nargs="*", default=list(ROLES))
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(args.base_url, args.out, args.roles, args.pages))


if __name__ == "__main__":
    main()
