"""The every-page test runs only axe's serious and critical rules (``test_every_page.py``,
``_RUN_SERIOUS_RULES``), with axe-core put in by the context's init script: it finds exactly
the serious and critical violations that a run of every rule finds.

Engine-independent (a page set in the browser, no server): runs in the SQLite half only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.test_every_page import _RUN_SERIOUS_RULES, AXE_SCRIPT, SERIOUS

pytestmark = pytest.mark.one_engine("sqlite")

# No <main> (landmark-one-main: moderate), an image without alt (image-alt: critical) and a
# text input without a label (label: critical).
PAGE = '<html lang="en"><body><img src="data:,"><input type="text"></body></html>'


async def test_serious_rules_still_find_violations_and_lesser_rules_do_not_run(
    browser: Any,
) -> None:
    context = await browser.new_context()
    try:
        await context.add_init_script(path=str(AXE_SCRIPT))  # as the every-page test does
        page = await context.new_page()
        await page.goto(f"data:text/html,{quote(PAGE)}")
        serious_only = await page.evaluate(_RUN_SERIOUS_RULES)
        everything = await page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
        )
    finally:
        await context.close()
    impacts = {v["id"]: v["impact"] for v in everything}
    assert impacts.get("landmark-one-main") == "moderate", impacts  # found by the full run
    assert {"image-alt", "label"} <= set(impacts), impacts
    assert {v["id"]: v["impact"] for v in serious_only} == {
        rule: impact for rule, impact in impacts.items() if impact in SERIOUS
    }
