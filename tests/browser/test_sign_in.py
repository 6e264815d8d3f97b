"""Signing in and out in a real browser: menus and sites per role, wrong password, rate limit."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from facilities.accounts.enums import Role
from tests import builders
from tests.browser.helpers import nav, open_menu, sign_in

# The foundation's menus (base.html + permissions.py), in order, per role. Later issues add
# their own entries (work orders, triage, ...); those are checked generically below.
FOUNDATION_MENUS = {"/sites", "/regions", "/admin/users", "/audit", "/account"}
MENUS = {
    Role.admin: ["Sites", "Regions", "Users", "Audit trail", "Account"],
    Role.ops_manager: ["Sites", "Regions", "Users", "Audit trail", "Account"],
    Role.community_manager: ["Sites", "Regions", "Account"],
    Role.partner: ["Account"],
    Role.viewer: ["Sites", "Regions", "Account"],
}
# Which of the sites below each role may see (None: no sites list at all).
VISIBLE = {
    Role.admin: {"Mannheim Quadrate", "Heidelberg Bahnstadt", "Weinheim", "Kassel Nord"},
    Role.ops_manager: {"Mannheim Quadrate", "Heidelberg Bahnstadt", "Weinheim"},
    Role.community_manager: {"Mannheim Quadrate", "Heidelberg Bahnstadt"},
    Role.partner: None,
    Role.viewer: {"Weinheim", "Kassel Nord"},
}


@pytest.mark.parametrize("role", list(MENUS), ids=[r.value for r in MENUS])
async def test_each_role_sees_exactly_its_menus_and_sites(role: Role, page) -> None:
    rhine_neckar = await builders.region("Rhine-Neckar")
    hesse = await builders.region("North Hesse")
    ma = await builders.site(rhine_neckar.id, name="Mannheim Quadrate", city="Mannheim")
    hd = await builders.site(rhine_neckar.id, name="Heidelberg Bahnstadt", city="Heidelberg")
    wh = await builders.site(rhine_neckar.id, name="Weinheim", city="Weinheim")
    await builders.site(hesse.id, name="Kassel Nord", city="Kassel")
    user = await builders.user(role)
    if role is Role.ops_manager:
        await builders.assign(user, regions=[rhine_neckar.id])
    elif role is Role.community_manager:
        await builders.assign(user, sites=[ma.id, hd.id])  # two of the region's three
    elif role is Role.viewer:
        await builders.assign(user, sites=[wh.id], regions=[hesse.id])

    await sign_in(page, user.email)

    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    links = await open_menu(page)
    await expect(links.last).to_have_text("Account")
    # The phone's bottom bar repeats a few entries of the "More" menu: each counts once.
    hrefs = [await link.get_attribute("href") for link in await links.all()]
    labels = [t.strip() for t in await links.all_inner_texts()]
    menus = dict(zip(hrefs, labels, strict=True))
    shown = [label for href, label in menus.items() if href in FOUNDATION_MENUS]
    assert sorted(shown) == sorted(MENUS[role]), labels
    assert hrefs[-1] == "/account"
    # Every menu entry shown (the foundation's and later ones) opens for this role.
    for href in menus:
        response = await page.request.get(href)
        assert response.status == 200, (href, response.status)

    expected = VISIBLE[role]
    if expected is None:
        response = await page.goto("/sites")
        assert response is not None and response.status == 403
        await expect(page.get_by_role("heading", name="You may not open this page")).to_be_visible()
        await expect(page.get_by_text("Mannheim Quadrate")).to_have_count(0)
        return
    await links.get_by_text("Sites", exact=True).first.click()
    await expect(page).to_have_url(re.compile(r"/sites$"))
    await expect(page.get_by_role("heading", name="Sites", level=1)).to_be_visible()
    names = page.get_by_test_id("site-list").locator("tbody tr td:nth-child(2)")
    await expect(names).to_have_count(len(expected))
    assert set(await names.all_inner_texts()) == expected
    await expect(page.get_by_text(f"{len(expected)} sites", exact=True)).to_be_visible()
    new_site = page.get_by_role("link", name="New site")
    await expect(new_site).to_have_count(1 if role in (Role.admin, Role.ops_manager) else 0)


async def test_wrong_password_is_generic_then_rate_limited(page) -> None:
    user = await builders.user(Role.community_manager, email="nora@example.com")
    generic = "The e-mail address or password is not correct."
    attempts = [
        (user.email, "wrong password 1"),
        ("nobody@example.com", "wrong password 2"),
        (user.email, "wrong password 3"),
        ("nobody@example.com", builders.PASSWORD),
        (user.email, "wrong password 5"),
        (user.email, "wrong password 6"),
        (user.email, "wrong password 7"),
    ]
    await page.goto("/login")
    texts = []
    for email, password in attempts:
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Password").fill(password)
        async with page.expect_navigation() as navigation:
            await page.get_by_role("button", name="Sign in").click()
        response = await navigation.value
        assert response.status == 401
        await expect(page).to_have_url(re.compile(r"/login$"))
        alert = page.get_by_role("alert")
        await expect(alert).to_have_text(generic)
        # The entered address is kept, the password never is.
        await expect(page.get_by_label("E-mail")).to_have_value(email)
        await expect(page.get_by_label("Password")).to_have_value("")
        texts.append(await page.locator("main").inner_text())
    # An unknown address and a wrong password give the very same page.
    assert texts[0].replace(user.email, "X") == texts[1].replace("nobody@example.com", "X")
    assert "exist" not in texts[1].lower() and "unknown" not in texts[1].lower()

    # Five failures for this account from this address: the next attempt is told how long
    # to wait, even with the right password (other accounts from the address still sign in).
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(builders.PASSWORD)
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Sign in").click()
    response = await navigation.value
    assert response.status == 429
    await expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Too many failed sign-ins\. Please wait 1?\d minutes? and try again\.")
    )
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_sign_out_then_protected_pages_redirect_to_login(page) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Speyer Dom")
    user = await builders.user(Role.viewer)
    await builders.assign(user, sites=[site.id])
    await sign_in(page, user.email)
    await page.goto(f"/sites/{site.id}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Speyer Dom")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    await expect(nav(page)).to_have_count(0)

    for path in (f"/sites/{site.id}", "/account", "/"):
        await page.goto(path)
        await expect(page).to_have_url(re.compile(r"/login\?next="))
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await expect(page.get_by_text("Speyer Dom")).to_have_count(0)
    # Signing in again returns to the page that was asked for.
    await page.goto(f"/sites/{site.id}")
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(builders.PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(rf"/sites/{site.id}$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Speyer Dom")
