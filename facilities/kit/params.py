"""Whole numbers in URLs checked against the columns' range, once, for every route.

Ids and counts are stored in 32-bit integer columns on PostgreSQL (64-bit on SQLite). A
number outside that range reached the driver and failed there (a 500). This guard runs
before any handler: for every ``int`` path parameter (read from the route) and every
``int`` query parameter (read from the handler's parsed signature) it refuses a number
outside the range — 404 for an id in the path (no such row can exist), 422 naming the
parameter for a query filter. ``int_parameters`` is derived from the signatures, so a new
route is covered without anyone listing it; ``uncovered_parameters`` lists the whole
numbers it cannot place (a header, a cookie, a list) and startup refuses them.

JSON and form bodies use ``kit.schema.Id`` / ``kit.schema.Count`` (msgspec bounds) instead.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import CookieParameter, HeaderParameter, ParameterKwarg, PathParameter
from litestar.typing import FieldDefinition

from facilities.kit.errors import FacilitiesError, FieldError, NotFound
from facilities.kit.i18n import _
from facilities.kit.schema import INT_MAX, INT_MIN

# Names Litestar fills itself (never query parameters).
_RESERVED = {
    "request",
    "socket",
    "state",
    "scope",
    "headers",
    "cookies",
    "query",
    "data",
    "body",
    "self",
}


@dataclass(frozen=True, slots=True)
class IntParameters:
    path: tuple[str, ...]
    query: tuple[str, ...]


def _is_int(annotation: Any) -> bool:
    """``int`` or ``int | None`` (``bool`` is an int subclass but not a number here)."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) == 1 and _is_int(args[0])
    return False


def _mentions_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_mentions_int(a) for a in typing.get_args(annotation))


def _query_candidates(handler: BaseRouteHandler) -> dict[str, FieldDefinition]:
    dependencies = handler.resolve_dependencies()
    return {
        name: field
        for name, field in handler.parsed_fn_signature.parameters.items()
        if name not in _RESERVED and name not in dependencies
    }


def _location(field: FieldDefinition) -> str:
    kwarg = field.kwarg_definition
    if isinstance(kwarg, HeaderParameter) or (isinstance(kwarg, ParameterKwarg) and kwarg.header):
        return "header"
    if isinstance(kwarg, CookieParameter) or (isinstance(kwarg, ParameterKwarg) and kwarg.cookie):
        return "cookie"
    if isinstance(kwarg, PathParameter):
        return "path"
    if kwarg is not None and not isinstance(kwarg, ParameterKwarg):
        return "body"
    return "query"


def _query_key(handler: Any, name: str) -> str:
    field = handler.parsed_fn_signature.parameters[name]
    kwarg = field.kwarg_definition
    return (kwarg.query if isinstance(kwarg, ParameterKwarg) and kwarg.query else None) or name


def int_parameters(handler: BaseRouteHandler, path_parameters: dict[str, Any]) -> IntParameters:
    """The handler's whole-number path and query parameters (``path_parameters``: the
    route's definitions, or the values of a request — only their names and types count)."""
    path = tuple(name for name, p in path_parameters.items() if getattr(p, "type", type(p)) is int)
    query = tuple(
        name
        for name, field in _query_candidates(handler).items()
        if name not in path_parameters and _location(field) == "query" and _is_int(field.annotation)
    )
    return IntParameters(path=path, query=query)


def uncovered_parameters(handler: BaseRouteHandler, path_parameters: dict[str, Any]) -> list[str]:
    """Whole-number parameters the guard cannot check (startup refuses them)."""
    problems = []
    for name, field in _query_candidates(handler).items():
        if name in path_parameters or not _mentions_int(field.annotation):
            continue
        location = _location(field)
        if location == "body":
            continue  # msgspec bounds (kit.schema.Id) cover bodies
        if location != "query" or not _is_int(field.annotation):
            problems.append(f"{name} ({location}, {field.annotation})")
    return problems


OPT_KEY = "int_query_parameters"


def install_int_bounds(app: Any) -> None:
    """Record each handler's whole-number query parameters in its ``opt`` (read by the
    guard; Litestar hands guards a copy of the handler, sharing ``opt``)."""
    for route in app.routes:
        path_parameters = getattr(route, "path_parameters", {})
        for handler in getattr(route, "route_handlers", []):
            names = int_parameters(handler, path_parameters).query
            handler.opt[OPT_KEY] = tuple(_query_key(handler, name) for name in names)


async def int_bounds_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
    """404 for an impossible id in the path, 422 naming the query parameter out of range.
    Async although it awaits nothing: Litestar runs a sync guard in a worker thread, a
    thread hop on every request of every route."""
    for value in connection.path_params.values():
        if type(value) is int and not INT_MIN <= value <= INT_MAX:
            raise NotFound()
    names = handler.opt[OPT_KEY]
    if not names:
        return
    query = connection.query_params
    errors = []
    for name in names:
        for raw in query.getall(name, []):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                continue  # not a number: Litestar's own validation names it
            if not INT_MIN <= value <= INT_MAX:
                message = _("Must be between %(low)s and %(high)s.") % {
                    "low": INT_MIN,
                    "high": INT_MAX,
                }
                errors.append(FieldError(name, message))
    if errors:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise FacilitiesError(summary, 422, "validation_error", errors)


def _unbounded_ints(info: Any, where: str, seen: set[int]) -> list[str]:
    """Every whole number reachable in a body type that lacks a bound within the column range."""
    from msgspec import inspect as mi

    if isinstance(info, mi.IntType):
        low = info.ge if info.ge is not None else (info.gt + 1 if info.gt is not None else None)
        high = info.le if info.le is not None else (info.lt - 1 if info.lt is not None else None)
        if low is None or high is None or low < INT_MIN or high > INT_MAX:
            return [where]
        return []
    if isinstance(info, mi.StructType):
        if id(info.cls) in seen:
            return []
        seen.add(id(info.cls))
        found = []
        for field in info.fields:
            found += _unbounded_ints(field.type, f"{info.cls.__name__}.{field.name}", seen)
        return found
    if isinstance(info, mi.UnionType):
        if any(isinstance(t, mi.StrType | mi.FloatType) for t in info.types):
            return []  # a free JSON value (attributes, answers), not a column
        return [p for t in info.types for p in _unbounded_ints(t, where, seen)]
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        return _unbounded_ints(info.item_type, where, seen)
    return []  # dict values are free JSON


def unbounded_body_ints(handler: BaseRouteHandler) -> list[str]:
    """Whole numbers in the handler's JSON body without bounds (``kit.schema.Id`` etc.)."""
    from msgspec import inspect as mi

    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return []
    annotation = field.annotation
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    try:
        info = mi.type_info(annotation)
    except (TypeError, ValueError):
        return []
    return _unbounded_ints(info, "data", set())
