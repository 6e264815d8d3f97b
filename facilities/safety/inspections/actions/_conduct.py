"""Conducting an inspection: start, answer item by item (each answer saved when given,
versioned: a stale write answers 409 with the current answer), photos and notes per item,
a drawn signature (ink checked), submit (score, findings; 422 listing required items left
unanswered, 409 when submitted already). ``client_key``: a repeat of an answer or a
submission with the same key returns the first result and writes nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import partial
from typing import Any

import anyio
import asyncpg
import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock, testhold, uploads
from facilities.kit.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    PermissionDenied,
    RuleViolation,
)
from facilities.kit.i18n import _
from facilities.kit.rows import dict_rows
from facilities.maintenance.checklists.actions.answers import decode_signature, require_ink
from facilities.maintenance.checklists.engine import answer_values, score, visible_keys
from facilities.maintenance.checklists.schemas import ItemKind
from facilities.safety.inspections import queries
from facilities.safety.inspections.actions import _findings
from facilities.safety.inspections.schemas import AnswerRead, AnswerWrite, SubmitRead, SubmitWrite

OPEN = ("due", "in_progress")


class StaleAnswer(Conflict):
    """Someone changed the answer since the client read it: 409 with the current answer."""

    def __init__(self, current: AnswerRead) -> None:
        super().__init__(
            _("This answer was changed meanwhile (on another device?). Check it and answer again."),
            field="version",
        )
        self.current = msgspec.to_builtins(current)


class _Replay(Exception):
    """The client key is taken: the first request's answer is returned instead."""


_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def parse_client_key(value: object) -> str | None:
    """A client key from a form field (empty: none); 422 unless it is a UUID."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not _UUID.match(text):
        raise RuleViolation("client_key", _("The client key must be a UUID."))
    return text


def may_inspect(actor: Principal) -> None:
    if not actor.can("safety.inspect"):
        raise PermissionDenied(_("Your role may not conduct inspections."))


def _closed() -> Conflict:
    return Conflict(_("This inspection has been submitted already."), field="status")


async def _replayed(key: str | None, inspection_id: int, kind: str) -> Any | None:
    if key is None:
        return None
    rows = await dict_rows(
        "SELECT inspection, kind, response FROM inspection_client_key WHERE client_key = {}",
        key.lower(),
    )
    if not rows:
        return None
    if rows[0]["inspection"] != inspection_id or rows[0]["kind"] != kind:
        raise Conflict(_("This key was already used for another request."), field="client_key")
    response = rows[0]["response"]
    return json.loads(response) if isinstance(response, str) else response


def _replay_of(row: dict[str, Any], kind: str) -> Any | None:
    """The first response to the client key the read found taken (``answer_target``), or
    None; 409 when the key was used for another inspection or another kind of request."""
    if row["key_inspection"] is None:
        return None
    if row["key_inspection"] != row["id"] or row["key_kind"] != kind:
        raise Conflict(_("This key was already used for another request."), field="client_key")
    response = row["key_response"]
    return json.loads(response) if isinstance(response, str) else response


async def _claim(key: str | None, inspection_id: int, kind: str) -> None:
    """Take the key first inside a submission's transaction (a concurrent twin waits, then
    finds it taken and its transaction rolls back); ``_keep`` stores the response later.
    An answer claims its key in its one write (``_store``)."""
    if key is None:
        return
    rows = await db.fetch(
        "INSERT INTO inspection_client_key (client_key, inspection, kind, response, created_at)"
        " VALUES ({}, {}, {}, {}, {}) ON CONFLICT (client_key) DO NOTHING RETURNING id",
        key.lower(),
        inspection_id,
        kind,
        "{}",
        clock.now(),
    )
    if not rows:
        raise _Replay


async def _keep(key: str | None, response: msgspec.Struct) -> None:
    if key is not None:
        await db.raw(
            "UPDATE inspection_client_key SET response = {} WHERE client_key = {}",
            msgspec.json.encode(response).decode(),
            key.lower(),
        )


async def _lock_open(inspection_id: int, actor: Principal) -> None:
    """Hold the inspection (its version + 1; due → in progress) or 409 when it is closed."""
    now = clock.now()
    rows = await db.raw(
        "UPDATE inspection SET version = version + 1, status = 'in_progress',"
        " started_at = coalesce(started_at, {}), started_by = coalesce(started_by, {})"
        " WHERE id = {} AND status IN ('due', 'in_progress') RETURNING id",
        now,
        actor.user_id,
        inspection_id,
    )
    if not rows:
        raise _closed()


async def start_inspection(*, actor: Principal, inspection_id: int) -> Any:
    row = await queries.inspection_row(actor, inspection_id)
    may_inspect(actor)
    if row["status"] == "in_progress":
        return await queries.inspection_read(row)
    async with db.transaction():
        await _lock_open(inspection_id, actor)
        await audit.record(
            actor=actor,
            action="inspection.start",
            object_type="inspection",
            object_id=inspection_id,
            summary=row["template_name"],
            site_id=row["site"],
        )
    return await queries.get_inspection(actor, inspection_id)


def _item(row: dict[str, Any], item_key: str) -> dict[str, Any]:
    for item in queries.inspection_items(row):
        if item["key"] == item_key:
            return item
    raise RuleViolation("item_key", _("This item is not part of this inspection."))


def _check_version(row: dict[str, Any], version_id: int | None) -> None:
    if version_id is not None and version_id != row["template_version"]:
        raise RuleViolation(
            "template_version_id",
            _(
                "This answer is for another version of the template; this inspection uses "
                "version %(v)s. Reload the inspection."
            )
            % {"v": row["template_version_no"]},
        )


def _answer_columns(
    actor: Principal,
    item: dict[str, Any],
    values: dict[str, Any],
    note: str | None,
    expected: int | None,
    current: dict[str, Any] | None,
    now: Any,
) -> dict[str, Any]:
    """The stale check (409 with the current answer) and the columns to write: what the
    request gives, the rest kept from ``current``."""
    if expected is not None and (int(current["version"]) if current else 0) != expected:
        assert current is not None or expected != 0
        raise StaleAnswer(
            queries.answer_read(item, {**current, "item_key": item["key"]})
            if current
            else _blank(item)
        )
    answered = values.get("answered", current["answered"] if current else False)
    return {
        "answered": bool(answered),
        "value_text": values.get("value_text", current["value_text"] if current else None),
        "value_number": values.get("value_number", current["value_number"] if current else None),
        "out_of_limits": bool(
            values.get("out_of_limits", current["out_of_limits"] if current else False)
        ),
        "note": note if note is not None else (current["note"] if current else ""),
        "photo_key": values.get("photo_key", current["photo_key"] if current else None),
        "answered_by": actor.user_id,
        "answered_at": now,
    }


# ---- saving one answer: one read, then one write ------------------------------------------
#
# The answer is read with the inspection (``queries.answer_target``); the write is optimistic:
# it holds the inspection (its version + 1; due → in progress; nothing if it is closed),
# writes the answer only if it is still the one read (``version`` unchanged, or still none),
# writes its audit row and claims the client key with the response, all or nothing. When the
# answer changed in between, it is read again and the request decided again (409 with the
# current answer for a stale ``version``, or written on top of the newer answer), so two
# devices never lose a write. SQLite: one transaction in one trip to the writer's thread
# (``db.all_or_nothing``); PostgreSQL: one function call (``inspection_answer_save``, the
# safety migration of 2026-12-07T14:40), one round trip without BEGIN/COMMIT.

_SAVED, _CLOSED, _CHANGED, _KEY_TAKEN = 0, 1, 2, 3
# A save is tried again only after another device's answer to the item was written in
# between; six devices at once need at most six tries.
_TRIES = 20

_LOCK_STEP = (
    "UPDATE inspection SET version = version + 1, status = 'in_progress',"
    " started_at = coalesce(started_at, {}), started_by = coalesce(started_by, {})"
    " WHERE id = {} AND status IN ('due', 'in_progress') RETURNING id"
)
_INSERT_STEP = (
    "INSERT INTO inspection_answer (inspection, item_key, answered, value_text,"
    " value_number, out_of_limits, note, photo_key, answered_by, answered_at, version)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 1)"
    " ON CONFLICT (inspection, item_key) DO NOTHING RETURNING id"
)
_UPDATE_STEP = (
    "UPDATE inspection_answer SET answered = {}, value_text = {}, value_number = {},"
    " out_of_limits = {}, note = {}, photo_key = {}, answered_by = {}, answered_at = {},"
    " version = version + 1 WHERE id = {} AND version = {} RETURNING id"
)
_AUDIT_STEP = audit.INSERT + " RETURNING id"
_CLAIM_STEP = (
    "INSERT INTO inspection_client_key (client_key, inspection, kind, response, created_at)"
    " VALUES ({}, {}, 'answer', {}, {}) ON CONFLICT (client_key) DO NOTHING RETURNING id"
)
# all_or_nothing's failing step → the outcome (the audit row cannot be refused).
_SQLITE_REFUSED = {0: _CLOSED, 1: _CHANGED, 3: _KEY_TAKEN}
_SAVE_PG = "SELECT inspection_answer_save(" + ", ".join(["{}"] * 24) + ")"
_SCALE = Decimal("0.0001")  # inspection_answer.value_number is numeric(14, 4)


def _as_stored(number: Any) -> Decimal | None:
    """A number as its column gives it back: PostgreSQL's numeric(14, 4) at its scale;
    SQLite stores a float (Piccolo's adapter), kept as an INTEGER when whole, and reads it
    back from its text (the shortest that round-trips, as ``repr``)."""
    if number is None:
        return None
    if not db.is_sqlite():
        return Decimal(number).quantize(_SCALE)
    value = float(number)
    return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))


async def _store(
    *,
    actor: Principal,
    inspection_id: int,
    item_key: str,
    current: dict[str, Any] | None,
    columns: dict[str, Any],
    trail: tuple[Any, ...],
    client_key: str | None,
    response: str,
    now: Any,
) -> int:
    """One write of a decided answer, all or nothing; ``_SAVED`` or why not."""
    key = client_key.lower() if client_key is not None else None
    if db.is_sqlite():
        steps: list[tuple[str, tuple[Any, ...]]] = [
            (_LOCK_STEP, (now, actor.user_id, inspection_id)),
            (_INSERT_STEP, (inspection_id, item_key, *columns.values()))
            if current is None
            else (_UPDATE_STEP, (*columns.values(), current["id"], current["version"])),
            (_AUDIT_STEP, trail),
        ]
        if key is not None:
            steps.append((_CLAIM_STEP, (key, inspection_id, response, now)))
        refused = await db.all_or_nothing(*steps)
        return _SAVED if refused is None else _SQLITE_REFUSED[refused]
    try:
        return int(
            await db.one_statement(
                _SAVE_PG,
                inspection_id,
                item_key,
                current["id"] if current else None,
                current["version"] if current else None,
                *columns.values(),
                key,
                response,
                *trail,
            )
        )
    except asyncpg.SerializationError:  # the function's own "changed meanwhile"
        return _CHANGED


async def _save_answer(
    *,
    actor: Principal,
    row: dict[str, Any],
    item: dict[str, Any],
    values: dict[str, Any],
    note: str | None,
    expected: int | None,
    client_key: str | None,
) -> AnswerRead:
    """Decide and write one answer (see above); ``_Replay`` when a twin with the same
    client key was written first."""
    inspection_id = row["id"]
    current = queries.current_answer(row)
    for _try in range(_TRIES):
        now = clock.now()
        columns = _answer_columns(actor, item, values, note, expected, current, now)
        number = columns["value_number"]
        # The response is what the write stores (the column's scale included), known
        # before it runs: the client key's claim stores it in the same transaction.
        result = queries.answer_read(
            item,
            {
                **columns,
                "item_key": item["key"],
                "version": int(current["version"]) + 1 if current else 1,
                "value_number": _as_stored(number),
            },
        )
        trail = audit.values(
            actor=actor,
            action="inspection.answer",
            object_type="inspection",
            object_id=inspection_id,
            summary=f"{row['template_name']}: {item['label']}"[:500],
            site_id=row["site"],
            before={"item": item["key"], "value": current["value_text"] if current else None},
            after={"item": item["key"], "value": columns["value_text"] or columns["value_number"]},
        )
        outcome = await _store(
            actor=actor,
            inspection_id=inspection_id,
            item_key=item["key"],
            current=current,
            columns=columns,
            trail=trail,
            client_key=client_key,
            response=msgspec.json.encode(result).decode(),
            now=now,
        )
        if outcome == _SAVED:
            return result
        if outcome == _CLOSED:
            raise _closed()
        if outcome == _KEY_TAKEN:
            raise _Replay
        current = await queries.answer_now(inspection_id, item["key"])
    # Another device's answer won every time: say so as a stale write would.
    raise StaleAnswer(
        queries.answer_read(item, {**current, "item_key": item["key"]}) if current else _blank(item)
    )


def _blank(item: dict[str, Any]) -> AnswerRead:
    return AnswerRead(
        item_key=item["key"],
        answered=False,
        value_text=None,
        value_number=None,
        out_of_limits=False,
        fails=False,
        note="",
        has_photo=False,
        version=0,
        answered_at=None,
    )


def _signature_file(content: bytes) -> uploads.StoredFile:
    require_ink(content)
    return uploads.store_image(content, field="signature_png")


async def answer_item(
    *, actor: Principal, inspection_id: int, item_key: str, data: AnswerWrite
) -> AnswerRead:
    """Save (or clear, with ``null``) one answer, validated by the item's kind."""
    row = await queries.answer_target(actor, inspection_id, data.client_key, item_key)
    replay = _replay_of(row, "answer")
    if replay is not None:
        return msgspec.convert(replay, AnswerRead)
    may_inspect(actor)
    if row["status"] not in OPEN:
        raise _closed()
    _check_version(row, data.template_version_id)
    item = _item(row, item_key)
    kind = ItemKind(item["kind"])
    if kind is ItemKind.photo and data.value is not None:
        raise RuleViolation("value", _("Upload the photo as a file."))
    values = (
        answer_values(
            kind,
            data.value,
            min_value=item.get("min"),
            max_value=item.get("max"),
            drawn_signature=bool(data.signature_png),
            options=item.get("options") or [],
        )
        if kind is not ItemKind.photo
        else {}
    )
    stored: uploads.StoredFile | None = None
    if kind is ItemKind.signature and values.get("answered"):
        content = decode_signature(data.signature_png or "")
        stored = await anyio.to_thread.run_sync(partial(_signature_file, content))
        values["photo_key"] = stored.key
    try:
        return await _save_answer(
            actor=actor,
            row=row,
            item=item,
            values=values,
            note=data.note.strip() if data.note is not None else None,
            expected=data.version,
            client_key=data.client_key,
        )
    except _Replay:
        if stored is not None:
            uploads.delete(stored.key)
        replay = await _replayed(data.client_key, inspection_id, "answer")
        return msgspec.convert(replay, AnswerRead)
    except BaseException:
        if stored is not None:
            uploads.delete(stored.key)
        raise


async def answer_photo(
    *,
    actor: Principal,
    inspection_id: int,
    item_key: str,
    photo: bytes,
    client_key: str | None = None,
) -> AnswerRead:
    """A photo to an item (re-encoded, metadata stripped): the answer of a photo item, the
    evidence of any other."""
    row = await queries.answer_target(actor, inspection_id, client_key, item_key)
    replay = _replay_of(row, "answer")
    if replay is not None:
        return msgspec.convert(replay, AnswerRead)
    may_inspect(actor)
    if row["status"] not in OPEN:
        raise _closed()
    item = _item(row, item_key)
    stored = await anyio.to_thread.run_sync(partial(uploads.store_image, photo, field="photo"))
    values: dict[str, Any] = {"photo_key": stored.key}
    if item["kind"] == ItemKind.photo.value:
        values["answered"] = True
    try:
        return await _save_answer(
            actor=actor,
            row=row,
            item=item,
            values=values,
            note=None,
            expected=None,
            client_key=client_key,
        )
    except _Replay:
        uploads.delete(stored.key)
        replay = await _replayed(client_key, inspection_id, "answer")
        return msgspec.convert(replay, AnswerRead)
    except BaseException:
        uploads.delete(stored.key)
        raise


async def submit_inspection(
    *, actor: Principal, inspection_id: int, data: SubmitWrite
) -> SubmitRead:
    """Score it and raise its findings (one transaction). 422 lists the required items left
    unanswered; 409 when it was submitted already (nothing is written twice)."""
    replay = await _replayed(data.client_key, inspection_id, "submit")
    row = await queries.inspection_row(actor, inspection_id)
    if replay is not None:
        return msgspec.convert(replay, SubmitRead)
    may_inspect(actor)
    if row["status"] not in OPEN:
        raise _closed()
    try:
        async with db.transaction():
            await _claim(data.client_key, inspection_id, "submit")
            await _lock_open(inspection_id, actor)
            items = queries.inspection_items(row)
            answers = await queries.answers_of(inspection_id)
            shown = visible_keys(items, answers)
            missing = [
                i
                for i in items
                if i["key"] in shown
                and i.get("required", True)
                and not (answers.get(i["key"]) or {}).get("answered")
            ]
            if missing:
                labels = ", ".join(f"“{i['label']}”" for i in missing)
                raise InvalidInput(
                    [FieldError(f"items.{i['key']}", i["label"]) for i in missing],
                    _("Answer the required items before submitting: %(items)s.")
                    % {"items": labels},
                )
            result = score(items, answers)
            now = clock.now()
            await db.raw(
                "UPDATE inspection SET status = 'submitted', submitted_at = {},"
                " submitted_by = {}, earned = {}, possible = {}, score = {} WHERE id = {}",
                now,
                actor.user_id,
                result.earned,
                result.possible,
                result.percent,
                inspection_id,
            )
            if row["recheck_of"] is not None:
                item = items[0]
                await _findings.recheck_submitted(
                    actor=actor, row=row, item=item, answer=answers.get(item["key"])
                )
            else:
                await _findings.raise_findings(
                    actor=actor, row=row, items=items, answers=answers, shown=shown
                )
            await testhold.hold("inspection.submit")  # fault tests only (kit/testhold.py)
            await audit.record(
                actor=actor,
                action="inspection.submit",
                object_type="inspection",
                object_id=inspection_id,
                summary=row["template_name"],
                site_id=row["site"],
                after={
                    "score": result.percent,
                    "earned": result.earned,
                    "possible": result.possible,
                },
            )
            fresh = await queries.inspection_row(actor, inspection_id)
            response = SubmitRead(
                inspection=await queries.inspection_read(fresh),
                findings=await queries.list_findings(actor, inspection_id=inspection_id),
            )
            await _keep(data.client_key, response)
        return response
    except _Replay:
        replay = await _replayed(data.client_key, inspection_id, "submit")
        return msgspec.convert(replay, SubmitRead)
