"""Inspections due appear in maintenance's agenda (calendar page and iCal feeds) through
the provider safety registers in ``wiring.install()``, in the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilities.kit import clock
from facilities.maintenance.pm import agenda, agenda_scope, ical
from tests import builders
from tests.safety.helpers import generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def test_inspections_in_agenda_and_feed_in_scope(make_client: Any) -> None:
    w = await world()
    template = await starter()
    await programme(template.id, scope="category", category_id=w.category_id)
    assert await generate(NOW) == 2
    cm_scope = await agenda_scope.of(builders.principal(w.cm))
    items = await agenda.items(start=NOW, end=NOW + timedelta(days=30), scope=cm_scope)
    inspections = [i for i in items if i.kind == "inspection"]
    assert [i.site_id for i in inspections] == [w.site.id]  # not the other CM's site
    assert inspections[0].href == f"/safety/inspections/{inspections[0].uid.split('-')[1]}"
    text = ical.render(items, name="t").decode()
    assert "Fire extinguisher monthly check" in text and "insp-" in text
    cm = await builders.browser_session(make_client, w.cm)
    page = await cm.get("/calendar?view=month&day=2026-03-01")
    assert page.status_code == 200
    assert f"/safety/inspections/{inspections[0].uid.split('-')[1]}" in page.text


async def test_a_cached_feed_shows_inspections_created_after_it(make_client: Any) -> None:
    """The feed cache keys on the providers' versions too: inspections generated after a
    poll are in the next answer (not a cached one, not a 304)."""
    w = await world()
    template = await starter()
    await programme(template.id, scope="category", category_id=w.category_id)
    client = await builders.api(make_client, w.cm)
    created = await client.post(
        "/api/v1/calendar-feeds", json={"kind": "site", "site_id": w.site.id}
    )
    assert created.status_code == 201, created.text
    path = created.json()["url"].removeprefix("http://testserver")
    anonymous = make_client()
    before = await anonymous.get(path)
    assert before.status_code == 200 and b"insp-" not in before.content
    assert await generate(NOW) == 2
    after = await anonymous.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and b"insp-" in after.content
