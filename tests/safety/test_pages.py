"""The inspection pages without JavaScript: the list, one form per item (answers post and
reload the page), a stale answer re-renders with the message, submit shows the score and
the findings; the findings and templates pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.kit import clock
from facilities.kit.i18n import ngettext, using_locale
from tests import builders
from tests.safety.helpers import generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    token = await builders.csrf(client, "/safety")
    return await client.post(path, data={**data, "_csrf_token": token})


async def test_conduct_without_javascript(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    cm = await builders.browser_session(make_client, w.cm)
    listing = await cm.get("/safety")
    assert listing.status_code == 200 and "First-aid kit contents" in listing.text
    inspection_id = listing.text.split('href="/safety/inspections/')[1].split('"')[0]
    url = f"/safety/inspections/{inspection_id}"
    shown = await cm.get(url)
    assert shown.status_code == 200
    assert 'name="value" value="fail"' in shown.text and "Submit inspection" in shown.text
    early = await _post(cm, f"{url}/submit", {})
    assert early.status_code == 422 and "Contents complete per the list" in early.text
    saved = await _post(cm, f"{url}/items/complete", {"value": "fail", "note": "No plasters"})
    assert saved.status_code == 303
    stale = await _post(cm, f"{url}/items/complete", {"value": "pass", "version": "0"})
    assert stale.status_code == 409 and "changed meanwhile" in stale.text
    for key in ("expiry", "sign"):
        assert (await _post(cm, f"{url}/items/{key}", {"value": "pass"})).status_code == 303
    done = await _post(cm, f"{url}/submit", {})
    assert done.status_code == 303
    result = await cm.get(url)
    assert "No plasters" in result.text and "Work order #" in result.text
    assert "1 finding raised; corrective work is on its way." in result.text  # not "(s)"
    assert ' · <a href="/work-orders/' in result.text  # it read "Work order #34· asset…"
    # a failed pass/fail answer does not say so twice ("Answer: Fail · fails")
    assert "<strong>Fail</strong></p>" in result.text
    findings = await cm.get("/safety/findings")
    assert findings.status_code == 200 and "Contents complete per the list" in findings.text


async def test_templates_page_copies_a_starter(make_client: Any) -> None:
    w = await world()
    ops = await builders.browser_session(make_client, w.ops)
    page = await ops.get("/safety/templates")
    assert page.status_code == 200 and "Escape routes and fire doors" in page.text
    copied = await _post(ops, "/safety/templates/copy", {"key": "escape_routes_fire_doors"})
    assert copied.status_code == 303
    listed = (await ops.get("/safety/templates")).text
    assert "Escape routes and fire doors" in listed
    assert "6 items · English</small>" in listed  # the language by name, not "EN"
    cm = await builders.browser_session(make_client, w.cm)
    assert (await cm.get("/safety/templates")).status_code == 403


def test_the_findings_message_counts_in_german() -> None:
    with using_locale("de"):
        one, two = (
            ngettext(
                "%(num)d finding raised; corrective work is on its way.",
                "%(num)d findings raised; corrective work is on its way.",
                n,
            )
            % {"num": n}
            for n in (1, 2)
        )
    assert one == "1 Mangel erfasst; die Behebung ist beauftragt."  # was "Mangel/Mängel"
    assert two == "2 Mängel erfasst; die Behebung ist beauftragt."
