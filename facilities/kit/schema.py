"""The base for every API schema (msgspec), and the page envelope for lists."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import msgspec

T = TypeVar("T")

# The range of an `integer` column on PostgreSQL (SQLite's is wider); ids, versions and
# counts in bodies and URLs stay inside it (``kit/params.py`` checks URLs).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

Id = Annotated[int, msgspec.Meta(ge=1, le=INT_MAX)]
"""The id of a row, in a request body (every ``*_id`` field of an input schema)."""

Int32 = Annotated[int, msgspec.Meta(ge=INT_MIN, le=INT_MAX)]
"""Any other whole number stored in an `integer` column (domain rules add tighter bounds)."""

Version = Annotated[int, msgspec.Meta(ge=0, le=INT_MAX)]
"""An optimistic-lock version (a stale one is a 409, an impossible one a 422)."""


class Schema(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Request and response bodies. Unknown fields are rejected (a typo is an error)."""


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    # The rows in the caller's scope that match the filters. Lists read by keyset (a
    # cursor) count on the pages without a cursor only, and only up to their count limit:
    # None on a page after a cursor (counting the whole scope on every page would grow
    # with the list), and with ``total_exact`` false it means "at least this many".
    total: int | None
    limit: int
    offset: int
    # Lists read by keyset (a cursor): pass this as ``cursor`` for the page after this one;
    # None on the last page (and on lists that page by offset only).
    next_cursor: str | None = None
    total_exact: bool = True


class ErrorField(msgspec.Struct, kw_only=True):
    field: str
    message: str


class ErrorBody(msgspec.Struct, kw_only=True):
    """The one JSON error shape of the API."""

    code: str
    message: str
    fields: list[ErrorField] = msgspec.field(default_factory=list)
    # A stale write (409): what the server holds now, e.g. an inspection answer.
    current: Any | msgspec.UnsetType = msgspec.UNSET
