"""Own account in a browser: API tokens, language; and a phone-size screenshot for humans."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import httpx
from playwright.async_api import expect

from facilities.accounts.enums import Role
from facilities.sites.enums import SiteKind
from tests import builders
from tests.browser.helpers import PHONE, labelled, open_menu, sign_in


async def test_api_token_is_shown_once_works_and_stops_working_when_revoked(
    page, live_server: str
) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Weinheim Altstadt")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    await sign_in(page, cm.email)
    await (await open_menu(page)).get_by_text("Account", exact=True).first.click()
    await expect(page).to_have_url(re.compile(r"/account$"))
    tokens = page.locator("#tokens")
    await expect(tokens.locator("tbody tr")).to_have_text(["No tokens yet."])

    await labelled(tokens, "Token name").fill("Phone scanner")
    await tokens.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_test_id("new-token")
    await expect(secret_box).to_be_visible()
    secret = (await secret_box.inner_text()).strip()
    assert len(secret) >= 32 and " " not in secret
    row = tokens.locator("tbody tr", has_text="Phone scanner")
    await expect(row).to_contain_text("active")

    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        me = await http.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
        assert me.status_code == 200, me.text
        assert me.json()["email"] == cm.email and me.json()["role"] == "community_manager"
        sites = await http.get("/api/v1/sites", headers={"authorization": f"Bearer {secret}"})
        assert [s["name"] for s in sites.json()["items"]] == ["Weinheim Altstadt"]

        # Shown once: a fresh load of the page lists the token but never its secret again.
        await page.goto("/account")
        await expect(page.get_by_test_id("new-token")).to_have_count(0)
        await expect(row).to_contain_text("active")
        assert secret not in await page.content()
        await expect(row.locator("code")).to_have_text(re.compile(r"^\S+…$"))
        prefix = (await row.locator("code").inner_text()).removesuffix("…")
        assert prefix and secret.startswith(prefix) and len(prefix) < len(secret) // 2

        await row.get_by_role("button", name="Revoke").click()
        await expect(page.get_by_role("status")).to_have_text("The token was revoked.")
        await expect(row).to_contain_text("revoked")
        await expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

        me = await http.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
        assert me.status_code == 401
        assert me.json()["code"] == "not_authenticated"
        assert me.json()["message"] == "The API token is invalid, expired or revoked."


async def test_language_follows_the_user_locale(page, new_context) -> None:
    german = await builders.user(Role.viewer, locale="de", email="gerda@example.com")
    await page.goto("/login")
    await expect(page.locator("html")).to_have_attribute("lang", "en")  # browser says en-GB
    await sign_in(page, german.email)
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(german.name)
    # Labels are translated; the viewer's menu still leads to the sites.
    await expect(page.locator('header nav a[href="/sites"]')).to_have_count(1)
    await expect(page.locator('header nav a[href="/admin/users"]')).to_have_count(0)
    await page.goto("/account")
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page.get_by_text("gerda@example.com")).to_be_visible()

    # An English user switches to German on the account page.
    english = await builders.user(Role.viewer)
    other = await (await new_context()).new_page()
    await sign_in(other, english.email)
    await expect(other.locator("html")).to_have_attribute("lang", "en")
    await other.goto("/account")
    await other.get_by_label("Language").select_option("de")
    await other.locator("form[action='/account/locale'] button").click()
    await expect(other.locator("html")).to_have_attribute("lang", "de")
    await other.goto("/sites")
    await expect(other.locator("html")).to_have_attribute("lang", "de")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_phone_screenshots_of_sign_in_and_sites_list(page, tmp_path: Path) -> None:
    region = await builders.region("Rhine-Neckar")
    for name, code, city, kind in [
        ("Mannheim Quadrate", "MA-QU", "Mannheim", SiteKind.coworking),
        ("Mannheim Jungbusch", "MA-JB", "Mannheim", SiteKind.coworking),
        ("Heidelberg Bahnstadt", "HD-BS", "Heidelberg", SiteKind.coworking),
        ("Ludwigshafen Rheinufer", "LU-RU", "Ludwigshafen am Rhein", SiteKind.coworking),
        ("Weinheim Altstadt", "WH-AS", "Weinheim", SiteKind.coworking),
        ("AP Neckarwiese 03", "AP-NW-03", "Heidelberg", SiteKind.field),
    ]:
        await builders.site(region.id, name=name, code=code, city=city, kind=kind)
    admin = await builders.user(Role.admin)

    await page.goto("/login")
    login_shot = tmp_path / "login-phone.png"
    await page.screenshot(path=str(login_shot), full_page=True)

    await sign_in(page, admin.email)
    await page.goto("/sites")
    await expect(page.get_by_test_id("site-list").locator("tbody tr")).to_have_count(6)
    sites_shot = tmp_path / "sites-phone.png"
    await page.screenshot(path=str(sites_shot), full_page=True)

    for shot in (login_shot, sites_shot):
        assert shot.stat().st_size > 1000
        width, height = png_size(shot)
        assert width == PHONE["width"] and height >= PHONE["height"] // 2, (shot.name, width)
    # Mobile-first: nothing is wider than the phone (no sideways scrolling).
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"], overflow
