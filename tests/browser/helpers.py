"""Small steps shared by the browser tests (signing in, finding fields by their label)."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page

from tests import builders

PHONE = {"width": 390, "height": 844}  # CSS pixels of a common phone


async def sign_in(page: Page, email: str, password: str = builders.PASSWORD) -> None:
    """Sign in through the real form; fails with the page's message if it did not work."""
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    if "/login" in page.url:
        alert = page.get_by_role("alert")
        message = await alert.inner_text() if await alert.count() else "(no message)"
        raise AssertionError(f"signing in as {email} failed: {message}")


def nav(page: Page) -> Locator:
    """The visible links of the main navigation (call ``open_menu`` first to include the
    links inside the grouped menus or the phone's "More")."""
    return page.get_by_role("navigation", name="Main").get_by_role("link")


async def open_menu(page: Page) -> Locator:
    """Open every menu of the main navigation (desk groups, phone "More") by clicking its
    summary, as a person would; returns ``nav(page)``."""
    menus = page.get_by_role("navigation", name="Main").locator("details:not([open]) > summary")
    for summary in await menus.all():
        if await summary.is_visible():
            await summary.click()
    return nav(page)


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The control whose label is exactly ``label`` (required fields add an ``*`` to it)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def field_of(page: Page, label: str) -> Locator:
    """The form field wrapper (label, input, hint, error) of the control labelled ``label``."""
    return page.locator(".field").filter(has=labelled(page, label))
