"""Every page each role can reach from its navigation, at phone and desk size.

Signs in as each demo role (``facilities demo``: admin, ops, community manager — German —,
partner, viewer) at 390 × 844 and 1366 × 900, collects the links of the role's navigation
(the phone's bottom bar and "More" menu, the desk's grouped menus), opens each and checks:

* axe-core (``axe-playwright-python`` ships it; no npm, no network): no serious or critical
  violation. Only the rules whose impact is serious or critical run: axe-core 4 stamps a
  rule's declared impact on every violation of it (``finalizeRuleResult``), so a "moderate"
  or "minor" rule can never fail this test, and skipping those ~30 rules cuts a third of the
  time axe takes per page (measured: 6.2 s instead of 9.1 s for the partner's 28 pages on a
  loaded machine, the same violations found). The list is read from axe itself on each page,
  so a rule that an axe upgrade raises to serious is run. axe-core is put into every page of
  the role's context by an init script (``AXE_SCRIPT``) instead of being sent over the
  DevTools pipe for each page (550 kB a time; measured: 9.6 s of sending against 1.5 s more
  loading for the partner's 28 pages);
* no horizontal overflow (``scrollWidth <= innerWidth``);
* no raw codes in the visible text (``FREQ=``, ``Expected``, ``Traceback``, ``docs/``,
  backticks, ``work_order.``);
* on German pages, no visible text node that equals an English msgid of the catalogue whose
  German text differs (an untranslated string).

One browser (the session's), one context and one page per role: it signs in once and is
resized from 390 × 844 to 1366 × 900 (the layout follows the width only: every media query of
the style sheet is a ``min-width``/``max-width`` one). The demo is loaded once for the module
(the checks only read), and wiped after its last test.

**One engine per role** (``@pytest.mark.one_engine``, see ``tests/conftest.py``): what this
test checks — the rendered pages' accessibility, overflow, raw codes and German words — does
not depend on the database engine; that each page answers on both engines is proved by the
page and API tests, which run on both. So each role runs in one half of ``make test`` only,
and the roles are split so the two halves take about as long.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
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


@cache
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


# axe.run with every rule below "serious" switched off (a rule without a declared impact runs).
_RUN_SERIOUS_RULES = """() => axe.run(document, {
  resultTypes: ['violations'],
  rules: Object.fromEntries(axe._audit.rules
    .filter(rule => rule.impact && !['serious', 'critical'].includes(rule.impact))
    .map(rule => [rule.id, {enabled: false}])),
}).then(results => results.violations)"""


# axe-core as the package ships it (what ``Axe.run`` would send into each page).
AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"


async def _check_page(page: Any, label: str, german: frozenset[str] | None) -> list[str]:
    """The checks of one page; axe-core is there already (the context's init script)."""
    problems = []
    for violation in await page.evaluate(_RUN_SERIOUS_RULES):
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


# Which half of `make test` signs in as which role (measured on a loaded machine, before
# this split: admin 60 s, ops 65, community manager 65, viewer 72, partner 35 per engine).
# The viewer moved to the PostgreSQL half when that half lost one of its two walks of
# tests/platform/test_form_messages.py (~124 s at load 15) and the German demo test (~63 s),
# while the SQLite half keeps the wheel install and the label sheets.
ENGINE_OF_ROLE = {
    "admin": "postgres",
    "ops_manager": "sqlite",
    "community_manager": "postgres",
    "partner": "sqlite",
    "viewer": "postgres",
}


@pytest.fixture(scope="module")
async def demo(database: None) -> AsyncIterator[None]:
    """The demo, loaded once for every role of this module (the checks only read)."""
    from tests.conftest import truncate_all

    await truncate_all()
    await load_demo()
    yield
    from facilities.maintenance.pm import agenda, feed_cache

    agenda.clear_cache()  # as tests/conftest.py's clean_state does after its wipe
    feed_cache.clear()
    await truncate_all()


@pytest.fixture(autouse=True)
async def clean_state(demo: None) -> AsyncIterator[None]:
    """Overrides ``tests/conftest.py``'s per-test wipe: the module's demo stays until its end."""
    from facilities.accounts import cache as principal_cache

    principal_cache.clear()
    yield
    principal_cache.clear()


@pytest.mark.parametrize(
    "role", [pytest.param(r, marks=pytest.mark.one_engine(ENGINE_OF_ROLE[r])) for r in ROLES]
)
async def test_every_page_of_every_role_is_accessible_fits_and_speaks_plainly(
    role: str, new_context: Any
) -> None:
    german_ids = _untranslated()
    problems: list[str] = []
    context = await new_context(viewport=SIZES["phone"], is_mobile=False, has_touch=False)
    await context.add_init_script(path=str(AXE_SCRIPT))
    page = await context.new_page()
    await sign_in(page, ROLES[role], DEMO_PASSWORD)
    for size_name, size in SIZES.items():
        await page.set_viewport_size(size)
        await page.goto("/")
        german = (
            german_ids if await page.evaluate("document.documentElement.lang") == "de" else None
        )
        hrefs = list(dict.fromkeys(await page.evaluate(_NAV_LINKS)))
        assert "/" in hrefs and "/account" in hrefs, hrefs
        # The menu itself, opened (the phone's "More" panel, the desk's groups).
        problems += await _check_page(page, f"{role}/{size_name} menu open", german)
        for href in [*hrefs, "/calendar?view=week", "/calendar?view=day"]:
            response = await page.goto(href)
            assert response is not None and response.status == 200, (role, href)
            problems += await _check_page(page, f"{role}/{size_name} {href}", german)
    assert not problems, "\n".join(problems)
