"""Saving an answer reads it with the inspection, decides, and writes in one trip only if
it is still the answer it read (SQLite: one transaction on the writer; PostgreSQL: one
function call). Here another device writes between the read and the write, the case the
write's own checks are for: the answer is read again and decided again, and a refused
write leaves nothing behind (no answer, no inspection version, no audit row, no key)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities import db
from facilities.accounts.tables import AuditEvent
from facilities.kit import clock
from facilities.kit.errors import Conflict
from facilities.safety.inspections import actions, queries
from facilities.safety.inspections.actions import StaleAnswer
from facilities.safety.inspections.schemas import AnswerWrite
from facilities.safety.inspections.tables import Inspection, InspectionAnswer, InspectionClientKey
from tests import builders
from tests.safety.helpers import generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _setup() -> tuple[Any, Any, int]:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    [row] = await Inspection.select(Inspection.id)
    return builders.principal(w.cm), w, int(row["id"])


def _meanwhile(monkeypatch: Any, write: Callable[[], Awaitable[Any]]) -> None:
    """The next answer's read is followed by ``write`` (another device), before its own
    write."""
    real = queries.answer_target
    pending = [write]

    async def read_then_another_device(*args: Any) -> dict[str, Any]:
        row = await real(*args)
        if pending:
            await pending.pop()()
        return row

    monkeypatch.setattr(queries, "answer_target", read_then_another_device)


async def _state(inspection_id: int) -> tuple[int, int, int, list[dict[str, Any]]]:
    [inspection] = await Inspection.select(Inspection.version).where(Inspection.id == inspection_id)
    audits = await AuditEvent.count().where(AuditEvent.action == "inspection.answer")
    keys = await InspectionClientKey.count()
    answers = await InspectionAnswer.select(
        InspectionAnswer.item_key, InspectionAnswer.value_text, InspectionAnswer.note,
        InspectionAnswer.version,
    )  # fmt: skip
    return int(inspection["version"]), audits, keys, answers


async def test_an_answer_written_meanwhile_is_built_on(monkeypatch: Any) -> None:
    actor, _w, iid = await _setup()

    async def tablet() -> None:
        await actions.answer_item(
            actor=actor, inspection_id=iid, item_key="complete",
            data=AnswerWrite(value="fail", note="from the tablet"),
        )  # fmt: skip

    _meanwhile(monkeypatch, tablet)
    saved = await actions.answer_item(
        actor=actor, inspection_id=iid, item_key="complete", data=AnswerWrite(value="pass")
    )
    assert saved.version == 2 and saved.value_text == "pass"
    assert saved.note == "from the tablet"  # kept from the answer it was written on
    version, audits, _keys, answers = await _state(iid)
    assert answers == [
        {"item_key": "complete", "value_text": "pass", "note": "from the tablet", "version": 2}
    ]
    assert audits == 2
    assert version == 1 + 2  # each save holds the inspection once (created at 1)


async def test_a_stale_version_found_at_the_write_answers_409_and_writes_nothing(
    monkeypatch: Any,
) -> None:
    actor, _w, iid = await _setup()

    async def tablet() -> None:
        await actions.answer_item(
            actor=actor, inspection_id=iid, item_key="complete", data=AnswerWrite(value="fail")
        )

    _meanwhile(monkeypatch, tablet)
    with pytest.raises(StaleAnswer) as stale:
        await actions.answer_item(
            actor=actor, inspection_id=iid, item_key="complete",
            data=AnswerWrite(value="pass", version=0, client_key=str(uuid.uuid4())),
        )  # fmt: skip
    assert stale.value.status_code == 409
    assert stale.value.current["value_text"] == "fail" and stale.value.current["version"] == 1
    version, audits, keys, answers = await _state(iid)
    assert (version, audits, keys) == (2, 1, 0)
    assert [a["value_text"] for a in answers] == ["fail"]


async def test_submitted_meanwhile_answers_409_and_writes_nothing(monkeypatch: Any) -> None:
    actor, _w, iid = await _setup()
    await actions.answer_item(
        actor=actor, inspection_id=iid, item_key="expiry", data=AnswerWrite(value="pass")
    )

    async def submitted_elsewhere() -> None:
        await db.raw("UPDATE inspection SET status = 'submitted' WHERE id = {}", iid)

    _meanwhile(monkeypatch, submitted_elsewhere)
    with pytest.raises(Conflict) as closed:
        await actions.answer_item(
            actor=actor, inspection_id=iid, item_key="complete",
            data=AnswerWrite(value="pass", client_key=str(uuid.uuid4())),
        )  # fmt: skip
    assert [f.field for f in closed.value.fields] == ["status"]
    version, audits, keys, answers = await _state(iid)
    assert (version, audits, keys) == (2, 1, 0)
    assert [a["item_key"] for a in answers] == ["expiry"]


async def test_a_twin_that_took_the_key_meanwhile_gives_its_answer(monkeypatch: Any) -> None:
    actor, _w, iid = await _setup()
    key = str(uuid.uuid4())

    async def twin() -> None:
        await actions.answer_item(
            actor=actor, inspection_id=iid, item_key="complete",
            data=AnswerWrite(value="fail", note="first", client_key=key),
        )  # fmt: skip

    _meanwhile(monkeypatch, twin)
    repeat = await actions.answer_item(
        actor=actor, inspection_id=iid, item_key="complete",
        data=AnswerWrite(value="fail", note="first", client_key=key),
    )  # fmt: skip
    assert repeat.version == 1 and repeat.note == "first"
    version, audits, keys, answers = await _state(iid)
    assert (version, audits, keys) == (2, 1, 1)
    assert [a["version"] for a in answers] == [1]
