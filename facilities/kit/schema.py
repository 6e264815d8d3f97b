"""The base for every API schema (msgspec), and the page envelope for lists."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Schema(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Request and response bodies. Unknown fields are rejected (a typo is an error)."""


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorField(msgspec.Struct, kw_only=True):
    field: str
    message: str


class ErrorBody(msgspec.Struct, kw_only=True):
    """The one JSON error shape of the API."""

    code: str
    message: str
    fields: list[ErrorField] = msgspec.field(default_factory=list)
