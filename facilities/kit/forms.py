"""HTML form helpers: convert a posted form into a schema, collecting field errors."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
import msgspec.inspect

from facilities.kit import validation
from facilities.kit.errors import FacilitiesError

T = TypeVar("T")


def clean(form: dict[str, Any], *, keep_empty: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Drop the CSRF token and empty optional fields; strip strings."""
    values: dict[str, Any] = {}
    for key, value in form.items():
        if key in ("_csrf_token", "_method"):
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "" and key not in keep_empty:
                continue
        values[key] = value
    return values


def convert(values: dict[str, Any], schema: type[T]) -> tuple[T | None, dict[str, str]]:
    """``(instance, {})`` or ``(None, {field: message})``, the message in plain words in the
    reader's language (never msgspec's "Expected `str` of length >= 1")."""
    try:
        return msgspec.convert(values, schema, strict=False), {}
    except msgspec.ValidationError as error:
        text = str(error)
        field = validation.field_name(None, text)
        field = "form" if field == "body" else field.split(".")[0].split("[")[0]
        return None, {field: validation.friendly(text)}


def errors_of(error: FacilitiesError) -> dict[str, str]:
    """The field messages of a refused form. A missing or forbidden object is no form error:
    it propagates, so every page answers 404/403 like the API (never a re-rendered form)."""
    if error.status_code in (403, 404):
        raise error
    if error.fields:
        return {f.field.split(".")[0]: f.message for f in error.fields}
    return {"form": error.message}


def _constraints(info: Any) -> Any:
    """The constrained type under ``X | None`` / ``X | UnsetType`` and documentation."""
    if isinstance(info, msgspec.inspect.Metadata):
        return _constraints(info.type)
    if isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            if not isinstance(member, msgspec.inspect.NoneType):
                return _constraints(member)
    return info


def limits(schema: type[Any], *, textareas: frozenset[str] = frozenset()) -> dict[str, str]:
    """HTML attributes stating each field's limits, from the schema's own constraints:
    ``required``, ``minlength``/``maxlength`` for text, ``min``/``max`` for numbers.

    Text areas get no ``maxlength`` (browsers cut a longer paste silently); the server
    refuses too-long text with a message and keeps it, and the hint states the limit."""
    info = msgspec.inspect.type_info(schema)
    result: dict[str, str] = {}
    for field in getattr(info, "fields", ()):
        inner = _constraints(field.type)
        attrs: list[str] = []
        if field.required:
            attrs.append("required")
        if isinstance(inner, msgspec.inspect.StrType):
            if inner.min_length:
                attrs.append(f'minlength="{inner.min_length}"')
            if inner.max_length is not None and field.name not in textareas:
                attrs.append(f'maxlength="{inner.max_length}"')
        elif isinstance(inner, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
            low = inner.ge if inner.ge is not None else inner.gt
            high = inner.le if inner.le is not None else inner.lt
            if low is not None:
                attrs.append(f'min="{low}"')
            if high is not None:
                attrs.append(f'max="{high}"')
        result[field.name] = " ".join(attrs)
    return result


def max_length(schema: type[Any], name: str) -> int | None:
    """A text field's maximum length (for a visible hint on text areas)."""
    info = msgspec.inspect.type_info(schema)
    for field in getattr(info, "fields", ()):
        if field.name == name:
            inner = _constraints(field.type)
            return getattr(inner, "max_length", None)
    return None
