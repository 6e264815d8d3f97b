"""The every-page test runs only axe's serious and critical rules (``test_every_page.py``,
``_RUN_SERIOUS_RULES``): a serious violation is still found, and its impact is its rule's.

Engine-independent (a page set in the browser, no server): runs in the SQLite half only.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.browser.test_every_page import _RUN_SERIOUS_RULES, SERIOUS

pytestmark = pytest.mark.one_engine("sqlite")

# No <main> (landmark-one-main: moderate), an image without alt (image-alt: critical) and a
# text input without a label (label: critical).
PAGE = '<html lang="en"><body><img src="data:,"><input type="text"></body></html>'


async def test_serious_rules_still_find_violations_and_lesser_rules_do_not_run(
    browser: Any,
) -> None:
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(PAGE)
        axe = Axe()
        everything = (await axe.run(page)).response["violations"]
        await page.evaluate(axe.axe_script)
        serious_only = await page.evaluate(_RUN_SERIOUS_RULES)
    finally:
        await context.close()
    impacts = {v["id"]: v["impact"] for v in everything}
    assert impacts.get("landmark-one-main") == "moderate", impacts  # found by the full run
    assert {"image-alt", "label"} <= set(impacts), impacts
    assert {v["id"]: v["impact"] for v in serious_only} == {
        rule: impact for rule, impact in impacts.items() if impact in SERIOUS
    }
