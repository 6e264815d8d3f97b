"""Keyset pagination ("cursors") for lists ordered by a few columns.

An OFFSET page costs what the rows before it cost: the database reads and throws away every
skipped row, so the last page of a long list is the slowest. A cursor names the last row of
the page before (its values of the sort columns) and the next page starts right after it with
a WHERE condition that an index matching the order answers directly, so every page costs the
same.

A :class:`Key` is one sort column: its SQL expression, its name in the result rows, its
direction and where NULLs go. ``nulls="engine"`` keeps the engine's own order (SQLite sorts
NULL as the smallest value, PostgreSQL as the largest), which is what a plain ``ORDER BY col``
does and what a plain index serves; ``"last"`` is for orders written ``col IS NULL, col``.

``branches`` turns a cursor into the conditions of the rows after it; a list query runs one
index range per branch (``UNION ALL``, each ordered and limited) and keeps the first rows.

The cursor is an opaque, URL-safe string (base64 of a small JSON list: the sort's name and
the last row's values). Time values travel as the text the engine returned (SQLite stores
them as text and compares text, so the exact stored form is sent back); anything that does
not decode into the expected types is refused with a 422 naming the ``cursor`` field.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.schema import INT_MAX

Kind = Literal["int", "text", "time"]


@dataclass(frozen=True)
class Key:
    column: str  # the SQL expression, e.g. "w.due_at"
    name: str  # its name in the result rows
    kind: Kind
    descending: bool = False
    nullable: bool = False
    nulls: Literal["engine", "last"] = "engine"


def order_by(keys: Sequence[Key], sqlite: bool) -> str:
    """The ``ORDER BY`` clause these keys stand for (the same rows in the same order)."""
    parts = []
    for key in keys:
        if key.nullable and key.nulls == "last":
            parts.append(f"{key.column} IS NULL")
        parts.append(key.column + (" DESC" if key.descending else ""))
    return " ORDER BY " + ", ".join(parts)


def _nulls_first(key: Key, sqlite: bool) -> bool:
    if key.nulls == "last":
        return False
    nulls_smallest = sqlite  # SQLite: NULL < everything; PostgreSQL: NULL > everything
    return nulls_smallest != key.descending


def branches(
    keys: Sequence[Key], values: Sequence[Any], sqlite: bool
) -> list[tuple[str, list[Any]]]:
    """The rows strictly after ``values`` in the order of ``keys``, as disjoint conditions
    (each with its ``{}`` arguments). Each is a run of equalities on the leading keys and one
    range on the next, so an index in the order of the keys answers it as one range scan;
    together they are "after the cursor". (One ``OR`` of them all would be the same rows,
    but PostgreSQL then scans the index from its start and filters.)"""
    result: list[tuple[str, list[Any]]] = []
    equal: list[str] = []
    equal_args: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        nulls_first = _nulls_first(key, sqlite)
        op = "<" if key.descending else ">"
        beyond: list[tuple[str, list[Any]]] = []
        if value is None:
            if nulls_first:
                beyond.append((f"{key.column} IS NOT NULL", []))
        else:
            beyond.append((f"{key.column} {op} {{}}", [value]))
            if key.nullable and not nulls_first:
                beyond.append((f"{key.column} IS NULL", []))
        for condition, args in beyond:
            result.append((" AND ".join([*equal, condition]), [*equal_args, *args]))
        if value is None:
            equal.append(f"{key.column} IS NULL")
        else:
            equal.append(f"{key.column} = {{}}")
            equal_args.append(value)
    return result


def encode(sort: str, keys: Sequence[Key], row: Mapping[str, Any]) -> str:
    values: list[Any] = []
    for key in keys:
        value = row[key.name]
        if isinstance(value, datetime):
            value = value.isoformat()
        values.append(value)
    raw = json.dumps([sort, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _refuse() -> RuleViolation:
    return RuleViolation(
        "cursor", _("This page link is no longer valid. Start again from the first page.")
    )


def decode(cursor: str, sort: str, keys: Sequence[Key], sqlite: bool) -> list[Any]:
    """The values a cursor carries, checked against the sort's keys (else a 422)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (ValueError, binascii.Error):
        raise _refuse() from None
    if not isinstance(data, list) or len(data) != len(keys) + 1 or data[0] != sort:
        raise _refuse()
    values: list[Any] = []
    for key, value in zip(keys, data[1:], strict=True):
        if value is None:
            if not key.nullable:
                raise _refuse()
            values.append(None)
        elif key.kind == "int":
            if type(value) is not int or not 0 <= value <= INT_MAX:
                raise _refuse()
            values.append(value)
        elif key.kind == "text":
            if not isinstance(value, str) or len(value) > 200:
                raise _refuse()
            values.append(value)
        else:
            if not isinstance(value, str) or len(value) > 40:
                raise _refuse()
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise _refuse() from None
            if sqlite:
                values.append(value)  # compared as the stored text
            elif moment.tzinfo is None:
                raise _refuse()
            else:
                values.append(moment)
    return values
