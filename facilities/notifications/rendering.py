"""Rendering notification e-mails (text and HTML) in the recipient's language.

Templates live in ``facilities/templates/email/<event>.txt`` (sets ``subject``, is the text
part) and ``<event>.html`` (the HTML part, extends ``email/layout.html``). Rendering happens
when the message is queued, inside the caller's transaction, so a broken template or a
missing variable fails the change that caused it, with an error naming the variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, nodes, select_autoescape

from facilities.kit import i18n
from facilities.kit.templating import TEMPLATE_DIR, timefmt_filters

# Variables every template gets from the outbox itself (not from the caller's context).
PROVIDED = frozenset({"recipient_name", "base_url", "site_tz", "event", "subject"})
# Variables a template may test with ``is defined``/default: optional in the context.
OPTIONAL = frozenset({"magic_link", "note", "status_url", "actor_name", "link", "site_name"})


class MissingTemplateVariable(ValueError):
    """The caller's context lacks a variable the event's templates use."""

    def __init__(self, event: str, names: list[str]) -> None:
        self.event = event
        self.names = names
        listed = ", ".join(repr(n) for n in names)
        super().__init__(
            f"notification {event!r}: template variable {listed} missing from the context"
        )


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(current_locale=i18n.current_locale)
    env.filters.update(timefmt_filters())
    return env


def _names(env: Environment, name: str, seen: set[str] | None = None) -> set[str]:
    """Every variable a template (and the templates it extends or includes) reads."""
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    parsed = env.parse(source)
    found = set(meta.find_undeclared_variables(parsed))
    for node in parsed.find_all((nodes.FromImport, nodes.Import)):
        if isinstance(node, nodes.Import):
            found.discard(node.target)
        elif isinstance(node, nodes.FromImport):
            for imported in node.names:
                found.discard(imported[1] if isinstance(imported, tuple) else imported)
    for ref in meta.find_referenced_templates(parsed):
        if ref:
            found |= _names(env, ref, seen)
    return found


@cache
def required_variables(event: str) -> frozenset[str]:
    env = environment()
    names = _names(env, f"email/{event}.txt") | _names(env, f"email/{event}.html")
    return frozenset(names - set(env.globals) - PROVIDED - OPTIONAL - {"_", "gettext", "ngettext"})


def check_context(event: str, context: dict[str, Any]) -> None:
    missing = sorted(required_variables(event) - set(context))
    if missing:
        raise MissingTemplateVariable(event, missing)


def render(
    event: str,
    *,
    locale: str,
    context: dict[str, Any],
    recipient_name: str = "",
    base_url: str = "",
    site_tz: str | None = None,
) -> Rendered:
    """Subject, text and HTML of ``event`` in ``locale``; raises MissingTemplateVariable."""
    check_context(event, context)
    env = environment()
    values: dict[str, Any] = {name: None for name in OPTIONAL}
    values.update(context)
    values.update(recipient_name=recipient_name, base_url=base_url, site_tz=site_tz, event=event)
    with i18n.using_locale(locale):
        module = env.get_template(f"email/{event}.txt").make_module(values)
        text = str(module).strip() + "\n"
        subject = " ".join(str(getattr(module, "subject", "")).split())
        html = env.get_template(f"email/{event}.html").render(values, subject=subject)
    return Rendered(subject=subject[:300], text=text, html=html)
