"""The same answer sent twice at once with one client key (a phone's queue retrying while
the first request is still on its way): written once, both get the same answer. The key is
claimed in the answer's one write, all or nothing, so the twin that finds it taken writes
nothing."""

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


async def test_answers_to_one_item_at_once_are_all_kept_in_order(make_client: Any) -> None:
    """Devices answering the same item at the same moment (no versions, no keys): each
    write waits for the one before it and builds on it (none fails, none is lost); with the
    same expected version, one wins and the others answer 409 with the winner's answer."""
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    devices = [await builders.api(make_client, w.cm) for _ in range(6)]
    [inspection] = (await devices[0].get(INSPECTIONS)).json()
    iid = inspection["id"]
    notes = [f"device {n}" for n in range(len(devices))]
    answers = await asyncio.gather(
        *[answer(d, iid, "complete", "pass", note=n) for d, n in zip(devices, notes, strict=True)]
    )
    assert [a.status_code for a in answers] == [200] * len(devices), [a.text for a in answers]
    assert sorted(a.json()["version"] for a in answers) == list(range(1, len(devices) + 1))
    [row] = await InspectionAnswer.select().where(InspectionAnswer.inspection == iid)
    assert row["version"] == len(devices)
    # a photo-less write keeps the note of the one before it: the last to win kept its own
    last = max(answers, key=lambda a: a.json()["version"])
    assert row["note"] == last.json()["note"]

    version = row["version"]
    raced = await asyncio.gather(
        *[answer(d, iid, "complete", "fail", version=version) for d in devices]
    )
    codes = sorted(a.status_code for a in raced)
    assert codes == [200] + [409] * (len(devices) - 1), [a.text for a in raced]
    winner = next(a for a in raced if a.status_code == 200).json()
    for lost in (a for a in raced if a.status_code == 409):
        assert lost.json()["current"]["version"] == winner["version"] == version + 1
        assert lost.json()["current"]["value_text"] == "fail"


async def test_a_number_answer_reads_the_same_when_saved_repeated_and_fetched(
    make_client: Any,
) -> None:
    """The saved answer as the PUT returns it (PostgreSQL: built before the one statement
    that writes it, its audit row and its key) is the answer the inspection shows later and
    the one a repeat of the key gets."""
    w = await world()
    template = await starter("coworking_walk")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    phone = await builders.api(make_client, w.cm)
    [inspection] = (await phone.get(INSPECTIONS)).json()
    key = str(uuid.uuid4())
    saved = await answer(phone, inspection["id"], "temperature", "21,5", client_key=key)
    assert saved.status_code == 200, saved.text
    again = await answer(phone, inspection["id"], "temperature", "21,5", client_key=key)
    assert again.json() == saved.json()
    shown = (await phone.get(f"{INSPECTIONS}/{inspection['id']}")).json()
    [kept] = [a for a in shown["answers"] if a["item_key"] == "temperature"]
    assert kept == saved.json()
    noted = await answer(phone, inspection["id"], "temperature", "30", note="Sunny side")
    shown = (await phone.get(f"{INSPECTIONS}/{inspection['id']}")).json()
    [kept] = [a for a in shown["answers"] if a["item_key"] == "temperature"]
    assert kept == noted.json() and kept["version"] == 2
