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
    """The links of the main navigation."""
    return page.get_by_role("navigation", name="Main").get_by_role("link")


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The control whose label is exactly ``label`` (required fields add an ``*`` to it)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def field_of(page: Page, label: str) -> Locator:
    """The form field wrapper (label, input, hint, error) of the control labelled ``label``."""
    return page.locator(".field").filter(has=labelled(page, label))
