"""The same answer sent twice at once with one client key (a phone's queue retrying while
the first request is still on its way): written once, both get the same answer. The key is
claimed last in the answer's transaction, so the twin that finds it taken rolls back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.kit import clock
from facilities.safety.inspections.tables import InspectionAnswer, InspectionClientKey
from tests import builders
from tests.safety.helpers import INSPECTIONS, answer, generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def test_twin_answers_with_one_key_are_written_once(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    phone = await builders.api(make_client, w.cm)
    tablet = await builders.api(make_client, w.cm)
    [inspection] = (await phone.get(INSPECTIONS)).json()
    key = str(uuid.uuid4())
    for _ in range(3):
        first, second = await asyncio.gather(
            answer(phone, inspection["id"], "complete", "fail", client_key=key),
            answer(tablet, inspection["id"], "complete", "fail", client_key=key),
        )
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        assert first.json() == second.json()
        assert first.json()["version"] == 1
    [row] = await InspectionAnswer.select().where(InspectionAnswer.inspection == inspection["id"])
    assert row["version"] == 1 and row["value_text"] == "fail"
    assert await InspectionClientKey.count() == 1
    other = await answer(phone, inspection["id"], "complete", "pass", client_key=str(uuid.uuid4()))
    assert other.json()["version"] == 2
