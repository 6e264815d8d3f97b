"""Every page each role can reach from its navigation, at phone and desk size.

Signs in as each demo role (``facilities demo``: admin, ops, community manager — German —,
partner, viewer) at 390 × 844 and 1366 × 900, collects the links of the role's navigation
(the phone's bottom bar and "More" menu, the desk's grouped menus), opens each and checks:

* axe-core (``axe-playwright-python`` ships it; no npm, no network): no serious or critical
  violation;
* no horizontal overflow (``scrollWidth <= innerWidth``);
* no raw codes in the visible text (``FREQ=``, ``Expected``, ``Traceback``, ``docs/``,
  backticks, ``work_order.``);
* on German pages, no visible text node that equals an English msgid of the catalogue whose
  German text differs (an untranslated string).

One browser, one context per role and size, one page reused for every link.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from babel.messages.pofile import read_po

from facilities.demo import DEMO_PASSWORD, load_demo
from facilities.kit.i18n import LOCALE_DIR
from tests.browser.helpers import sign_in

ROLES = {
    "admin": "admin@demo.facilities",
    "ops_manager": "ops@demo.facilities",
    "community_manager": "cm.mannheim@demo.facilities",  # reads German
    "partner": "partner@demo.facilities",
    "viewer": "viewer@demo.facilities",
}
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
RAW = re.compile(r"FREQ=|Expected|Traceback|docs/|`|work_order\.")
SERIOUS = {"serious", "critical"}


def _untranslated() -> frozenset[str]:
    """English msgids whose German text differs (seeing one on a German page is a miss)."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    found = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "%(" in message.id:
            continue
        if message.string and message.string != message.id:
            found.add(message.id)
    return frozenset(found)


_TEXT_NODES = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || ['SCRIPT', 'STYLE'].includes(parent.tagName)) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    out.push(text);
  }
  return out;
}"""

_NAV_LINKS = """() => {
  document.querySelectorAll('nav[aria-label] details').forEach(d => d.open = true);
  const links = [...document.querySelectorAll('nav[aria-label] a')].filter(a => a.checkVisibility());
  return links.map(a => a.getAttribute('href'));
}"""


async def _check_page(page: Any, axe: Axe, label: str, german: frozenset[str] | None) -> list[str]:
    problems = []
    results = await axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{label}: axe {violation['id']} ({violation['impact']}) {targets}")
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        problems.append(f"{label}: {widths[0] - widths[1]} px wider than the screen")
    text = await page.evaluate("() => document.body.innerText")
    raw = RAW.search(text)
    if raw:
        start = max(raw.start() - 40, 0)
        problems.append(f"{label}: raw code {text[start : raw.end() + 40]!r}")
    if german is not None:
        english = sorted({t for t in await page.evaluate(_TEXT_NODES) if t in german})
        if english:
            problems.append(f"{label}: untranslated {english[:8]}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
async def test_every_page_of_every_role_is_accessible_fits_and_speaks_plainly(
    role: str, new_context: Any
) -> None:
    await load_demo()
    axe = Axe()
    german_ids = _untranslated()
    problems: list[str] = []
    for size_name, size in SIZES.items():
        phone = size_name == "phone"
        context = await new_context(viewport=size, screen=size, is_mobile=phone, has_touch=phone)
        page = await context.new_page()
        await sign_in(page, ROLES[role], DEMO_PASSWORD)
        german = (
            german_ids if await page.evaluate("document.documentElement.lang") == "de" else None
        )
        hrefs = list(dict.fromkeys(await page.evaluate(_NAV_LINKS)))
        assert "/" in hrefs and "/account" in hrefs, hrefs
        # The menu itself, opened (the phone's "More" panel, the desk's groups).
        problems += await _check_page(page, axe, f"{role}/{size_name} menu open", german)
        for href in [*hrefs, "/calendar?view=week", "/calendar?view=day"]:
            response = await page.goto(href)
            assert response is not None and response.status == 200, (role, href)
            problems += await _check_page(page, axe, f"{role}/{size_name} {href}", german)
    assert not problems, "\n".join(problems)
