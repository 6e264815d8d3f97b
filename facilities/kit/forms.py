"""HTML form helpers: convert a posted form into a schema, collecting field errors."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from facilities.kit.errors import FacilitiesError

T = TypeVar("T")

_AT_FIELD = re.compile(r"^(?P<message>.*?)(?: - at `\$\.?(?P<field>[^`\[]*)[^`]*`)?$")


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
    """``(instance, {})`` or ``(None, {field: message})``."""
    try:
        return msgspec.convert(values, schema, strict=False), {}
    except msgspec.ValidationError as error:
        match = _AT_FIELD.match(str(error))
        field = (match.group("field") if match else "") or "form"
        message = match.group("message") if match else str(error)
        return None, {field.split(".")[0]: message}


def errors_of(error: FacilitiesError) -> dict[str, str]:
    """The field messages of a refused form. A missing or forbidden object is no form error:
    it propagates, so every page answers 404/403 like the API (never a re-rendered form)."""
    if error.status_code in (403, 404):
        raise error
    if error.fields:
        return {f.field.split(".")[0]: f.message for f in error.fields}
    return {"form": error.message}
