"""Form fields carry the server's limits: ``maxlength``/``minlength`` from the schema the
form is posted into, stated next to long fields, so what the browser allows is exactly what
the server accepts.

A page handler that converts a posted form into a schema declares it on its route,
``opt={"permission": …, "form": SiteCreate}``. ``install_form_limits(app)`` reads every
such route once at start-up; rendering a page then gives each text ``<input>`` and
``<textarea>`` of a ``<form method="post">`` whose action is such a route the schema's
limits (replacing a hand-written number) and, for a text area, a hint saying the limit
("Up to 2,000 characters."). Templates do not repeat the numbers, and
``tests/kit/test_form_limits.py`` walks every page's forms to prove them equal to the
server's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect
from jinja2 import Template as JinjaTemplate

from facilities.kit.i18n import _, format_number

FORM_OPT = "form"
_TEXT_TYPES = {"", "text", "email", "url", "search", "tel", "password"}
_FORM = re.compile(r"(<form\b[^>]*>)(.*?)(</form>)", re.S | re.I)
_FIELD = re.compile(r"<(input|textarea)\b([^>]*)>", re.I)
_ATTR = re.compile(r'\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?')
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True, slots=True)
class Limit:
    max_length: int | None
    min_length: int | None


def _constraints(info: Any) -> Any:
    if isinstance(info, msgspec.inspect.Metadata):
        return _constraints(info.type)
    if isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            if not isinstance(member, msgspec.inspect.NoneType):
                return _constraints(member)
    return info


def text_limits(schema: type[Any]) -> dict[str, Limit]:
    """The text fields of ``schema`` with their length limits; the text fields of a list of
    structs as ``items-*-label`` (the form's rows are named ``items-0-label`` …)."""
    return _text_limits(msgspec.inspect.type_info(schema))


def _text_limits(info: Any, prefix: str = "") -> dict[str, Limit]:
    found = {}
    for field in getattr(info, "fields", ()):
        inner = _constraints(field.type)
        name = prefix + field.encode_name
        if isinstance(inner, msgspec.inspect.StrType):
            found[name] = Limit(inner.max_length, inner.min_length or None)
        elif isinstance(inner, msgspec.inspect.ListType):
            item = _constraints(inner.item_type)
            if isinstance(item, msgspec.inspect.StructType):
                found.update(_text_limits(item, f"{name}-*-"))
    return found


_ROW = re.compile(r"-\d+-")


def field_limit(limits: dict[str, Limit], name: str) -> Limit | None:
    """The limit of a form field by its name (``items-3-label`` → ``items-*-label``)."""
    return limits.get(name) or limits.get(_ROW.sub("-*-", name))


# (path pattern, length of its fixed text, the form's limits or None) of every POST route
_routes: list[tuple[re.Pattern[str], int, dict[str, Limit] | None]] = []


def _pattern(path: str) -> re.Pattern[str]:
    parts = []
    last = 0
    for match in _PARAM.finditer(path):
        parts.append(re.escape(path[last : match.start()]))
        parts.append(r"\d+" if match.group(2) == "int" else r"[^/]+")
        last = match.end()
    parts.append(re.escape(path[last:]))
    return re.compile("".join(parts).rstrip("/") + "/?")


def install_form_limits(app: Any) -> None:
    """Remember every POST route and the schema of its form, if it declares one."""
    _routes.clear()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" in (handler.http_methods or ()):
                schema = handler.opt.get(FORM_OPT)
                fixed = len(_PARAM.sub("", route.path))
                limits = text_limits(schema) if schema is not None else None
                _routes.append((_pattern(route.path), fixed, limits))


def form_schema_limits(action: str) -> dict[str, Limit] | None:
    """The limits of the form posted to ``action`` (a path): the most specific POST route
    matching it decides; None if that route declares no form schema."""
    path = action.split("?", 1)[0].split("#", 1)[0]
    matches = [(fixed, limits) for pattern, fixed, limits in _routes if pattern.fullmatch(path)]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or "") for m in _ATTR.finditer(text)}


def _set(attributes: str, name: str, value: int | None) -> str:
    attributes = re.sub(rf'\s{name}="[^"]*"', "", attributes)
    return attributes if value is None else f'{attributes} {name}="{value}"'


def _hint(name: str, limit: int) -> str:
    text = _("Up to %(n)s characters.") % {"n": format_number(limit)}
    return f'<small class="hint limit" id="limit-{html.escape(name)}">{html.escape(text)}</small>'


def _apply_form(match: re.Match[str], current_path: str) -> str:
    opening, body, closing = match.groups()
    attributes = _attrs(opening)
    if attributes.get("method", "get").lower() != "post":
        return match.group(0)
    limits = form_schema_limits(attributes.get("action") or current_path)
    if not limits:
        return match.group(0)
    pieces: list[str] = []
    last = 0
    for field in _FIELD.finditer(body):
        tag, raw = field.group(1).lower(), field.group(2)
        found = _attrs(raw)
        limit = field_limit(limits, found.get("name", ""))
        if limit is None or (tag == "input" and found.get("type", "").lower() not in _TEXT_TYPES):
            continue
        raw = _set(_set(raw, "maxlength", limit.max_length), "minlength", limit.min_length)
        pieces.append(body[last : field.start()])
        pieces.append(f"<{field.group(1)}{raw}>")
        last = field.end()
        if tag == "textarea" and limit.max_length and "aria-describedby" not in found:
            end = body.find("</textarea>", last)
            if end != -1:
                hint_id = f"limit-{found['name']}"
                pieces[-1] = f'<{field.group(1)}{raw} aria-describedby="{html.escape(hint_id)}">'
                pieces.append(body[last : end + len("</textarea>")])
                pieces.append(_hint(found["name"], limit.max_length))
                last = end + len("</textarea>")
    if not pieces:
        return match.group(0)
    pieces.append(body[last:])
    return opening + "".join(pieces) + closing


def apply(page: str, current_path: str = "") -> str:
    """``page`` with every declared form's text fields limited (see the module doc)."""
    if not _routes or "<form" not in page:
        return page
    return _FORM.sub(lambda m: _apply_form(m, current_path), page)


class LimitedTemplate(JinjaTemplate):
    """A page template whose rendered forms carry the server's limits."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        text = super().render(*args, **kwargs)
        context = dict(*args, **kwargs)
        request = context.get("request")
        path = request.url.path if request is not None else ""
        return apply(text, path)
